"""Storage for uploaded documents: outside STATIC_ROOT and MEDIA_ROOT, never served directly.

Files are read back only through permission-checked views that answer with
``Content-Disposition: attachment``.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """FileSystemStorage rooted at PRIVATE_MEDIA_ROOT, read at each use (tests override it)."""

    def __init__(self):
        super().__init__(base_url=None, file_permissions_mode=0o640, directory_permissions_mode=0o750)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a permission-checked view.")


_private_storage = PrivateStorage()


def private_storage():
    """A callable, so migrations do not record the path of this machine."""
    return _private_storage
