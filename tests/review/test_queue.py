"""The review queue's services: who sees what, filters, search, order, pages, counts."""

import datetime
import hashlib
import itertools

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from areas.models import Area
from forms.models import FormVersion, Questionnaire
from foundation.names import name_key
from intake.models import Submission
from review.errors import ItemNotFound
from review.models import Finding, PersonKey, ReviewItem
from review.oversight import queue_summary, sent_back_for, village_points
from review.queue import (
    QueueFilters,
    count_queue,
    filter_queue,
    get_visible_item,
    queue_for,
    queue_page,
)
from tests.factories import make_user

KEPANJEN = "35.07.13"
KEPANJEN_VILLAGE = "35.07.13.2011"
KEPANJEN_OTHER_VILLAGE = "35.07.13.1010"
PAGELARAN = "35.07.33"
PAGELARAN_VILLAGE = "35.07.33.2001"

_numbers = itertools.count(1)


@pytest.fixture
def district(malang):
    return make_user("district", "district_staff", ["35.07"])


@pytest.fixture
def household(district):
    return _questionnaire(district, "household")


def _questionnaire(user, form_id: str) -> Questionnaire:
    questionnaire = Questionnaire.objects.create(
        form_id=form_id,
        title=form_id.title(),
        owner_area=Area.objects.get(code="35.07"),
        created_by=user,
    )
    FormVersion.objects.create(
        questionnaire=questionnaire,
        version="1",
        status=FormVersion.Status.PUBLISHED,
        title=form_id.title(),
        xlsform=f"forms/{form_id}.xlsx",
        xlsform_filename=f"{form_id}.xlsx",
        xlsform_sha256="0" * 64,
        xform_xml="<h:html/>",
        xform_md5="0" * 32,
        created_by=user,
    )
    return questionnaire


@pytest.fixture
def agent(malang):
    return make_user("agent", "field_agent", [KEPANJEN_OTHER_VILLAGE, KEPANJEN_VILLAGE])


@pytest.fixture
def other_agent(malang):
    return make_user("agent2", "field_agent", [KEPANJEN_VILLAGE])


@pytest.fixture
def pagelaran_agent(malang):
    return make_user("agent_pagelaran", "field_agent", [PAGELARAN_VILLAGE])


@pytest.fixture
def kepanjen_reviewer(malang):
    return make_user("reviewer_kepanjen", "reviewer", [KEPANJEN])


@pytest.fixture
def pagelaran_reviewer(malang):
    return make_user("reviewer_pagelaran", "reviewer", [PAGELARAN])


def _item(
    questionnaire: Questionnaire,
    agent,
    *,
    village: str = KEPANJEN_VILLAGE,
    head: str = "Siti Aminah",
    state: str = ReviewItem.State.RECEIVED,
    days_ago: float = 1,
    niks: tuple[str, ...] = (),
    kk: str = "",
    findings: tuple[tuple[str, int], ...] = (),
    location: Point | None = None,
    comment: str = "",
) -> ReviewItem:
    number = next(_numbers)
    xml = f'<data id="{questionnaire.form_id}"><hh_head_name>{head}</hh_head_name></data>'
    submission = Submission.objects.create(
        questionnaire=questionnaire,
        form_version=questionnaire.versions.get(),
        instance_id=f"uuid:{number}",
        xml=xml.encode(),
        xml_sha256=hashlib.sha256(xml.encode()).hexdigest(),
        status=Submission.Status.COMPLETE,
        area=Area.objects.get(code=village),
        submitted_by=agent,
    )
    received_at = timezone.now() - datetime.timedelta(days=days_ago)
    item = ReviewItem.objects.create(
        submission=submission,
        questionnaire=questionnaire,
        form_version=submission.form_version,
        kecamatan_code=".".join(village.split(".")[:3]),
        village_code=village,
        area=submission.area,
        state=state,
        agent=agent,
        received_at=received_at,
        head_name=head,
        head_name_key=name_key(head),
        head_nik=niks[0] if niks else "",
        kk_number=kk,
        findings_count=len(findings),
        worst_severity=max((severity for _check, severity in findings), default=0),
        checks_version=1,
        location=location,
        location_accuracy_m=5.0 if location else None,
        comment=comment,
    )
    for index, nik in enumerate(niks):
        PersonKey.objects.create(
            item=item,
            submission=submission,
            nik=nik,
            member_index=None if index == 0 else index - 1,
            name_key=name_key(head) if index == 0 else f"anggota {index}",
        )
    for check, severity in findings:
        Finding.objects.create(
            item=item,
            submission=submission,
            check_name=check,
            severity=severity,
            field="head/hh_head_nik",
            message_id="Pesan",
            message_en="Message",
        )
    return item


