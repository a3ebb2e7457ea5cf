"""Storing files durably: attachments before a submission is acknowledged, previews after."""

import os

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage


def save_durably(name: str, content: bytes, storage: Storage | None = None) -> str:
    """Save ``content`` under ``name`` (or a free variant of it) and make it survive a crash.

    Returns the stored name.
    """
    return save_all_durably([(name, content)], storage)[0]


def save_all_durably(files: list[tuple[str, bytes]], storage: Storage | None = None) -> list[str]:
    """Save several files, then make them all survive a crash; returns the stored names.

    On local disk each file and each folder is fsynced once all are written, so
    that the filesystem flushes its journal about once for the lot; object
    storage has stored an object durably when its PUT returns.
    """
    storage = storage or default_storage
    if not isinstance(storage, FileSystemStorage):
        return [storage.save(name, ContentFile(content)) for name, content in files]
    new_folders: set[str] = set()
    written = [_write_new_file(storage, name, content, new_folders) for name, content in files]
    try:
        for _name, descriptor in written:
            os.fsync(descriptor)
    finally:
        for _name, descriptor in written:
            os.close(descriptor)
    # The folders that hold new names: each file's own, and the parent of a folder made now.
    folders = {os.path.dirname(storage.path(name)) for name, _d in written}
    folders |= {os.path.dirname(folder) for folder in new_folders}
    for folder in sorted(folders, reverse=True):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    return [name for name, _descriptor in written]


def _write_new_file(
    storage: FileSystemStorage, name: str, content: bytes, new_folders: set[str]
) -> tuple[str, int]:
    """Write a new file (never over another) with one open and one write; the descriptor
    stays open for the fsync. A taken name gets a free variant, as Storage.save does."""
    name = storage.generate_filename(name)
    while True:
        path = storage.path(name)  # refuses a name that would leave the storage's folder
        folder = os.path.dirname(path)
        try:
            os.mkdir(folder)
            new_folders.add(folder)
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)  # rare: a new questionnaire's first file
            new_folders.update({folder, os.path.dirname(folder)})
        mode = storage.file_permissions_mode or 0o644
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        except FileExistsError:
            name = storage.get_available_name(name)
            continue
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(descriptor, view) :]
        except BaseException:
            os.close(descriptor)
            os.unlink(path)
            raise
        return name, descriptor
