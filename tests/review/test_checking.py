"""The automatic checks of processed submissions: items, findings, duplicates, the sweep."""

import pytest
from django.core.management import call_command

from audit.models import AuditRecord
from intake.models import Submission
from intake.processing import process_submission
from review.checking import (
    CHECKS_VERSION,
    check_submissions,
    check_unchecked_submissions,
    recheck,
)
from review.models import Decision, Finding, PersonKey, PhotoHash, ReviewItem
from tests.review.checking_setup import *  # noqa: F403 (the fixtures)
from tests.review.checking_setup import send_checked, send_processed
from tests.review.review_households import Household, house_photo, send_household

SLAMET = ("Slamet Riyadi", "3507130203650004", "male", "1965-03-02")


def _checks(item: ReviewItem) -> set[tuple[str, str, int | None]]:
    return {(f.check_name, f.field, f.member_index) for f in Finding.objects.filter(item=item)}


def test_a_processed_submission_is_checked_after_the_commit_through_intake_s_signal(
    agent, settings, django_capture_on_commit_callbacks
):
    settings.SRS_PROCESS_IN_REQUEST = False
    submission = send_household(agent, Household(instance="budi"))
    with django_capture_on_commit_callbacks(execute=True):
        process_submission(submission_id=submission.pk)

    item = ReviewItem.objects.get(submission=submission)
    assert item.state == ReviewItem.State.RECEIVED and item.version == 1
    assert (item.kecamatan_code, item.village_code, item.area_id) == (
        "35.07.13",
        "35.07.13.2011",
        "35.07.13.2011",
    )
    assert (item.head_name, item.head_nik, item.kk_number) == (
        "Budi Santoso",
        "3507131708800001",
        "3507130101090001",
    )
    assert item.head_name_key and item.agent == agent
    assert item.received_at == submission.received_at
    assert item.checks_version == CHECKS_VERSION and item.checked_at is not None
    assert item.location is not None
    assert (round(item.location.y, 4), round(item.location.x, 4)) == (-8.1307, 112.5712)
    assert item.location_accuracy_m == 5
    assert item.questionnaire_id == submission.questionnaire_id
    # The head's NIK (head/hh_head_nik and the head's member row) is kept for the searches.
    assert set(PersonKey.objects.filter(item=item).values_list("nik", "member_index")) == {
        ("3507131708800001", None),
        ("3507131708800001", 0),
    }
    assert PhotoHash.objects.filter(item=item, filename="house.jpg").count() == 1


def test_on_the_embedded_default_the_request_checks_what_it_processed(
    agent, settings, django_capture_on_commit_callbacks
):
    settings.SRS_PROCESS_IN_REQUEST = True
    with django_capture_on_commit_callbacks(execute=True):
        submission = send_household(agent, Household(instance="budi"))
    assert ReviewItem.objects.filter(submission=submission).exists()


def test_checking_twice_leaves_one_set_of_findings(agent, settings):
    item = send_checked(
        agent,
        Household(instance="wrong", head=("Budi", "35071317088", "male", "1980-08-17")),
        settings,
    )
    first = (
        Finding.objects.filter(item=item).count(),
        PersonKey.objects.filter(item=item).count(),
        PhotoHash.objects.filter(item=item).count(),
    )
    assert first[0] >= 1 and ("nik.format", "members/nik", 0) in _checks(item)

    assert check_submissions([item.submission_id, item.submission_id]) == 1
    assert recheck(submission_id=item.submission_id) == 1
    assert (
        Finding.objects.filter(item=item).count(),
        PersonKey.objects.filter(item=item).count(),
        PhotoHash.objects.filter(item=item).count(),
    ) == first
    assert ReviewItem.objects.count() == 1
    item.refresh_from_db()
    assert item.findings_count == first[0] and item.worst_severity == 3


def test_a_woman_s_nik_against_a_male_answer_is_told_on_the_member_s_row(agent, settings):
    item = send_checked(
        agent,
        Household(
            instance="sex",
            members=[("Sulastri", "3507134711680005", "male", "1968-11-07", "spouse")],
        ),
        settings,
    )
    assert ("nik.sex", "members/nik", 1) in _checks(item)
    finding = Finding.objects.get(item=item, check_name="nik.sex")
    assert finding.message_id and finding.message_en and finding.severity >= 2


