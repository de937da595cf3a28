"""Hostile files are refused cheaply: a clear form error and < 100 MB extra memory, never a 500.

Each file is built in the test (no fixtures on disk): an XLSX whose <dimension> lies,
200,000 honest rows, a CSV field over 131,072 characters, a malformed
[Content_Types].xml, a damaged sheet, a zip bomb, a zip of many members.
"""

import io
import resource
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
    ("CSV field > 131,072 characters", long_csv_field, "orgs.csv", "longer than 32,768 characters"),
    ("malformed [Content_Types].xml", malformed_content_types, "orgs.xlsx", "cannot be read"),
    ("damaged sheet XML", damaged_sheet, "orgs.xlsx", "cannot be read"),
    ("zip bomb", zip_bomb, "orgs.xlsx", "zip bomb"),
    ("5,000 zip members", many_members, "orgs.xlsx", "at most 200 are accepted"),
]


def post_measured(client, upload):
    """POST the upload to the import preview; return (response, peak extra bytes)."""
    client.get(reverse(URL))  # warm up: URL conf, templates (the first request of a process pays for them)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    try:
        response = client.post(reverse(URL), {"file": upload})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before
    return response, max(peak, rss_growth)


@pytest.mark.parametrize("label, build, name, message", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_file_is_refused_with_a_clear_error(manager_client, label, build, name, message):
    upload = SimpleUploadedFile(name, build(), content_type=XLSX)
    organisations = Organisation.objects.count()
    response, extra = post_measured(manager_client, upload)
    assert response.status_code == 200
    if message is None:
        # The lie is ignored: the three real rows are read and previewed.
        assert response.context["total"] == 3
        assert not response.context["form"].errors
    else:
        errors = " ".join(response.context["form"].errors["file"])
        assert message in errors, errors
    assert extra < 100 * 1024 * 1024, f"{label}: {extra / 2**20:.0f} MB"
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
