"""The PDF check: by content (header and end marker) and size, never by name or claimed type."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from registers.uploads import display_filename, validate_pdf
from tests.alliance.pdf_samples import make_pdf


def upload(content, name="mou.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_it_accepts_a_small_valid_pdf():
    validate_pdf(upload(make_pdf()))


def test_it_leaves_the_file_at_its_start_for_whoever_saves_it():
    document = upload(make_pdf())
    validate_pdf(document)
    assert document.read(5) == b"%PDF-"


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty"),
    (b"Just some text, renamed to .pdf\n", "not a PDF"),
    (b"<!doctype html><html><body>%PDF-1.4</body></html>", "not a PDF"),
    (b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n", "%%EOF"),
    (make_pdf()[:-100], "%%EOF"),
    (b"%PDF\n%%EOF\n", "not a PDF"),
])
def test_it_refuses_what_is_not_a_whole_pdf(content, message):
    with pytest.raises(ValidationError) as error:
        validate_pdf(upload(content))
    assert message in " ".join(error.value.messages)


@pytest.mark.parametrize("content", [
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
    b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\nstartxref\n0\n%%EOF",
    b"%PDF-2.0\n%%EOF\r\n\x00",
])
def test_it_accepts_a_hand_made_pdf_without_a_cross_reference_table(content):
    # PDF readers open these (they rebuild the table); only the header and the end marker are required.
    validate_pdf(upload(content))


def test_it_refuses_a_file_over_the_limit(settings):
    settings.MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    with pytest.raises(ValidationError) as error:
        validate_pdf(upload(make_pdf(padding=11 * 1024 * 1024)))
    assert error.value.messages == ["The file is 11.0 MB; a document may be at most 10 MB."]


def test_the_limit_is_inclusive(settings):
    content = make_pdf(padding=2000)
    settings.MAX_UPLOAD_BYTES = len(content)
    validate_pdf(upload(content))
    settings.MAX_UPLOAD_BYTES = len(content) - 1
    with pytest.raises(ValidationError):
        validate_pdf(upload(content))


@pytest.mark.parametrize(("name", "shown"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
    ("report", "report.pdf"),
    ("../", "document.pdf"),
    (".hidden.pdf", "hidden.pdf"),
    ("a\x00b\nc.pdf", "abc.pdf"),
])
def test_the_uploaded_name_is_reduced_to_a_harmless_display_name(name, shown):
    assert display_filename(name) == shown