def test_the_same_head_nik_twice_is_a_possible_duplicate_household_and_a_nik_in_the_queue(
    agent, settings
):
    first = send_checked(
        agent, Household(instance="slamet", head=SLAMET, photo=house_photo(3)), settings
    )
    second = send_checked(
        agent,
        Household(
            instance="slamet-again", head=SLAMET, kk="3507130101090003", photo=house_photo(5)
        ),
        settings,
    )
    duplicate = Finding.objects.get(item=second, check_name="household.duplicate")
    assert duplicate.related_item == first and duplicate.field == "head/hh_head_nik"
    in_queue = Finding.objects.filter(item=second, check_name="nik.duplicate_in_queue")
    assert {(f.field, f.member_index, f.related_item_id) for f in in_queue} == {
        ("members/nik", 0, first.pk)
    }
    # The first was checked before the second arrived: it learns of it when checked again.
    assert not Finding.objects.filter(item=first, check_name="household.duplicate").exists()
    recheck(submission_id=first.submission_id)
    assert Finding.objects.get(item=first, check_name="household.duplicate").related_item == second


def test_the_same_kk_is_a_possible_duplicate_household(agent, settings):
    first = send_checked(agent, Household(instance="a", kk="3507130101090009"), settings)
    second = send_checked(
        agent,
        Household(
            instance="b",
            head=("Sri Wahyuni", "3507134404700011", "female", "1970-04-04"),
            kk="3507130101090009",
            gps="-8.1400 112.5800 420 5",
        ),
        settings,
    )
    duplicate = Finding.objects.get(item=second, check_name="household.duplicate")
    assert duplicate.related_item == first and duplicate.field == "head/kk_number"


def test_close_gps_with_a_similar_head_name_is_a_possible_duplicate_household(agent, settings):
    first = send_checked(
        agent,
        Household(
            instance="yusuf", head=("Muhammad Yusuf", "3507131708800021", "male", "1980-08-17")
        ),
        settings,
    )
    second = send_checked(
        agent,
        Household(
            instance="jusuf",
            head=("M. Jusuf", "3507131708800022", "male", "1980-08-17"),
            kk="3507130101090022",
            gps="-8.13072 112.57122 420 5",  # about 3 m away
        ),
        settings,
    )
    duplicate = Finding.objects.get(item=second, check_name="household.duplicate")
    assert duplicate.related_item == first and duplicate.field == "place/gps"
    far = send_checked(
        agent,
        Household(
            instance="jusuf-far",
            head=("M. Jusuf", "3507131708800023", "male", "1980-08-17"),
            kk="3507130101090023",
            gps="-8.1400 112.5800 420 5",  # a kilometre and more
        ),
        settings,
    )
    assert not Finding.objects.filter(item=far, check_name="household.duplicate").exists()


def test_the_same_photo_re_encoded_at_another_size_is_found(agent, settings):
    first = send_checked(agent, Household(instance="p1", photo=house_photo(3)), settings)
    other = send_checked(
        agent,
        Household(
            instance="p2",
            head=("Sri Wahyuni", "3507134404700011", "female", "1970-04-04"),
            kk="3507130101090011",
            photo=house_photo(3, size=(480, 360), quality=60),
        ),
        settings,
    )
    duplicate = Finding.objects.get(item=other, check_name="photo.duplicate")
    assert duplicate.related_item == first and duplicate.field == "house_photo"
    different = send_checked(
        agent,
        Household(
            instance="p3",
            head=("Dewi Sartika", "3507135507790006", "female", "1979-07-15"),
            kk="3507130101090012",
            photo=house_photo(11),
        ),
        settings,
    )
    assert not Finding.objects.filter(item=different, check_name="photo.duplicate").exists()


def test_a_duplicate_in_another_kecamatan_is_told_without_its_data(
    agent, pagelaran_agent, settings
):
    there = send_checked(
        pagelaran_agent,
        Household(
            instance="pagelaran",
            village="35.07.33.2001",
            head=("Slamet Riyadi", "3507130203650004", "male", "1965-03-02"),
        ),
        settings,
    )
    here = send_checked(agent, Household(instance="kepanjen", head=SLAMET), settings)
    findings = list(Finding.objects.filter(item=here, related_item=there))
    assert {f.check_name for f in findings} >= {"household.duplicate", "nik.duplicate_in_queue"}
    village_name = there.area.name
    for finding in findings:
        for text in (finding.message_id, finding.message_en):
            assert village_name not in text and "35.07.33" not in text
            assert str(there.pk) not in text and str(there.submission_id) not in text


