"""PDFs with active content are refused before they are stored: "print it to PDF again".

The corpus (``hostile_pdfs``) holds the audit's three bypasses (an embedded .exe, JavaScript
in an ``/OpenAction`` inside an object stream encoded ``[/ASCIIHexDecode /FlateDecode]``, an
XFA ``<script>`` in a Flate stream) and the classic ones; each is refused through the MoU form,
the API and the evidence of a reported value, within a second and 50 MB.
"""

import resource
import time
import tracemalloc
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alliance.models import MoU
from registers import pdf
from registers.uploads import validate_evidence, validate_pdf
from tests.alliance.mou_helpers import mou_post_data, stored_files
from tests.alliance.pdf_samples import make_pdf
from tests.factories import OrganisationFactory
from tests.registers import hostile_pdfs

HOSTILE = hostile_pdfs.hostile()
CLEAN = hostile_pdfs.clean()


def with_object(body):
    """A PDF with an extra object ``body`` before its cross-reference table."""
    plain = make_pdf()
    cut = plain.index(b"xref")
    return plain[:cut] + b"9 0 obj\n" + body + b"\nendobj\n" + plain[cut:]


def upload(content, name="mou.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def refusal(check, content):
    with pytest.raises(ValidationError) as refused:
        check(upload(content))
    return refused.value.messages[0]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_pdf_with_active_content_is_refused_within_a_second_and_50_mb(name):
    content = HOSTILE[name]
    tracemalloc.start()
    started = time.perf_counter()
    try:
        message = refusal(validate_pdf, content)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "Print it to PDF again" in message
    assert elapsed < 1.0
    assert peak < 50 * 1024 * 1024


def test_the_bomb_is_refused_without_being_inflated():
    # Its 200 MB of zeros would show in the process's peak; the bound is 16 MB a stream.
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    message = refusal(validate_pdf, HOSTILE["flate bomb"])
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before  # kilobytes on Linux
    assert "expands to more than" in message
    assert grown < 50 * 1024


@pytest.mark.parametrize("chain", [
    ("/ASCIIHexDecode", "/FlateDecode"), ("/ASCII85Decode", "/FlateDecode"), ("/LZWDecode",),
    ("/RunLengthDecode",), ("/ASCII85Decode", "/LZWDecode", "/RunLengthDecode"), ("/FlateDecode", "/FlateDecode"),
])
def test_javascript_is_found_through_every_filter_chain(chain):
    content = hostile_pdfs.build(b"/Pages 2 0 R /OpenAction 5 0 R", packed={5: hostile_pdfs.JAVASCRIPT}, chain=chain)
    assert "/JavaScript" in refusal(validate_pdf, content)


@pytest.mark.parametrize("content", [
    with_object(b"<< /S /JavaScript /JS (app.alert(1)) >>"),
    with_object(b"<< /JS 5 0 R >>"),
    with_object(b"<< /S /Launch /F (cmd.exe) >>"),
    with_object(b"<< /S /J#61vaScript /J#53 (x) >>"),
    with_object(b"(<html><script>alert(1)</script></html>)"),
    with_object(b"<< /Type /EmbeddedFile >>"),
    with_object(b"<< /XFA [(template) 5 0 R] >>"),
], ids=["javascript", "js only", "launch", "hex-escaped name", "html polyglot", "embedded file", "xfa"])
def test_active_names_are_refused_even_in_a_table_less_file(content):
    assert "Print it to PDF again" in refusal(validate_pdf, content)


@pytest.mark.parametrize("name", CLEAN)
def test_a_clean_pdf_is_accepted(name):
    validate_pdf(upload(CLEAN[name]))


@pytest.mark.parametrize("content", [
    make_pdf(),
    with_object(b"<< /Type /Annot /Subtype /Link /A << /S /URI /URI (https://example.org) >> >>"),
    with_object(b"<< /JSON (not a script) /Title (Launching the JavaScript course) >>"),
    with_object(b"<< /Type /Catalog /OpenAction [3 0 R /Fit] >>"),
], ids=["plain", "link", "harmless names and text", "open at a page"])
def test_a_plain_pdf_is_accepted(content):
    validate_pdf(upload(content))


def test_an_image_is_not_decoded():
    # A scan's pixels can be hundreds of megabytes once inflated; they run nothing.
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(bytes(1024 * 1024)) for _ in range(40)) + packer.flush()
    image = (b"<< /Type /XObject /Subtype /Image /Width 4096 /Height 10240 /ColorSpace /DeviceGray "
             b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % len(pixels) + pixels + b"\nendstream")
    validate_pdf(upload(hostile_pdfs.build(objects={9: image})))


