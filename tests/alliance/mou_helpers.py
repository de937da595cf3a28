"""Shared bits of the MoU tests: a valid form submission, files on disk."""

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.alliance.pdf_samples import make_pdf


def pdf_upload(name="signed-mou.pdf", content=None, content_type="application/pdf"):
    return SimpleUploadedFile(name, make_pdf() if content is None else content, content_type=content_type)


def mou_post_data(counterpart=None, **overrides):
    data = {
        "title": "MoU on robotics training",
        "scope": "Joint courses on collaborative robots.",
        "areas": "robotics, additive manufacturing",
        "signed_on": "2024-03-01",
        "valid_until": "2027-03-01",
        "signatories": "Ana Etxeberria, Director\nJohn Smith, CEO",
        "document": pdf_upload(),
    }
    if counterpart is not None:
        data["counterpart"] = counterpart.pk
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def stored_files():
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