def _pks(items) -> list[int]:
    return [item.pk for item in items]


def _filtered(user, **query) -> list[int]:
    return _pks(filter_queue(queue_for(user), QueueFilters.from_query(query)))


# --- scope -----------------------------------------------------------------------------


def test_a_kepanjen_reviewer_never_sees_pagelaran_households(
    household, agent, pagelaran_agent, kepanjen_reviewer, pagelaran_reviewer
):
    kepanjen = _item(household, agent)
    pagelaran = _item(household, pagelaran_agent, village=PAGELARAN_VILLAGE)

    assert _pks(queue_for(kepanjen_reviewer)) == [kepanjen.pk]
    assert _pks(queue_for(pagelaran_reviewer)) == [pagelaran.pk]
    assert get_visible_item(kepanjen_reviewer, kepanjen.pk) == kepanjen
    with pytest.raises(ItemNotFound) as outside:
        get_visible_item(kepanjen_reviewer, pagelaran.pk)
    with pytest.raises(ItemNotFound) as unknown:
        get_visible_item(kepanjen_reviewer, pagelaran.pk + 1000)
    assert outside.value.http_status == 404
    assert outside.value.detail == unknown.value.detail
    # Every filter and search starts from the scope: a NIK of Pagelaran finds nothing.
    assert _filtered(kepanjen_reviewer, village=PAGELARAN_VILLAGE) == []


def test_a_search_by_nik_never_reaches_another_kecamatan(
    household, agent, pagelaran_agent, kepanjen_reviewer
):
    nik = "3507330101900001"
    _item(household, pagelaran_agent, village=PAGELARAN_VILLAGE, niks=(nik,), kk=nik)
    assert _filtered(kepanjen_reviewer, q=nik) == []


def test_coordinators_and_district_staff_see_their_areas(
    household, agent, pagelaran_agent, district
):
    kepanjen = _item(household, agent)
    pagelaran = _item(household, pagelaran_agent, village=PAGELARAN_VILLAGE)
    coordinator = make_user("coordinator", "coordinator", [KEPANJEN])
    regency_coordinator = make_user("coordinator_malang", "coordinator", ["35.07"])

    assert _pks(queue_for(coordinator)) == [kepanjen.pk]
    assert set(_pks(queue_for(regency_coordinator))) == {kepanjen.pk, pagelaran.pk}
    assert set(_pks(queue_for(district))) == {kepanjen.pk, pagelaran.pk}
    with pytest.raises(ItemNotFound):
        get_visible_item(coordinator, pagelaran.pk)


def test_a_field_agent_sees_only_what_she_sent(household, agent, other_agent):
    own = _item(household, agent)
    _item(household, other_agent)  # the same village, another agent
    assert _pks(queue_for(agent)) == [own.pk]


def test_a_monitor_sees_no_item_but_the_counts(household, agent, pagelaran_agent):
    monitor = make_user("monitor", "monitor", ["35"])
    item = _item(household, agent)
    _item(household, pagelaran_agent, village=PAGELARAN_VILLAGE)

    assert list(queue_for(monitor)) == []
    with pytest.raises(ItemNotFound):
        get_visible_item(monitor, item.pk)
    summary = queue_summary(monitor)
    assert {(row.area_code, row.count) for row in summary} == {(KEPANJEN, 1), (PAGELARAN, 1)}


