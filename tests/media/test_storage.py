"""Files are written once, never over another, and only inside the media folder."""

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage

from media.storage import save_all_durably, save_durably


def test_a_taken_name_gets_a_free_variant_and_nothing_is_overwritten(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    first = save_durably("submissions/1/uuid_a/house.jpg", b"first", storage)
    second = save_durably("submissions/1/uuid_a/house.jpg", b"second", storage)
    assert first == "submissions/1/uuid_a/house.jpg"
    assert second != first and second.startswith("submissions/1/uuid_a/house")
    assert (tmp_path / first).read_bytes() == b"first"
    assert (tmp_path / second).read_bytes() == b"second"


def test_several_files_are_saved_in_new_and_old_folders(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    names = save_all_durably(
        [("a/b/one.jpg", b"1" * 300_000), ("a/b/two.jpg", b"2"), ("a/c/three.jpg", b"3")],
        storage,
    )
    assert names == ["a/b/one.jpg", "a/b/two.jpg", "a/c/three.jpg"]
    assert (tmp_path / "a/b/one.jpg").read_bytes() == b"1" * 300_000
    assert (tmp_path / "a/c/three.jpg").read_bytes() == b"3"


def test_a_name_leaving_the_media_folder_is_refused(tmp_path):
    storage = FileSystemStorage(location=tmp_path / "media")
    with pytest.raises(SuspiciousFileOperation):
        save_durably("submissions/../../outside.jpg", b"x", storage)
    assert not (tmp_path / "outside.jpg").exists()
