"""The review queue's pages through the Django test client: every page and decision path.

Real submissions of the PPLS questionnaire go through intake; their processing and checks
run after the commit, in process, as on the embedded default.
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import User
from audit.models import AuditRecord
from review.models import AnswerVersion, ReviewItem
from tests.review.review_households import (
    Household,
    house_photo,
    install_review_demo,
    send_household,
    the_bar_households,
)


@pytest.fixture
def demo(db, settings, django_capture_on_commit_callbacks):
    settings.SRS_ODK_VALIDATE = False
    install_review_demo()
    agent = User.objects.get(username="agent")
    items = {}
    for household in the_bar_households():
        with django_capture_on_commit_callbacks(execute=True):
            submission = send_household(agent, household)
        items[household.instance] = ReviewItem.objects.get(submission=submission)
    return items


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _text(response) -> str:
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _refresh(item: ReviewItem) -> ReviewItem:
    return ReviewItem.objects.get(pk=item.pk)


# --- the queue --------------------------------------------------------------------------


def test_the_kepanjen_reviewer_sees_her_queue_with_its_total(demo):
    page = _client("reviewer").get("/submissions/")
    assert page.status_code == 200
    html = _text(page)
    assert 'id="queue-total"' in html and "3" in re.search(
        r'id="queue-total">(.*?)</p>', html
    ).group(1)
    for item in demo.values():
        assert f'id="item-{item.pk}"' in html
    assert "Slamet Riyadi" in html and "Dewi Sartika" in html


def _total(client: Client, query: str = "") -> str:
    html = _text(client.get(f"/submissions/{query}"))
    return re.sub(r"<[^>]+>", "", re.search(r'id="queue-total">(.*?)</p>', html).group(1))


def test_the_total_is_kept_between_reloads_and_a_decision_renews_it_at_once(
    demo, django_capture_on_commit_callbacks
):
    client = _client("reviewer")
    assert _total(client, "?review_state=received").startswith("3 ")
    # Kept: a row changed behind the queue's back leaves the total as it was counted …
    ReviewItem.objects.filter(pk=demo["dewi"].pk).update(state=ReviewItem.State.REJECTED)
    assert _total(client, "?review_state=received").startswith("3 ")
    # … but the list itself is read anew.
    assert f'id="item-{demo["dewi"].pk}"' not in _text(
        client.get("/submissions/?review_state=received")
    )
    # A decision in her kecamatan renews every total that holds it, after its commit.
    item = demo["slamet"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/submissions/{item.pk}/approve/", {"version": item.version})
    assert _total(client, "?review_state=received").startswith("1 ")
    assert _total(client).startswith("3 ")


def test_the_pagelaran_reviewer_sees_none_of_it_and_gets_404_for_each(demo):
    client = _client("reviewer2")
    html = _text(client.get("/submissions/"))
    item = demo["slamet-again"]
    assert f'id="item-{item.pk}"' not in html and "Slamet" not in html
    assert client.get(f"/submissions/{item.pk}/").status_code == 404
    assert client.get(f"/submissions/{item.pk}/files/house.jpg").status_code == 404
    for action in ("approve", "reject", "send-back", "correct"):
        response = client.post(
            f"/submissions/{item.pk}/{action}/",
            {"version": item.version, "reason": "duplicate", "comment": "x", "field": "x"},
        )
        assert response.status_code == 404, action
    assert _refresh(item).state == ReviewItem.State.RECEIVED
    assert _refresh(item).version == item.version


def test_filters_by_village_and_state_and_search_by_name_and_nik(demo):
    client = _client("reviewer")
    dewi, slamet = demo["dewi"], demo["slamet"]
    html = _text(client.get("/submissions/?village=35.07.13.1010"))
    assert f'id="item-{dewi.pk}"' in html and f'id="item-{slamet.pk}"' not in html
    html = _text(client.get("/submissions/?review_state=approved"))
    assert 'id="item-' not in html
    # Tolerant of the old spelling and of a missing letter.
    html = _text(client.get("/submissions/?q=slamet+riyadi"))
    assert f'id="item-{slamet.pk}"' in html and f'id="item-{dewi.pk}"' not in html
    html = _text(client.get("/submissions/?q=3507135507790006"))
    assert f'id="item-{dewi.pk}"' in html and f'id="item-{slamet.pk}"' not in html
    # A member's NIK finds her household too.
    html = _text(client.get("/submissions/?q=3507131209050007"))
    assert f'id="item-{dewi.pk}"' in html


def test_filter_by_finding_check(demo):
    client = _client("reviewer")
    html = _text(client.get("/submissions/?check=nik.duplicate_in_queue"))
    assert f'id="item-{demo["slamet-again"].pk}"' in html
    assert f'id="item-{demo["dewi"].pk}"' not in html


def test_a_row_links_to_its_page_with_the_filters_and_its_place(demo):
    html = _text(_client("reviewer").get("/submissions/?village=35.07.13.2011"))
    first, second = demo["slamet"], demo["slamet-again"]
    assert f'href="/submissions/{first.pk}/?village=35.07.13.2011&amp;pos=0"' in html
    assert f'href="/submissions/{second.pk}/?village=35.07.13.2011&amp;pos=1"' in html


def test_next_and_previous_walk_the_filtered_queue(demo):
    client = _client("reviewer")
    first, second = demo["slamet"], demo["slamet-again"]
    html = _text(client.get(f"/submissions/{first.pk}/?village=35.07.13.2011&pos=0"))
    assert (
        f'id="next-item" rel="next" href="/submissions/{second.pk}/?village=35.07.13.2011&amp;pos=1"'
        in html
    )
    assert 'id="previous-item"' not in html
    html = _text(client.get(f"/submissions/{second.pk}/?village=35.07.13.2011&pos=1"))
    assert f'href="/submissions/{first.pk}/?village=35.07.13.2011&amp;pos=0"' in html
    assert 'id="next-item"' not in html  # Dewi is in another village
    assert 'href="/submissions/?village=35.07.13.2011"' in html  # back to the same list


def test_the_queue_costs_the_same_number_of_queries_for_three_or_ten(
    demo, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    client = _client("reviewer")
    client.get("/submissions/")  # the filters' choices are read once a minute, not a page
    with CaptureQueriesContext(connection) as three:
        assert client.get("/submissions/").status_code == 200
    agent = User.objects.get(username="agent")
    for n in range(7):
        with django_capture_on_commit_callbacks(execute=True):
            send_household(
                agent,
                Household(
                    instance=f"extra-{n}",
                    head=(f"Warga {n}", f"35071301018{n}0{n:03d}", "male", f"1980-01-0{n + 1}"),
                    kk=f"35071301010900{n + 10}",
                    photo=house_photo(20 + n),
                ),
            )
    with CaptureQueriesContext(connection) as ten:
        assert client.get("/submissions/").status_code == 200
    assert len(ten) == len(three)
    with django_assert_max_num_queries(12):
        client.get("/submissions/?village=35.07.13.2011&q=warga")


# --- the detail page --------------------------------------------------------------------


def test_the_page_shows_the_forms_labels_and_the_findings_beside_the_answers(demo):
    item = demo["slamet-again"]
    html = _text(_client("reviewer").get(f"/submissions/{item.pk}/"))
    # Indonesian labels of the questionnaire, grouped as in the form; the village by name.
    assert "Kepala rumah tangga" in html and "NIK kepala rumah tangga" in html
    assert "Talangagung" in html
    assert "Milik sendiri" in html  # tenure "owned"
    # The findings: a summary at the top, and each beside its answer.
    assert 'id="findings-summary"' in html
    head_nik = re.search(r'<tr data-field="head/hh_head_nik" class="noted">.*?</tr>', html, re.S)
    assert head_nik is not None and "household.duplicate" in head_nik.group(0)
    photo = re.search(r'<tr data-field="house_photo" class="noted">.*?</tr>', html, re.S)
    assert photo is not None and "photo.duplicate" in photo.group(0)
    # The other household is in her kecamatan: linked.
    assert f'href="/submissions/{demo["slamet"].pk}/"' in html
    # The repeat of members is a table, its member's birth date disagreeing with the NIK.
    members = re.search(r'<table class="members".*?</table>', html, re.S).group(0)
    assert "Sulastri" in members and "nik.birth_date" in members
    assert "nik.duplicate_in_queue" in members  # the same member NIKs as the other
    # The photo's thumbnail, full size on click; the map's data.
    assert f'href="/submissions/{item.pk}/files/house.jpg"' in html
    assert f'src="/submissions/{item.pk}/files/house.jpg?size=thumbnail"' in html
    assert 'id="map-data"' in html


def test_the_page_speaks_english_when_chosen(demo):
    client = _client("reviewer")
    client.cookies["django_language"] = "en"
    html = _text(client.get(f"/submissions/{demo['slamet-again'].pk}/"))
    assert "Head of household" in html and "Owned" in html


def test_the_photo_and_its_thumbnail_come_through_the_area_checked_view(demo):
    item = demo["slamet"]
    client = _client("reviewer")
    full = client.get(f"/submissions/{item.pk}/files/house.jpg")
    assert full.status_code == 200 and full["Content-Type"] == "image/jpeg"
    assert b"".join(full.streaming_content) == house_photo(3)
    assert client.get(f"/submissions/{item.pk}/files/other.jpg").status_code == 404


def test_the_detail_page_costs_a_fixed_number_of_queries(demo, django_assert_max_num_queries):
    client = _client("reviewer")
    with django_assert_max_num_queries(22):  # 16, and the registry preview's plan
        assert client.get(f"/submissions/{demo['slamet-again'].pk}/?pos=1").status_code == 200


# --- decisions --------------------------------------------------------------------------


def test_approve_redirects_with_a_message_and_writes_the_audit_record(demo):
    item = demo["dewi"]
    client = _client("reviewer")
    response = client.post(
        f"/submissions/{item.pk}/approve/", {"version": item.version, "keep": "pos=2"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/submissions/{item.pk}/?pos=2"
    page = client.get(response["Location"])
    assert any("Approved" in m or "Disetujui" in m for m in _messages(page))
    assert _refresh(item).state == ReviewItem.State.APPROVED
    assert AuditRecord.objects.filter(action="review.approved", object_id=str(item.pk)).exists()


def test_an_approval_keeps_its_note_in_the_history_and_the_audit(demo):
    item = demo["dewi"]
    client = _client("reviewer")
    response = client.post(
        f"/submissions/{item.pk}/approve/",
        {"version": item.version, "comment": "  Checked the KK at the village office.  "},
    )
    assert response.status_code == 302
    approved = _refresh(item)
    assert approved.comment == "Checked the KK at the village office."
    decision = approved.decisions.get()
    assert decision.comment == "Checked the KK at the village office."
    record = AuditRecord.objects.get(action="review.approved", object_id=str(item.pk))
    assert record.after["comment"] == "Checked the KK at the village office."
    assert "Checked the KK at the village office." in _text(client.get(response["Location"]))


def test_a_comment_too_long_is_refused_and_nothing_is_decided(demo):
    item = demo["dewi"]
    response = _client("reviewer").post(
        f"/submissions/{item.pk}/send-back/", {"version": item.version, "comment": "x" * 2001}
    )
    assert response.status_code == 422
    assert "2000" in _text(response) and "2001" in _text(response)
    assert _refresh(item).state == ReviewItem.State.RECEIVED
    assert not AuditRecord.objects.filter(action="review.sent_back").exists()


def test_a_stale_version_gets_409_with_the_first_decision(demo):
    item = demo["dewi"]
    first, second = _client("reviewer"), _client("reviewer")
    assert (
        first.post(f"/submissions/{item.pk}/approve/", {"version": item.version}).status_code == 302
    )
    late = second.post(
        f"/submissions/{item.pk}/send-back/", {"version": item.version, "comment": "Foto buram"}
    )
    assert late.status_code == 409
    html = _text(late)
    assert 'id="decision-error"' in html and "Budi Santoso" in html  # who decided first
    assert _refresh(item).state == ReviewItem.State.APPROVED


def test_reject_needs_a_reason_from_the_list(demo):
    item = demo["slamet-again"]
    client = _client("reviewer")
    refused = client.post(
        f"/submissions/{item.pk}/reject/", {"version": item.version, "reason": ""}
    )
    assert refused.status_code == 422 and 'id="decision-error"' in _text(refused)
    done = client.post(
        f"/submissions/{item.pk}/reject/",
        {"version": item.version, "reason": "duplicate", "comment": "Sama dengan rumah Slamet"},
    )
    assert done.status_code == 302
    item = _refresh(item)
    assert item.state == ReviewItem.State.REJECTED and item.reason == "duplicate"
    history = _text(client.get(f"/submissions/{item.pk}/"))
    assert "Sama dengan rumah Slamet" in history


def test_send_back_shows_on_the_agents_and_the_coordinators_home_page(demo):
    item = demo["slamet"]
    response = _client("reviewer").post(
        f"/submissions/{item.pk}/send-back/",
        {"version": item.version, "comment": "Periksa lagi NIK kepala rumah tangga"},
    )
    assert response.status_code == 302
    assert _refresh(item).state == ReviewItem.State.HAS_ISSUES
    for username in ("agent", "coordinator"):
        home = _text(_client(username).get("/"))
        assert f'id="sent-back-{item.pk}"' in home, username
        assert "Periksa lagi NIK kepala rumah tangga" in home


def test_correcting_a_birth_date_keeps_the_original_and_says_who_and_why(demo):
    item = demo["slamet-again"]
    client = _client("reviewer")
    response = client.post(
        f"/submissions/{item.pk}/correct/",
        {
            "version": item.version,
            "field": "members/birth_date",
            "member": "1",
            "value": "1965-03-02",
            "reason": "Sesuai KTP",
        },
    )
    assert response.status_code == 302
    correction = AnswerVersion.objects.get(item=item)
    assert correction.changes[0]["before"] == "1965-03-12"
    assert correction.changes[0]["after"] == "1965-03-02"
    html = _text(client.get(f"/submissions/{item.pk}/"))
    assert 'id="correction-1"' in html and "Sesuai KTP" in html
    assert "1965-03-02" in html and "1965-03-12" in html  # the new value and the old one
    assert AuditRecord.objects.filter(object_id=str(item.pk)).count() >= 1


def test_the_correct_link_fills_the_question_and_the_member(demo):
    item = demo["slamet-again"]
    html = _text(
        _client("reviewer").get(f"/submissions/{item.pk}/?field=members/birth_date&member=1")
    )
    assert '<option value="members/birth_date" selected>' in html
    assert 'name="member" id="id_member" min="1" value="1"' in html
    assert 'id="id_value" value="1965-03-12"' in html


def test_approve_all_without_findings_asks_first_and_says_how_many(demo, settings):
    settings.SRS_APPROVE_ALL_MERGE_IN_REQUEST = 0
    client = _client("reviewer")
    confirm = client.get("/submissions/approve-all/")
    assert confirm.status_code == 200
    count = confirm.context["count"]
    assert str(count) in _text(confirm)
    open_without = ReviewItem.objects.filter(
        findings_count=0, state__in=["received", "edited"], checks_version__gt=0
    ).count()
    assert count == open_without
    done = client.post("/submissions/approve-all/", {"expected_count": count}, follow=True)
    assert done.status_code == 200
    assert ReviewItem.objects.filter(state="approved").count() == count
    # More than a few (here: any) are merged into the registry after the commit, and the
    # page says so.
    with translation.override("id"):  # the reviewer's language
        assert gettext(
            "They are being merged into the registry in the background: each household "
            "appears there within a few minutes."
        ) in _text(done)
    # A second confirmation with the old number is refused: the queue changed.
    again = client.post("/submissions/approve-all/", {"expected_count": count})
    assert again.status_code == 302 and "approve-all" in again["Location"]


# --- other roles ------------------------------------------------------------------------


def test_the_field_agent_sees_her_own_submission_but_cannot_decide(demo):
    item = demo["dewi"]
    client = _client("agent")
    page = client.get(f"/submissions/{item.pk}/")
    assert page.status_code == 200 and 'id="approve-form"' not in _text(page)
    assert (
        client.post(f"/submissions/{item.pk}/approve/", {"version": item.version}).status_code
        == 403
    )
    assert _refresh(item).state == ReviewItem.State.RECEIVED


def test_home_pages_show_the_queue_by_state_and_age_and_the_monitor_counts_only(demo):
    reviewer = _text(_client("reviewer").get("/"))
    assert 'id="queue-summary"' in reviewer and "Talangagung" in reviewer
    assert 'href="/submissions/?village=35.07.13.2011&amp;review_state=received"' in reviewer
    monitor_client = _client("monitor")
    monitor = _text(monitor_client.get("/"))
    assert 'id="queue-summary"' in monitor and 'href="/submissions/?village=' not in monitor
    assert monitor_client.get(f"/submissions/{demo['dewi'].pk}/").status_code == 404


def test_an_edit_from_the_phone_shows_the_earlier_version_and_what_changed(
    demo, django_capture_on_commit_callbacks
):
    item = demo["dewi"]
    _client("reviewer").post(
        f"/submissions/{item.pk}/send-back/", {"version": item.version, "comment": "Cek RT"}
    )
    agent = User.objects.get(username="agent")
    with django_capture_on_commit_callbacks(execute=True):
        send_household(
            agent,
            Household(
                instance="dewi-edit",
                deprecated="dewi",
                village="35.07.13.1010",
                head=("Dewi Sartika", "3507135507790006", "female", "1979-07-15"),
                members=[("Rizky Pratama", "3507131209050007", "male", "2005-09-12", "child")],
                gps="-8.1302 112.5721 421 6",
                kk="3507130101090004",
                phone="081298765432",
                photo=house_photo(7),
            ),
        )
    item = _refresh(item)
    assert item.state == ReviewItem.State.EDITED
    html = _text(_client("reviewer").get(f"/submissions/{item.pk}/"))
    assert "earlier-version" in html
    # The phone changed; both masked (Law 27/2022), the change still plain to see.
    assert "0812••••7890" in html and "0812••••5432" in html
    assert "081234567890" not in html and "081298765432" not in html


def test_the_home_page_panels_cost_a_fixed_number_of_queries(demo, django_assert_max_num_queries):
    for username in ("reviewer", "agent", "coordinator", "monitor"):
        client = _client(username)
        with django_assert_max_num_queries(10):
            assert client.get("/").status_code == 200


# --- the registry beside the submission --------------------------------------------------


def test_before_approving_the_page_shows_what_the_registry_would_change_and_after_where_it_went(
    demo,
):
    client = _client("reviewer")
    first, again = demo["slamet"], demo["slamet-again"]

    page = _text(client.get(f"/submissions/{first.pk}/"))
    assert 'id="registry-changes"' in page and 'data-kind="create"' in page
    assert "3507130203650004" not in re.search(
        r'id="registry-preview">(.*?)</section>', page, re.S
    ).group(1)  # the registry's side masks the NIK

    client.post(f"/submissions/{first.pk}/approve/", {"version": first.version})
    merged = _text(client.get(f"/submissions/{first.pk}/"))
    assert 'id="registry-merged"' in merged and "/registry/households/" in merged
    assert 'id="approve-form"' not in merged  # final: changed in the registry now

    # The second visit says 12 March where the first said 2 March: a conflict, not an update.
    second = _text(client.get(f"/submissions/{again.pk}/"))
    preview = re.search(r'id="registry-preview">(.*?)</section>', second, re.S).group(1)
    assert 'data-kind="conflict"' in preview
    assert "1965-03-02" in preview and "1965-03-12" in preview


# --- personal data ----------------------------------------------------------------------


def test_nik_kk_and_phone_are_masked_on_the_queue_and_the_page_until_revealed_with_a_reason(
    demo,
):
    item = demo["slamet"]
    client = _client("reviewer")
    full = ("3507130203650004", "3507134711680005", "081234567890")

    for html in (_text(client.get("/submissions/")), _text(client.get(f"/submissions/{item.pk}/"))):
        assert not [number for number in full if number in html]
        assert "350713••••••0004" in html
    # The search still finds him by the full NIK.
    assert f'id="item-{item.pk}"' in _text(client.get("/submissions/?q=3507130203650004"))

    refused = client.post(f"/submissions/{item.pk}/reveal/", {"reason": "x"})
    assert refused.status_code == 422 and full[0] not in _text(refused)
    assert not AuditRecord.objects.filter(action="review.revealed").exists()

    shown = client.post(f"/submissions/{item.pk}/reveal/", {"reason": "Checking his KTP"})
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    assert all(number in _text(shown) for number in full)
    record = AuditRecord.objects.get(action="review.revealed")
    assert record.after["reason"] == "Checking his KTP"
    assert not [number for number in full if number in str(record.after)]
    # Shown for that answer only: the next visit is masked again.
    assert full[0] not in _text(client.get(f"/submissions/{item.pk}/"))


def test_a_reveal_outside_ones_areas_is_a_404_and_a_field_agent_may_not_reveal(demo):
    item = demo["slamet"]
    assert (
        _client("reviewer2")
        .post(f"/submissions/{item.pk}/reveal/", {"reason": "Checking his KTP"})
        .status_code
        == 404
    )
    agent = _client("agent").post(f"/submissions/{item.pk}/reveal/", {"reason": "Checking"})
    assert agent.status_code == 403
    assert not AuditRecord.objects.filter(action="review.revealed").exists()