def test_an_administrator_of_a_village_sees_that_village(household, agent, malang):
    admin = make_user("village_admin", "administrator", [KEPANJEN_VILLAGE])
    inside = _item(household, agent)
    _item(household, agent, village=KEPANJEN_OTHER_VILLAGE)
    assert _pks(queue_for(admin)) == [inside.pk]


# --- filters -----------------------------------------------------------------------------


def test_filters_by_questionnaire_village_state_and_agent(
    household, district, agent, other_agent, kepanjen_reviewer
):
    other_form = _questionnaire(district, "livelihood")
    a = _item(household, agent, state=ReviewItem.State.RECEIVED)
    b = _item(other_form, agent, village=KEPANJEN_OTHER_VILLAGE, state=ReviewItem.State.EDITED)
    c = _item(household, other_agent, state=ReviewItem.State.APPROVED)
    user = kepanjen_reviewer

    assert _filtered(user, questionnaire=str(other_form.pk)) == [b.pk]
    assert _filtered(user, questionnaire="household") == [a.pk, c.pk]
    assert _filtered(user, village=KEPANJEN_OTHER_VILLAGE) == [b.pk]
    assert _filtered(user, review_state="edited") == [b.pk]
    assert _filtered(user, review_state="received,approved") == [a.pk, c.pk]
    assert _filtered(user, agent=str(other_agent.pk)) == [c.pk]
    assert _filtered(user, agent="agent") == [a.pk, b.pk]


def test_filters_by_finding_check_and_severity(household, agent, kepanjen_reviewer):
    clean = _item(household, agent)
    nik_error = _item(household, agent, findings=(("nik.date", 3), ("gps.accuracy", 1)))
    nik_warning = _item(household, agent, findings=(("nik.area_unknown", 2),))
    gps_info = _item(household, agent, findings=(("gps.accuracy", 1),))
    user = kepanjen_reviewer

    assert _filtered(user, check="gps.accuracy") == [nik_error.pk, gps_info.pk]
    assert _filtered(user, check="gps.accuracy", severity="2") == []
    assert _filtered(user, check="nik.date", severity="3") == [nik_error.pk]
    assert _filtered(user, severity="2") == [nik_error.pk, nik_warning.pk]
    assert _filtered(user, severity="1") == [nik_error.pk, nik_warning.pk, gps_info.pk]
    assert _filtered(user, severity="0") == [clean.pk]


def test_filters_by_days_received_both_included(household, agent, kepanjen_reviewer):
    today = timezone.localdate()
    old = _item(household, agent, days_ago=10)
    recent = _item(household, agent, days_ago=2)
    _item(household, agent, days_ago=0)
    after = (today - datetime.timedelta(days=10)).isoformat()
    before = (today - datetime.timedelta(days=2)).isoformat()
    user = kepanjen_reviewer

    assert _filtered(user, received_after=after, received_before=before) == [old.pk, recent.pk]
    assert _filtered(user, received_before=(today - datetime.timedelta(days=3)).isoformat()) == [
        old.pk
    ]


def test_values_the_queue_cannot_read_filter_nothing():
    filters = QueueFilters.from_query(
        {
            "review_state": "nonsense",
            "severity": "9",
            "received_after": "31-02-2026",
            "order": "password",
        }
    )
    assert filters == QueueFilters()
    assert not filters.is_filtered


def test_filters_round_trip_through_the_query_string():
    query = {
        "questionnaire": "household",
        "village": KEPANJEN_VILLAGE,
        "review_state": "received,edited",
        "check": "nik.date",
        "severity": "3",
        "agent": "agent",
        "received_after": "2026-11-01",
        "received_before": "2026-11-30",
        "q": "Yusuf",
        "order": "-findings",
    }
    filters = QueueFilters.from_query(query)
    assert filters.as_query() == query
    assert QueueFilters.from_query(filters.as_query()) == filters


# --- search ------------------------------------------------------------------------------