def test_an_edit_from_the_phone_moves_the_item_to_it_as_edited(agent, settings):
    item = send_checked(
        agent,
        Household(instance="first", head=("Budi", "35071317088", "male", "1980-08-17")),
        settings,
    )
    assert ("nik.format", "members/nik", 0) in _checks(item)
    edit = send_processed(
        agent,
        Household(
            instance="first-edit",
            deprecated="first",
            head=("Budi Santoso", "3507131708800001", "male", "1980-08-17"),
        ),
        settings,
    )
    assert edit.supersedes_id == item.submission_id
    assert check_submissions([edit.pk]) == 1

    moved = ReviewItem.objects.get()
    assert moved.pk == item.pk and moved.submission_id == edit.pk
    assert moved.state == ReviewItem.State.EDITED and moved.version == 2
    assert moved.received_at == item.received_at  # the chain's first arrival
    assert moved.head_nik == "3507131708800001"
    assert ("nik.format", "members/nik", 0) not in _checks(moved)
    assert set(Finding.objects.filter(item=moved).values_list("submission_id", flat=True)) <= {
        edit.pk
    }
    decision = Decision.objects.get(item=moved)
    assert (decision.state_before, decision.state_after) == ("received", "edited")
    assert AuditRecord.objects.get(action="review.submission_edited").after["submission"] == edit.pk
    # The superseded version is not checked again into an item of its own.
    assert check_submissions([item.submission_id]) == 0
    assert ReviewItem.objects.count() == 1


def test_the_sweep_checks_what_a_crash_left_unchecked_and_items_of_older_checks(agent, settings):
    lost = send_processed(agent, Household(instance="lost"), settings)  # no signal ran
    assert not ReviewItem.objects.filter(submission=lost).exists()
    assert check_unchecked_submissions() == 1
    item = ReviewItem.objects.get(submission=lost)
    assert check_unchecked_submissions() == 0  # nothing twice

    ReviewItem.objects.filter(pk=item.pk).update(checks_version=0)
    assert check_unchecked_submissions() == 1
    item.refresh_from_db()
    assert item.checks_version == CHECKS_VERSION
    assert check_unchecked_submissions(lookback=None) == 0


def test_an_unprocessed_submission_is_not_checked(agent, settings):
    settings.SRS_PROCESS_IN_REQUEST = False
    submission = send_household(agent, Household(instance="raw"))
    assert check_submissions([submission.pk]) == 0
    assert check_unchecked_submissions() == 0
    assert not ReviewItem.objects.exists()


def test_the_command_checks_one_questionnaire_again(agent, settings, capsys, ppls):
    send_checked(agent, Household(instance="c1"), settings)
    send_processed(agent, Household(instance="c2", head=SLAMET), settings)
    call_command("recheck_submissions", "--form-id", "ppls_household")
    assert "2 submissions checked" in capsys.readouterr().out
    assert ReviewItem.objects.count() == 2
    with pytest.raises(Exception, match="no questionnaire"):
        call_command("recheck_submissions", "--form-id", "nope")


def test_a_photo_the_checks_choke_on_is_a_finding_not_a_stuck_queue(agent, settings, monkeypatch):
    def choking(*args, **kwargs):
        raise RuntimeError("a photo the image library chokes on")

    monkeypatch.setattr("review.checks.photos.inspect_photo", choking)
    item = send_checked(agent, Household(instance="choke"), settings)
    assert _checks(item) == {("checks.failed", "", None)}
    assert "RuntimeError" in item.check_error and item.checks_version == CHECKS_VERSION
    assert check_unchecked_submissions() == 0
    assert Submission.objects.get(pk=item.submission_id).answers is not None


def test_two_duplicates_checked_in_one_batch_find_each_other(agent, settings):
    first = send_processed(agent, Household(instance="one", head=SLAMET), settings)
    second = send_processed(
        agent, Household(instance="two", head=SLAMET, kk="3507130101090031"), settings
    )
    assert check_submissions([first.pk, second.pk]) == 2
    one, two = ReviewItem.objects.get(submission=first), ReviewItem.objects.get(submission=second)
    assert Finding.objects.get(item=one, check_name="household.duplicate").related_item == two
    assert Finding.objects.get(item=two, check_name="household.duplicate").related_item == one
    assert one.findings_count == Finding.objects.filter(item=one).count()


def test_a_household_the_registry_holds_and_a_member_it_holds_elsewhere_are_told(
    agent, settings, reviewer
):
    from review.decisions import approve

    budi = send_checked(agent, Household(instance="budi"), settings)
    approve(user=reviewer, item_id=budi.pk, version=budi.version)

    # Budi surveyed again: the registry's household is updated by it.
    again = send_checked(agent, Household(instance="budi-2029"), settings)
    assert ("household.in_registry", "head/hh_head_nik", None) in _checks(again)
    assert not {c for c, _f, _i in _checks(again)} & {"nik.in_registry_elsewhere"}

    # Budi now listed in his daughter's household: he would move.
    name, nik, sex, born = Household(instance="x").head
    daughter = send_checked(
        agent,
        Household(
            instance="sri",
            head=("Sri Wahyuni", "3507135203850003", "female", "1985-03-12"),
            kk="3507130101090099",
            members=[(name, nik, sex, born, "parent")],
        ),
        settings,
    )
    assert ("nik.in_registry_elsewhere", "members/nik", 1) in _checks(daughter)
    assert not {c for c, _f, _i in _checks(daughter)} & {"household.in_registry"}
