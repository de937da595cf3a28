"""PDFs with active content are refused before they are stored: "print it to PDF again"."""

import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alliance.models import MoU
from registers import pdf
from registers.uploads import validate_pdf
from tests.alliance.mou_helpers import mou_post_data, stored_files
from tests.alliance.pdf_samples import make_pdf
from tests.factories import OrganisationFactory


def with_object(body):
    """A PDF with an extra object ``body`` before its cross-reference table."""
    plain = make_pdf()
    cut = plain.index(b"xref")
    return plain[:cut] + b"9 0 obj\n" + body + b"\nendobj\n" + plain[cut:]


def flate_stream(content):
    packed = zlib.compress(content)
    return b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed) + packed + \
        b"\nendstream"


def upload(content):
    return SimpleUploadedFile("mou.pdf", content, content_type="application/pdf")


HOSTILE = {
    "javascript": with_object(b"<< /S /JavaScript /JS (app.alert(1)) >>"),
    "js only": with_object(b"<< /JS 5 0 R >>"),
    "open action": with_object(b"<< /Type /Catalog /OpenAction 10 0 R >>"),
    "launch": with_object(b"<< /S /Launch /F (cmd.exe) >>"),
    "hex-escaped name": with_object(b"<< /S /J#61vaScript /J#53 (x) >>"),
    "inside an object stream": with_object(flate_stream(b"1 0 << /S /JavaScript /JS (app.alert(1)) >>")),
    "html polyglot": with_object(b"(<html><script>alert(1)</script></html>)"),
}


@pytest.mark.parametrize("content", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_pdf_with_active_content_is_refused(content):
    with pytest.raises(ValidationError) as refused:
        validate_pdf(upload(content))
    assert "Print it to PDF again" in refused.value.messages[0]


@pytest.mark.parametrize("content", [
    make_pdf(),
    with_object(b"<< /Type /Annot /Subtype /Link /A << /S /URI /URI (https://example.org) >> >>"),
    with_object(b"<< /JSON (not a script) /Title (Launching the JavaScript course) >>"),
    with_object(flate_stream(b"BT /F1 12 Tf (Hello) Tj ET")),
], ids=["plain", "link", "harmless names and text", "compressed text"])
def test_a_plain_pdf_is_accepted(content):
    validate_pdf(upload(content))


def test_decompression_is_bounded(monkeypatch):
    monkeypatch.setattr(pdf, "MAX_INFLATED_BYTES", 1000)
    with pytest.raises(ValidationError) as refused:
        validate_pdf(upload(with_object(flate_stream(b"0" * 5000))))
    assert "expands to more than" in refused.value.messages[0]


def test_the_mou_form_refuses_it_and_stores_nothing(partner_client):
    counterpart = OrganisationFactory(kind="company")
    data = mou_post_data(counterpart, document=upload(HOSTILE["inside an object stream"]))
    response = partner_client.post(reverse("alliance:mou-create"), data)
    assert response.status_code == 400
    assert "Print it to PDF again" in response.content.decode()
    assert not MoU.objects.exists() and stored_files() == []


def test_the_api_refuses_it_under_document(partner_client):
    from tests.api.test_mous import LIST, submission

    response = partner_client.post(LIST, {**submission(), "document": upload(HOSTILE["launch"])})
    assert response.status_code == 400
    assert "Print it to PDF again" in response.json()["document"][0]


def test_documents_are_still_served_as_attachments_with_nosniff(manager_client, partner_client):
    partner_client.post(reverse("alliance:mou-create"), mou_post_data(OrganisationFactory(kind="company")))
    response = manager_client.get(reverse("alliance:mou-document", args=[MoU.objects.get().pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_evidence_of_a_reported_value_is_scanned_too(manager_client, organisation):
    from indicators.models import Indicator, Report
    from tests.factories import IndicatorFactory

    indicator = IndicatorFactory(code="reported-thing", source=Indicator.Source.REPORTED)
    evidence = SimpleUploadedFile("list.pdf", HOSTILE["javascript"], content_type="application/pdf")
    response = manager_client.post(reverse("indicators:report-create"), {
        "indicator": indicator.pk, "organisation": organisation.pk, "as_of": "2024-06-30", "value": "3",
        "evidence_file": evidence})
    assert response.status_code == 200
    assert "Print it to PDF again" in response.content.decode()
    assert not Report.objects.exists()
