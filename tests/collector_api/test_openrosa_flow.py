"""ODK Collect's side, through ../shared/odk-client against a live test server."""

import pytest

from intake.models import Attachment, Submission
from tests.odk import fill
from tests.openrosa_fixtures import household_answers

pytestmark = pytest.mark.odk


def _fetch_and_fill(collector, tmp_path, answers, name="instance"):
    forms_dir = tmp_path / "forms"
    fetched = collector.fetch("household", forms_dir)
    assert fetched.returncode == 0, fetched.stderr
    instance = tmp_path / name
    filled = fill(forms_dir, answers, instance)
    assert filled.returncode == 0, filled.stderr
    return forms_dir, instance


def test_the_form_list_holds_only_deployed_forms_with_hash_and_manifest(collector):
    result = collector.forms()
    assert result.returncode == 0, result.stderr
    forms = result.json["forms"]
    assert [f["formID"] for f in forms] == ["household"]
    assert forms[0]["hash"].startswith("md5:")
    assert forms[0]["manifestUrl"].endswith("/forms/household/1/manifest")


def test_fetch_checks_every_hash_and_gets_the_generated_area_list(collector, tmp_path):
    result = collector.fetch("household", tmp_path / "forms")
    assert result.returncode == 0, result.stderr
    areas = (tmp_path / "forms" / "household-media" / "srs_areas.csv").read_text()
    assert "35.07.13.2011,Talangagung,village,35.07.13" in areas
    assert "35.07.33" not in areas  # Pagelaran is not in the deployment


def test_a_household_with_photos_and_gps_is_stored_once_even_when_sent_twice(
    collector, tmp_path, photos
):
    _forms, instance = _fetch_and_fill(collector, tmp_path, household_answers(photos))
    first = collector.submit(instance)
    assert first.returncode == 0, first.stderr
    again = collector.submit(instance)
    assert again.returncode == 0, again.stderr
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.COMPLETE
    assert submission.area_id == "35.07.13.2011"
    assert submission.submitted_by.username == "agent"
    assert submission.device_id == "odk-client"
    assert sorted(Attachment.objects.values_list("filename", flat=True)) == ["house.jpg", "ktp.jpg"]
    assert bytes(submission.xml) == (instance / "submission.xml").read_bytes()
    submission.refresh_from_db()
    assert [m["name"] for m in submission.answers["members"]] == ["Siti Aminah", "Budi", "Ani"]


def test_changed_xml_with_the_same_instance_id_is_refused_and_the_first_kept(
    collector, tmp_path, photos
):
    _forms, instance = _fetch_and_fill(collector, tmp_path, household_answers(photos))
    assert collector.submit(instance).returncode == 0
    xml_path = instance / "submission.xml"
    original = xml_path.read_bytes()
    xml_path.write_bytes(original.replace(b"Siti Aminah", b"Someone Else", 1))
    result = collector.submit(instance)
    assert result.returncode == 1
    assert "409" in result.stderr and "first one is kept" in result.stderr
    assert bytes(Submission.objects.get().xml) == original


def test_a_split_submission_is_complete_only_when_all_parts_arrived(
    collector, tmp_path, photos, settings
):
    settings.SRS_SUBMISSION_MAX_BYTES = 12_000  # each photo fits, both together do not
    assert (
        max(p.stat().st_size for p in photos.values())
        < 10_000
        < sum(p.stat().st_size for p in photos.values())
    )
    _forms, instance = _fetch_and_fill(collector, tmp_path, household_answers(photos))
    result = collector.submit(instance)
    assert result.returncode == 0, result.stderr
    assert len(result.json["posts"]) == 2
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.COMPLETE
    assert submission.attachments.count() == 2


def test_an_edit_becomes_a_new_version_of_the_same_submission(collector, tmp_path, photos):
    forms_dir, instance = _fetch_and_fill(collector, tmp_path, household_answers(photos))
    assert collector.submit(instance).returncode == 0
    edited = tmp_path / "edited"
    result = fill(forms_dir, {"hh_head_name": "Siti A."}, edited, "--edit", str(instance))
    assert result.returncode == 0, result.stderr
    sent = collector.submit(edited)
    assert sent.returncode == 0, sent.stderr
    old, new = Submission.objects.order_by("received_at")
    assert new.supersedes_id == old.pk and new.deprecated_id == old.instance_id
    assert not Submission.objects.get(pk=old.pk).is_current and new.is_current
    # The photos were not sent again: the edit keeps the earlier files.
    assert sorted(new.attachments.values_list("filename", flat=True)) == ["house.jpg", "ktp.jpg"]
    # Editing the old version again is a conflict.
    again = tmp_path / "edited-again"
    fill(forms_dir, {"hh_head_name": "Other"}, again, "--edit", str(instance))
    refused = collector.submit(again)
    assert refused.returncode == 1 and "409" in refused.stderr


def test_a_village_outside_her_areas_is_refused(collector, tmp_path, photos):
    _forms, instance = _fetch_and_fill(
        collector, tmp_path, household_answers(photos, village="35.07.13.2001")
    )
    result = collector.submit(instance)
    assert result.returncode == 1
    assert "403" in result.stderr and "35.07.13.2001" in result.stderr
    assert Submission.objects.count() == 0 and Attachment.objects.count() == 0


def test_a_non_image_where_a_photo_is_declared_is_refused(collector, tmp_path, photos):
    _forms, instance = _fetch_and_fill(collector, tmp_path, household_answers(photos))
    (instance / "house.jpg").write_bytes(b"this is not a picture")
    result = collector.submit(instance)
    assert result.returncode == 1 and "400" in result.stderr
    assert Submission.objects.count() == 0


def test_a_missing_attachment_is_refused(collector, tmp_path, photos):
    _forms, instance = _fetch_and_fill(collector, tmp_path, household_answers(photos))
    (instance / "ktp.jpg").unlink()
    result = collector.submit(instance)
    assert result.returncode == 1 and "ktp.jpg" in result.stderr
    assert Submission.objects.count() == 0


def test_wrong_password_gets_401(collector):
    collector.password = "wrong"
    result = collector.forms()
    assert result.returncode == 1 and "401" in result.stderr


def test_an_agent_of_another_kecamatan_gets_no_forms(collector, openrosa_setup):
    from tests.factories import make_user

    other = make_user("pagelaran_agent", "field_agent", ["35.07.33.2007"])
    other.set_password("pw-pagelaran-1")
    other.save()
    collector.username, collector.password = "pagelaran_agent", "pw-pagelaran-1"
    result = collector.forms()
    assert result.returncode == 0, result.stderr
    assert result.json["forms"] == []