def test_a_stream_over_the_bound_is_refused(monkeypatch):
    monkeypatch.setattr(pdf, "MAX_STREAM_BYTES", 1000)
    message = refusal(validate_pdf, hostile_pdfs.build(objects={9: hostile_pdfs.stream(b"0" * 5000)}))
    assert "expands to more than" in message


def test_the_decoded_total_is_bounded(monkeypatch):
    monkeypatch.setattr(pdf, "MAX_DECODED_BYTES", 8000)
    objects = {number: hostile_pdfs.stream(b"0" * 3000) for number in range(9, 13)}
    assert "expands to more than" in refusal(validate_pdf, hostile_pdfs.build(objects=objects))


def test_the_object_count_is_bounded(monkeypatch):
    monkeypatch.setattr(pdf, "MAX_OBJECTS", 5)
    objects = {number: b"<< /Title (x) >>" for number in range(9, 20)}
    assert "too complex" in refusal(validate_pdf, hostile_pdfs.build(objects=objects))


def test_deep_nesting_is_an_answer_not_a_crash():
    assert "/Launch" in refusal(validate_pdf, with_object(b"[" * 5000 + b"/S /Launch" + b"]" * 5000))
    assert "too complex" in refusal(validate_pdf, with_object(b"[" * 200 + b"]" * 200))


def test_an_unreadable_object_stream_is_refused():
    broken = b"<< /Type /ObjStm /N 1 /First 4 /Filter /LZWDecode /Length 7 >>\nstream\n\xff\xff\xff\xff\xff\xff\xff\nendstream"
    assert "cannot be read" in refusal(validate_pdf, hostile_pdfs.build(objects={9: broken}))


@pytest.mark.parametrize("name", ["embedded exe", "open action in a hex+flate object stream",
                                  "xfa script in a flate stream", "flate bomb"])
def test_the_mou_form_refuses_it_and_stores_nothing(partner_client, name):
    counterpart = OrganisationFactory(kind="company")
    data = mou_post_data(counterpart, document=upload(HOSTILE[name]))
    response = partner_client.post(reverse("alliance:mou-create"), data)
    assert response.status_code == 400
    assert "Print it to PDF again" in response.content.decode()
    assert not MoU.objects.exists() and stored_files() == []


@pytest.mark.parametrize("name", ["embedded exe", "open action in a hex+flate object stream",
                                  "xfa script in a flate stream", "flate bomb"])
def test_the_api_refuses_it_under_document(partner_client, name):
    from tests.api.test_mous import LIST, submission

    response = partner_client.post(LIST, {**submission(), "document": upload(HOSTILE[name])})
    assert response.status_code == 400
    assert "Print it to PDF again" in response.json()["document"][0]
    assert not MoU.objects.exists()


@pytest.mark.parametrize("name", HOSTILE)
def test_evidence_is_checked_by_the_same_module(name):
    assert "Print it to PDF again" in refusal(lambda file: validate_evidence(file), HOSTILE[name])


def test_evidence_of_a_reported_value_is_refused_through_the_form(manager_client, organisation):
    from indicators.models import Indicator, Report
    from tests.factories import IndicatorFactory

    indicator = IndicatorFactory(code="reported-thing", source=Indicator.Source.REPORTED)
    evidence = SimpleUploadedFile("list.pdf", HOSTILE["embedded exe"], content_type="application/pdf")
    response = manager_client.post(reverse("indicators:report-create"), {
        "indicator": indicator.pk, "organisation": organisation.pk, "as_of": "2024-06-30", "value": "3",
        "evidence_file": evidence})
    assert response.status_code == 200
    assert "Print it to PDF again" in response.content.decode()
    assert not Report.objects.exists()


def test_documents_are_still_served_as_attachments_with_nosniff(manager_client, partner_client):
    partner_client.post(reverse("alliance:mou-create"), mou_post_data(OrganisationFactory(kind="company")))
    response = manager_client.get(reverse("alliance:mou-document", args=[MoU.objects.get().pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
