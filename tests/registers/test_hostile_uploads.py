"""Hostile files are refused cheaply: a clear form error and < 100 MB extra memory, never a 500.

Each file is built in the test (no fixtures on disk): an XLSX whose <dimension> lies,
200,000 honest rows (with and without a <dimension>), two million shared strings in 84 KB,
one shared string of 60 MB, a CSV field over 131,072 characters, a malformed
[Content_Types].xml, a damaged sheet, a zip bomb, a zip of many members; each refused
in < 2.5 s.
"""

import io
import resource
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from alliance.models import AllianceMember
from organisations.models import Organisation
from registers import uploads

pytestmark = pytest.mark.django_db
URL = "organisations:organisation-import"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "xl/worksheets/sheet1.xml"
SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def small_xlsx(rows=(("name", "country", "kind"), ("Tknika", "ES", "vet"))):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def replace_parts(data, replacements):
    """The XLSX ``data`` with some of its zip members replaced (``{member name: content}``)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replacements.get(info.filename, source.read(info.filename)))
        for name in set(replacements) - set(source.namelist()):  # new parts
            target.writestr(name, replacements[name])
    return out.getvalue()


def sheet_xml(rows, dimension):
    body = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>Org {i}</t></is></c>'
                   f'<c r="B{i}" t="inlineStr"><is><t>ES</t></is></c>'
                   f'<c r="C{i}" t="inlineStr"><is><t>vet</t></is></c></row>' for i in range(2, rows + 2))
    header = ('<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c>'
              '<c r="B1" t="inlineStr"><is><t>country</t></is></c>'
              '<c r="C1" t="inlineStr"><is><t>kind</t></is></c></row>')
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {SHEET_NS}><dimension ref="{dimension}"/>'
            f"<sheetData>{header}{body}</sheetData></worksheet>").encode()


def shared_strings(body):
    """An XLSX whose shared strings are ``body`` (bytes of <si> elements), deflated (as Excel writes),
    declared in [Content_Types].xml as Excel declares them (openpyxl reads them all when it opens the file)."""
    xml = (b'<?xml version="1.0" encoding="UTF-8"?><sst ' + SHEET_NS.encode() + b">" + body + b"</sst>")
    base = small_xlsx()
    with zipfile.ZipFile(io.BytesIO(base)) as source:
        types = source.read("[Content_Types].xml").replace(b"</Types>", (
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    return replace_parts(base, {"[Content_Types].xml": types, "xl/sharedStrings.xml": xml})


def two_million_shared_strings():
    return shared_strings(b"<si><t>a</t></si>" * 2_000_000)


def one_sixty_megabyte_string():
    return shared_strings(b"<si><t>" + b"a" * (60 * 1024 * 1024) + b"</t></si>")


def two_hundred_thousand_rows_without_dimension():
    return replace_parts(small_xlsx(), {SHEET: sheet_xml(200_000, "A1").replace(b'<dimension ref="A1"/>', b"")})


def dimension_lie():
    return replace_parts(small_xlsx(), {SHEET: sheet_xml(3, "A1:XFD1048576")})


def two_hundred_thousand_rows():
    return replace_parts(small_xlsx(), {SHEET: sheet_xml(200_000, "A1:C200001")})


def malformed_content_types():
    return replace_parts(small_xlsx(), {"[Content_Types].xml": b"<?xml version='1.0'?><Types><Default Extension="})


def damaged_sheet():
    return replace_parts(small_xlsx(), {SHEET: (
        f'<?xml version="1.0"?><worksheet {SHEET_NS}><sheetData><row r="1"><c r="A1"><v>1</v></row>').encode()})


def zip_bomb():
    """An XLSX whose sheet unpacks to 200 MB of spaces (a few hundred KB packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(small_xlsx())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != SHEET:
                target.writestr(info.filename, source.read(info.filename))
        with target.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(f'<?xml version="1.0"?><worksheet {SHEET_NS}><sheetData>'.encode())
            chunk = b" " * (1024 * 1024)
            for _ in range(200):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def many_members():
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(small_xlsx())) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        for i in range(5000):
            target.writestr(f"xl/media/padding{i}.bin", b"")
    return out.getvalue()


def long_csv_field():
    return b"name,country,note\nTknika,ES," + b"x" * 140_000 + b"\n"