def test_search_by_the_nik_of_any_member_or_the_kk(household, agent, kepanjen_reviewer):
    head_nik, member_nik, kk = "3507135001900001", "3507134101920002", "3507130101100003"
    household_item = _item(household, agent, niks=(head_nik, member_nik), kk=kk)
    _item(household, agent, niks=("3507135001900009",))
    user = kepanjen_reviewer

    assert _filtered(user, q=head_nik) == [household_item.pk]
    assert _filtered(user, q=member_nik) == [household_item.pk]
    assert _filtered(user, q=kk) == [household_item.pk]
    assert _filtered(user, q="3507 1341 0192 0002") == [household_item.pk]
    assert _filtered(user, q="3507139999999999") == []


def test_search_by_name_is_tolerant_of_spelling(household, agent, kepanjen_reviewer):
    yusuf = _item(household, agent, head="Muhammad Yusuf")
    soekarno = _item(household, agent, head="H. Soekarno Djojo")
    _item(household, agent, head="Siti Aminah")
    user = kepanjen_reviewer

    assert _filtered(user, q="Jusuf") == [yusuf.pk]
    assert _filtered(user, q="M. Jusuf") == [yusuf.pk]
    assert _filtered(user, q="yusup") == [yusuf.pk]
    assert _filtered(user, q="Sukarno") == [soekarno.pk]
    assert _filtered(user, q="Bambang") == []


# --- order, pages and totals -----------------------------------------------------------


def test_every_order_sorts_and_ends_on_the_id(household, agent, kepanjen_reviewer):
    a = _item(household, agent, head="Budi", days_ago=3, state=ReviewItem.State.RECEIVED)
    b = _item(
        household,
        agent,
        head="Agus",
        days_ago=2,
        village=KEPANJEN_OTHER_VILLAGE,
        state=ReviewItem.State.APPROVED,
        findings=(("nik.date", 3),),
    )
    c = _item(household, agent, head="Citra", days_ago=1, findings=(("gps.accuracy", 1),))
    user = kepanjen_reviewer

    assert _filtered(user) == [a.pk, b.pk, c.pk]
    assert _filtered(user, order="-received") == [c.pk, b.pk, a.pk]
    assert _filtered(user, order="head_name") == [b.pk, a.pk, c.pk]
    assert _filtered(user, order="state") == [b.pk, a.pk, c.pk]
    assert _filtered(user, order="village") == [b.pk, a.pk, c.pk]
    assert _filtered(user, order="findings") == [b.pk, c.pk, a.pk]
    assert _filtered(user, order="-findings") == [a.pk, c.pk, b.pk]
    ReviewItem.objects.filter(pk=a.pk).update(updated_at=timezone.now())
    assert _filtered(user, order="-updated")[0] == a.pk


def test_the_total_is_exact_up_to_the_cap_then_more_than(household, agent, kepanjen_reviewer):
    for _ in range(5):
        _item(household, agent)
    queue = queue_for(kepanjen_reviewer)

    exact = count_queue(queue)
    assert (exact.count, exact.is_exact, str(exact)) == (5, True, "5")
    capped = count_queue(queue, cap=3)
    assert (capped.count, capped.is_exact) == (3, False)
    with translation.override("en"):
        assert str(capped) == "more than 3"
    with translation.override("id"):
        assert str(capped) == "lebih dari 3"


def test_pages_cover_the_queue_once_and_the_last_is_read_from_the_end(
    household, agent, kepanjen_reviewer
):
    items = [_item(household, agent, days_ago=100 - n) for n in range(23)]
    queue = filter_queue(queue_for(kepanjen_reviewer), QueueFilters())

    pages = [queue_page(queue, number=n, size=5) for n in range(1, 6)]
    assert [pk for page in pages for pk in _pks(page.items)] == _pks(items)
    assert [page.has_next for page in pages] == [True, True, True, True, False]
    assert pages[-1].last_number == 5
    assert (pages[-1].start_index, pages[-1].end_index) == (21, 23)
    assert _pks(queue_page(queue, number=99, size=5).items) == _pks(items[20:])
    assert _pks(queue_page(queue, number="x", size=5).items) == _pks(items[:5])


