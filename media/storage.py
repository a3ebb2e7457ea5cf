"""Storing attachment bytes durably before a submission is acknowledged."""

import os

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage


def save_durably(name: str, content: bytes, storage: Storage | None = None) -> str:
    """Save ``content`` under ``name`` (or a free variant of it) and make it survive a crash.

    On local disk the file and its folder are fsynced; object storage has
    stored the object durably when its PUT returns. Returns the stored name.
    """
    storage = storage or default_storage
    stored = storage.save(name, ContentFile(content))
    if isinstance(storage, FileSystemStorage):
        path = storage.path(stored)
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        folder = os.open(os.path.dirname(path), os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    return stored