HOSTILE = [
    ("dimension A1:XFD1048576 lie", dimension_lie, "orgs.xlsx", None),
    ("200,000 rows", two_hundred_thousand_rows, "orgs.xlsx", "at most 20,000 rows"),
    ("200,000 rows without <dimension>", two_hundred_thousand_rows_without_dimension, "orgs.xlsx",
     "at most 20,000 rows"),
    ("2,000,000 shared strings", two_million_shared_strings, "orgs.xlsx", "more than 100,000 different texts"),
    ("one 60 MB shared string", one_sixty_megabyte_string, "orgs.xlsx", "longer than a cell may hold"),
    ("CSV field > 131,072 characters", long_csv_field, "orgs.csv", "longer than 32,768 characters"),
    ("malformed [Content_Types].xml", malformed_content_types, "orgs.xlsx", "cannot be read"),
    ("damaged sheet XML", damaged_sheet, "orgs.xlsx", "cannot be read"),
    ("zip bomb", zip_bomb, "orgs.xlsx", "zip bomb"),
    ("5,000 zip members", many_members, "orgs.xlsx", "at most 200 are accepted"),
]


def post_measured(client, name, content):
    """POST the file to the import preview twice: timed, then with its memory traced (tracing slows
    Python down several times); return (response, peak extra bytes, seconds)."""
    client.get(reverse(URL))  # warm up: URL conf, templates (the first request of a process pays for them)
    started = time.perf_counter()
    client.post(reverse(URL), {"file": SimpleUploadedFile(name, content, content_type=XLSX)})
    elapsed = time.perf_counter() - started
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    try:
        response = client.post(reverse(URL), {"file": SimpleUploadedFile(name, content, content_type=XLSX)})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before
    return response, max(peak, rss_growth), elapsed


@pytest.mark.parametrize("label, build, name, message", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_file_is_refused_with_a_clear_error(manager_client, label, build, name, message):
    organisations = Organisation.objects.count()
    response, extra, elapsed = post_measured(manager_client, name, build())
    assert response.status_code == 200
    if message is None:
        # The lie is ignored: the three real rows are read and previewed.
        assert response.context["total"] == 3
        assert not response.context["form"].errors
    else:
        errors = " ".join(response.context["form"].errors["file"])
        assert message in errors, errors
    assert extra < 100 * 1024 * 1024, f"{label}: {extra / 2**20:.0f} MB"
    assert elapsed < 2.5, f"{label}: {elapsed:.1f} s"
    assert Organisation.objects.count() == organisations and AllianceMember.objects.count() == 0


def test_row_limit_is_checked_while_reading_not_after():
    rows = [["name"]] + [[f"Org {i}"] for i in range(30)]
    upload = SimpleUploadedFile("orgs.csv", "\n".join(",".join(r) for r in rows).encode())
    with pytest.raises(uploads.UploadError, match="at most 10 rows"):
        uploads.read_table(upload, max_rows=10)
    upload.seek(0)
    assert len(uploads.read_table(upload, max_rows=30)) == 31


def test_an_xlsx_at_the_limit_is_read_and_one_more_row_is_refused():
    data = replace_parts(small_xlsx(), {SHEET: sheet_xml(20_000, "A1:B2")})
    assert len(uploads.read_table(SimpleUploadedFile("o.xlsx", data))) == 20_001
    data = replace_parts(small_xlsx(), {SHEET: sheet_xml(20_001, "A1:B2")})
    with pytest.raises(uploads.UploadError, match="at most 20,000 rows"):
        uploads.read_table(SimpleUploadedFile("o.xlsx", data))


def test_evidence_zip_bomb_is_refused():
    with pytest.raises(uploads.UploadError, match="zip bomb"):
        uploads.validate_evidence(SimpleUploadedFile("evidence.xlsx", zip_bomb()))


def test_openpyxl_parses_with_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML


def test_the_shared_string_bound_is_exact_and_counts_prefixed_tags(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_SHARED_STRINGS", 3)
    uploads.prescan_xlsx(SimpleUploadedFile("o.xlsx", shared_strings(b"<si><t>a</t></si>" * 3)))
    for body in (b"<si><t>a</t></si>" * 4, b"<x:si><x:t>a</x:t></x:si>" * 4):
        with pytest.raises(uploads.UploadError, match="more than 3 different texts"):
            uploads.prescan_xlsx(SimpleUploadedFile("o.xlsx", shared_strings(body)))


def test_a_cell_at_excels_limit_is_accepted():
    text = "é" * 32_767  # two bytes each in UTF-8
    data = replace_parts(small_xlsx(), {SHEET: (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet {SHEET_NS}><sheetData><row r="1">'
        f'<c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row></sheetData></worksheet>').encode()})
    assert uploads.read_table(SimpleUploadedFile("o.xlsx", data))[0][0] == text