def _queries_of_a_page(user, number: int, **query) -> int:
    with CaptureQueriesContext(connection) as captured:
        user = type(user).objects.get(pk=user.pk)  # as a new request loads her
        page = queue_page(
            filter_queue(queue_for(user), QueueFilters.from_query(query)), number=number, size=5
        )
        for item in page.items:
            _ = (item.questionnaire.title, item.agent.username, item.area and item.area.name)
    return len(captured)


def test_a_page_costs_the_same_few_queries_however_long_the_queue(
    household, agent, kepanjen_reviewer, django_assert_max_num_queries
):
    for _ in range(3):
        _item(household, agent, findings=(("nik.date", 3),), head="Muhammad Yusuf")
    short = [
        _queries_of_a_page(kepanjen_reviewer, 1),
        _queries_of_a_page(kepanjen_reviewer, 1, check="nik.date", q="Yusuf"),
    ]
    for _ in range(30):
        _item(household, agent, findings=(("nik.date", 3),), head="Muhammad Yusuf")
    long = [
        _queries_of_a_page(kepanjen_reviewer, 5),
        _queries_of_a_page(kepanjen_reviewer, 5, check="nik.date", q="Yusuf"),
    ]
    assert long == short
    # A user, her roles, the total, the page (and the candidates of a name search).
    with django_assert_max_num_queries(5):
        _queries_of_a_page(kepanjen_reviewer, 3, check="nik.date", q="Yusuf", order="findings")


# --- oversight ---------------------------------------------------------------------------


def test_the_summary_counts_per_village_state_and_age_oldest_first(
    household, agent, pagelaran_agent, kepanjen_reviewer
):
    _item(household, agent, days_ago=0.5)
    _item(household, agent, days_ago=2)
    _item(household, agent, days_ago=20)
    _item(household, agent, days_ago=5, state=ReviewItem.State.APPROVED)
    _item(household, agent, village=KEPANJEN_OTHER_VILLAGE, days_ago=40)
    _item(household, pagelaran_agent, village=PAGELARAN_VILLAGE, days_ago=60)

    summary = queue_summary(kepanjen_reviewer)
    assert [(row.area_code, row.state, row.count, row.by_age) for row in summary] == [
        (KEPANJEN_OTHER_VILLAGE, "received", 1, (0, 0, 0, 1)),
        (KEPANJEN_VILLAGE, "received", 3, (1, 1, 0, 1)),
        (KEPANJEN_VILLAGE, "approved", 1, (0, 0, 1, 0)),
    ]
    assert summary[0].area_name == Area.objects.get(code=KEPANJEN_OTHER_VILLAGE).name
    assert summary[0].state_label == ReviewItem.State.RECEIVED.label


def test_items_sent_back_reach_their_agent_and_coordinator(
    household, agent, other_agent, pagelaran_agent
):
    coordinator = make_user("coordinator", "coordinator", [KEPANJEN])
    mine = _item(household, agent, state=ReviewItem.State.HAS_ISSUES, comment="Foto buram")
    theirs = _item(household, other_agent, state=ReviewItem.State.HAS_ISSUES)
    _item(household, agent)
    _item(household, pagelaran_agent, village=PAGELARAN_VILLAGE, state="has_issues")

    assert [(i.pk, i.comment) for i in sent_back_for(agent)] == [(mine.pk, "Foto buram")]
    assert set(_pks(sent_back_for(coordinator))) == {mine.pk, theirs.pk}


def test_village_points_are_the_other_households_one_may_see(
    household, agent, other_agent, kepanjen_reviewer
):
    item = _item(household, agent, location=Point(112.57, -8.13, srid=4326))
    neighbour = _item(household, other_agent, location=Point(112.58, -8.14, srid=4326))
    _item(household, agent)  # no GPS
    _item(household, agent, village=KEPANJEN_OTHER_VILLAGE, location=Point(112.6, -8.1))

    points = village_points(item, kepanjen_reviewer)
    assert [(p.item_id, round(p.latitude, 2), round(p.longitude, 2)) for p in points] == [
        (neighbour.pk, -8.14, 112.58)
    ]
    assert village_points(item, agent) == []
