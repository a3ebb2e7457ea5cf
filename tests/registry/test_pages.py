"""The registry's pages: search, households, people, conflicts; by role and by area.

Every page masks NIK, KK and phone; a reveal is a POST with a reason, audited;
a read from outside the village's team is audited; another area's records are
the same 404 as unknown ones.
"""

import pytest

from audit.models import AuditRecord
from registry.models import Conflict, Person
from tests.registry.page_data import BUDI_NIK, BUDI_PHONE, KK_BUDI, SECRETS, SITI_NIK
from tests.registry.page_fixtures import *  # noqa: F403 (data, readers, the clients)
from tests.registry.page_fixtures import assert_masked, body_of, page_client


def _pages(data) -> list[str]:
    return [
        "/registry/households/",
        "/registry/households/?q=Budi",
        "/registry/people/",
        "/registry/people/?q=Siti",
        "/registry/conflicts/",
        "/registry/conflicts/?state=all",
        f"/registry/households/{data.budi_household.pk}/",
        f"/registry/households/{data.sari_household.pk}/",
        f"/registry/people/{data.budi.pk}/",
        f"/registry/people/{data.budi.pk}/?as_of=2026-11-01",
        f"/registry/people/{data.sari.pk}/",
    ]


def test_every_page_masks_nik_kk_and_phone_for_every_reader(data, readers):
    for user in (readers.district, readers.kepanjen_reviewer, readers.agent):
        client = page_client(user)
        for path in _pages(data):
            response = client.get(path)
            assert response.status_code in (200, 404), path
            assert_masked(response)


def test_a_search_by_nik_shows_the_household_with_the_nik_masked(data, readers):
    response = page_client(readers.kepanjen_reviewer).get(f"/registry/households/?nik={SITI_NIK}")

    rows = body_of(response).split('id="households"')[1]
    assert "Budi Santoso" in rows and "350713••••••0001" in rows
    for secret in SECRETS:
        assert secret not in rows


def test_the_household_list_shows_the_households_of_ones_areas_with_a_total(data, readers):
    response = page_client(readers.kepanjen_reviewer).get("/registry/households/")

    assert response.status_code == 200
    body = body_of(response)
    assert "Budi Santoso" in body and "350713••••••0001" in body
    assert "Sari Wulandari" not in body
    assert 'id="registry-total"' in body


def test_a_kepanjen_reviewer_never_finds_pagelaran_households(data, readers):
    client = page_client(readers.kepanjen_reviewer)
    far = data.sari_household

    for query in ("q=Sari", "q=Wulandari", f"q={data.sari.nik}", "village=35.07.33.2001"):
        body = body_of(client.get(f"/registry/households/?{query}"))
        assert "Wulandari" not in body.split("<table")[1]
        assert f"/registry/households/{far.pk}/" not in body
    for path in (
        f"/registry/households/{far.pk}/",
        f"/registry/households/{far.pk}/photo/",
        f"/registry/people/{data.sari.pk}/",
    ):
        assert client.get(path).status_code == 404
    unknown = client.get("/registry/households/999999/")
    outside = client.get(f"/registry/households/{far.pk}/")
    assert unknown.status_code == outside.status_code == 404
    assert "Sari" not in body_of(outside)


def test_a_reveal_or_resolution_in_another_area_is_not_found(data, readers):
    client = page_client(readers.kepanjen_reviewer)

    reveal = client.post(
        f"/registry/households/{data.sari_household.pk}/reveal/", {"reason": "visit tomorrow"}
    )
    person = client.post(f"/registry/people/{data.sari.pk}/reveal/", {"reason": "visit tomorrow"})
    resolve = client.post(
        f"/registry/conflicts/{data.sari_conflict.pk}/resolve/",
        {"choice": "offered", "reason": "seen the KTP"},
    )

    assert reveal.status_code == person.status_code == resolve.status_code == 404
    assert not AuditRecord.objects.filter(action="registry.revealed").exists()
    assert Conflict.objects.get(pk=data.sari_conflict.pk).state == Conflict.State.OPEN


def test_the_household_page_shows_members_housing_programmes_conflicts_and_sources(data, readers):
    response = page_client(readers.kepanjen_reviewer).get(
        f"/registry/households/{data.budi_household.pk}/"
    )

    assert response.status_code == 200
    body = body_of(response)
    for shown in (
        "Budi Santoso",
        "Siti Aminah",
        "Putri Lestari",
        "350713••••••0001",
        "350713••••••0002",
        "+62812••••5678",
        "ppls_household:uuid:budi",
        'id="map-data"',
        'id="conflicts"',
        f'action="/registry/conflicts/{data.budi_conflict.pk}/resolve/"',
        'id="reveal"',
        "1980-08-18",
    ):
        assert shown in body, shown
    assert_masked(response)


def test_a_field_agent_reads_her_village_without_a_reveal_or_a_resolve_form(data, readers):
    response = page_client(readers.agent).get(f"/registry/households/{data.budi_household.pk}/")

    assert response.status_code == 200
    body = body_of(response)
    assert 'id="reveal"' not in body and "/resolve/" not in body


def test_a_field_agent_cannot_reveal_or_resolve(data, readers):
    client = page_client(readers.agent)

    reveal = client.post(
        f"/registry/households/{data.budi_household.pk}/reveal/", {"reason": "I need it"}
    )
    resolve = client.post(
        f"/registry/conflicts/{data.budi_conflict.pk}/resolve/",
        {"choice": "held", "reason": "I know him"},
    )

    assert reveal.status_code == 403 and resolve.status_code == 403
    assert_masked(reveal)
    assert Conflict.objects.get(pk=data.budi_conflict.pk).state == Conflict.State.OPEN


def test_a_reveal_with_a_reason_shows_the_full_numbers_once_and_is_audited(data, readers):
    client = page_client(readers.kepanjen_reviewer)
    url = f"/registry/households/{data.budi_household.pk}/reveal/"

    response = client.post(url, {"reason": "checking the KK at the visit"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = body_of(response)
    assert BUDI_NIK in body and SITI_NIK in body and KK_BUDI in body and BUDI_PHONE in body
    facts = body.split('class="facts"')[1].split("</table>")[0]
    assert KK_BUDI in facts and "3507130000123456" in facts  # the family card, the KKS card
    record = AuditRecord.objects.get(action="registry.revealed")
    assert record.actor_username == "rev-kepanjen"
    assert record.object_id == str(data.budi_household.pk)
    assert record.area_code == "35.07.13.2011"
    assert record.after["reason"] == "checking the KK at the visit"
    assert BUDI_NIK not in str(record.after)
    # The next read is masked again.
    assert_masked(client.get(f"/registry/households/{data.budi_household.pk}/"))


def test_a_reveal_without_a_reason_is_refused_and_shows_nothing(data, readers):
    client = page_client(readers.kepanjen_reviewer)

    response = client.post(f"/registry/people/{data.budi.pk}/reveal/", {"reason": " "})

    assert response.status_code == 422
    assert_masked(response)
    assert not AuditRecord.objects.filter(action="registry.revealed").exists()


def test_a_reveal_is_a_post_never_a_query_parameter(data, readers):
    client = page_client(readers.kepanjen_reviewer)

    assert client.get(f"/registry/people/{data.budi.pk}/reveal/?reason=x").status_code == 405
    assert_masked(client.get(f"/registry/people/{data.budi.pk}/?reveal=1&reason=because"))


def test_a_person_reveal_shows_her_numbers(data, readers):
    response = page_client(readers.district).post(
        f"/registry/people/{data.budi.pk}/reveal/", {"reason": "BPJS registration check"}
    )

    assert response.status_code == 200
    body = body_of(response)
    assert BUDI_NIK in body and BUDI_PHONE in body and KK_BUDI in body
    assert SITI_NIK not in body
    assert AuditRecord.objects.get(action="registry.revealed").object_type == "registry.person"


def test_a_read_from_outside_the_village_team_is_audited_once_per_read(data, readers):
    path = f"/registry/households/{data.budi_household.pk}/"

    page_client(readers.kepanjen_reviewer).get(path)
    page_client(readers.kepanjen_reviewer).get(f"/registry/people/{data.budi.pk}/")
    page_client(readers.district).get(path)

    reads = AuditRecord.objects.filter(action="registry.read").order_by("pk")
    assert [(r.actor_username, r.object_type) for r in reads] == [
        ("rev-kepanjen", "registry.household"),
        ("rev-kepanjen", "registry.person"),
        ("district-malang", "registry.household"),
    ]
    assert reads[0].area_code == "35.07.13.2011"


def test_a_read_by_the_village_team_is_not_audited_and_lists_are_not(data, readers):
    page_client(readers.agent).get(f"/registry/households/{data.budi_household.pk}/")
    page_client(readers.agent).get(f"/registry/people/{data.siti.pk}/")
    page_client(readers.kepanjen_reviewer).get("/registry/households/")

    assert not AuditRecord.objects.filter(action="registry.read").exists()


def test_a_reviewer_resolves_a_conflict_from_the_household_page(data, readers):
    back = f"/registry/households/{data.budi_household.pk}/"

    response = page_client(readers.kepanjen_reviewer).post(
        f"/registry/conflicts/{data.budi_conflict.pk}/resolve/",
        {"choice": "offered", "reason": "the KTP says the 18th", "next": back},
    )

    assert response.status_code == 302 and response["Location"] == back
    conflict = Conflict.objects.get(pk=data.budi_conflict.pk)
    assert conflict.state == Conflict.State.RESOLVED and conflict.chosen == "1980-08-18"
    assert str(Person.objects.get(pk=data.budi.pk).birth_date) == "1980-08-18"
    assert AuditRecord.objects.filter(action="registry.conflict_resolved").count() == 1


def test_a_resolution_goes_back_only_to_this_site(data, readers):
    response = page_client(readers.kepanjen_reviewer).post(
        f"/registry/conflicts/{data.budi_conflict.pk}/resolve/",
        {"choice": "held", "reason": "checked", "next": "https://evil.example/"},
    )

    assert response["Location"] == "/registry/conflicts/"


def test_the_conflicts_list_shows_ones_areas_open_conflicts(data, readers):
    body = body_of(page_client(readers.kepanjen_reviewer).get("/registry/conflicts/"))

    assert f'id="conflict-{data.budi_conflict.pk}"' in body
    assert f'id="conflict-{data.sari_conflict.pk}"' not in body


def test_the_person_page_shows_identity_moves_history_and_a_day_in_the_past(data, readers):
    client = page_client(readers.kepanjen_reviewer)

    today = body_of(client.get(f"/registry/people/{data.budi.pk}/"))
    before = client.get(f"/registry/people/{data.budi.pk}/?as_of=2020-01-01")
    bad = client.get(f"/registry/people/{data.budi.pk}/?as_of=yesterday")

    assert "350713••••••0001" in today and 'id="moves"' in today and 'id="history"' in today
    assert "ppls_household:uuid:budi" in today
    assert before.status_code == 200 and 'id="as-of-values"' not in body_of(before)
    assert bad.status_code == 200 and "error-box" in body_of(bad)


def test_the_person_page_as_of_shows_the_values_held_then(data, readers):
    response = page_client(readers.kepanjen_reviewer).get(
        f"/registry/people/{data.budi.pk}/?as_of=2030-01-01"
    )

    body = body_of(response)
    assert 'id="as-of-values"' in body and "1980-08-17" in body
    assert_masked(response)


def test_the_household_page_as_of_a_day_shows_its_values_and_members_then(data, readers):
    client = page_client(readers.kepanjen_reviewer)
    path = f"/registry/households/{data.budi_household.pk}/"

    later = client.get(f"{path}?as_of=2030-01-01")
    earlier = client.get(f"{path}?as_of=2001-01-01")

    members = body_of(later).split('id="as-of-members">')[1].split("</td>")[0]
    assert "Budi Santoso" in members and "Putri Lestari" in members
    assert "Jl. Raya 12" in body_of(later).split('id="as-of"')[1]
    assert 'id="as-of-values"' not in body_of(earlier)
    assert_masked(later)
    read = AuditRecord.objects.filter(action="registry.read").last()
    assert read.after == {"via": "page as_of"}


def test_a_monitor_sees_counts_and_no_one(data, readers):
    client = page_client(readers.monitor)

    listing = client.get("/registry/households/")
    detail = client.get(f"/registry/households/{data.budi_household.pk}/")

    assert listing.status_code == 200
    assert 'id="count-households"' in body_of(listing) and "Budi" not in body_of(listing)
    assert detail.status_code == 404


def test_the_navigation_offers_the_registry_to_its_readers_only(data, readers):
    assert 'href="/registry/households/"' in body_of(page_client(readers.agent).get("/"))
    assert 'href="/registry/households/"' in body_of(page_client(readers.monitor).get("/"))
    assert 'href="/registry/households/"' not in body_of(page_client(readers.auditor).get("/"))


def test_the_pages_read_a_fixed_number_of_queries(data, readers, django_assert_max_num_queries):
    from tests.registry.page_data import make_person

    for number in range(12):
        make_person(
            data.budi_household,
            data.budi_household.created_by_source,
            f"Anak {number}",
            nik=f"35071301010{number:05d}",
            relation="child",
        )
    client = page_client(readers.kepanjen_reviewer)
    client.get("/registry/households/")  # the session and the filters' villages, once
    with django_assert_max_num_queries(12):
        assert client.get("/registry/households/").status_code == 200
    with django_assert_max_num_queries(22):
        assert client.get(f"/registry/households/{data.budi_household.pk}/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(f"/registry/people/{data.budi.pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/registry/conflicts/").status_code == 200


def test_the_photo_is_served_to_readers_of_the_household_only(data, readers):
    from accounts.models import User
    from intake.models import Attachment
    from tests.review.review_households import (
        Household as Sent,
    )
    from tests.review.review_households import (
        install_review_demo,
        send_household,
    )

    install_review_demo()
    submission = send_household(User.objects.get(username="agent"), Sent(instance="photo-1"))
    attachment = Attachment.objects.get(submission=submission)
    data.budi_household.photo = attachment
    data.budi_household.save(update_fields=["photo"])
    path = f"/registry/households/{data.budi_household.pk}/photo/"

    mine = page_client(readers.kepanjen_reviewer).get(path)
    theirs = page_client(readers.pagelaran_reviewer).get(path)

    assert mine.status_code == 200 and mine["X-Content-Type-Options"] == "nosniff"
    assert b"".join(mine.streaming_content)[:2] == b"\xff\xd8"
    assert theirs.status_code == 404
    page = body_of(
        page_client(readers.kepanjen_reviewer).get(
            f"/registry/households/{data.budi_household.pk}/"
        )
    )
    assert f"{path}?size=thumbnail" in page and "/submissions/" not in page.split("<main>")[1]


@pytest.fixture
def merged(malang, settings):
    """FOUR of the merge's tests, merged as an approval merges it."""
    from accounts.models import User
    from areas.models import Area
    from forms import versions
    from forms.roles import forget_form_roles
    from tests.factories import make_user
    from tests.registry.registry_data import FOUR, household_of, merge_household
    from tests.review.checking_setup import _compile_once, _ppls_workbook

    forget_form_roles()
    district = User.objects.filter(username="district").first() or make_user(
        "district", "district_staff", ["35.07"]
    )
    original, versions.compile_xlsform = versions.compile_xlsform, _compile_once
    try:
        version = versions.create_questionnaire(
            workbook=_ppls_workbook(),
            filename="ppls_household.xlsx",
            owner_area=Area.objects.get(code="35.07"),
            user=district,
        )
    finally:
        versions.compile_xlsform = original
    versions.publish_form_version(version=version, user=district)
    versions.set_deployment(
        questionnaire=version.questionnaire,
        areas=Area.objects.filter(code__in=["35.07.13", "35.07.33"]),
        user=district,
    )
    agent = make_user("agent", "field_agent", ["35.07.13.1010", "35.07.13.2011"])
    reviewer = make_user("reviewer", "reviewer", ["35.07.13"])
    household = household_of(merge_household(agent, reviewer, FOUR, settings))
    forget_form_roles()
    return household, reviewer


def test_a_merged_household_shows_its_housing_in_the_forms_own_words(merged):
    household, reviewer = merged

    response = page_client(reviewer).get(f"/registry/households/{household.pk}/")

    assert response.status_code == 200
    body = body_of(response)
    assert "Status penguasaan bangunan tempat tinggal" in body and "Milik sendiri" in body
    for secret in ("3507131708800001", "3507130101090001", "+6281234567890", "081234567890"):
        assert secret not in body
    assert "350713••••••0001" in body


def test_a_merged_household_s_history_and_past_are_in_the_forms_own_words(merged):
    household, reviewer = merged
    client = page_client(reviewer)

    page = body_of(client.get(f"/registry/households/{household.pk}/"))
    history = page[page.index('id="history"') :]
    assert "Jenis atap terluas" in history and "Genteng keramik/tanah liat" in history
    assert "roof material" not in history

    past = body_of(client.get(f"/registry/households/{household.pk}/?as_of=2099-01-01"))
    values = past[past.index('id="as-of-values"') :]
    values = values[: values.index("</table>")]
    assert "Jenis atap terluas" in values and "Genteng keramik/tanah liat" in values


def _family_part(response) -> str:
    body = body_of(response)
    return body[body.index('id="family"') :].split("</section>")[0]


def test_the_person_page_shows_her_family_within_the_readers_areas(data, readers):
    from tests.registry.page_data import FAMILY_SECRETS, add_family_elsewhere

    elsewhere = add_family_elsewhere(data)
    path = f"/registry/people/{data.budi.pk}/"

    kepanjen = page_client(readers.kepanjen_reviewer).get(path)
    village = page_client(readers.agent).get(path)
    district = page_client(readers.district).get(path)

    family = _family_part(kepanjen)
    assert "350713••••••0001" in family  # the KK, masked
    assert f'href="/registry/people/{data.siti.pk}/"' in family and "Istri/suami" in family
    assert f'href="/registry/people/{elsewhere.dewi.pk}/"' in family and "Dewi Santoso" in family
    assert f'href="/registry/households/{elsewhere.dewi.household_id}/"' in family
    assert "Andi" not in body_of(kepanjen)
    assert f"/registry/households/{elsewhere.andi.household_id}/" not in body_of(kepanjen)
    assert 'id="family-outside" data-count="1"' in family
    assert "Budi Santoso" not in family  # not herself
    assert "Siti Aminah" in _family_part(village) and "Dewi" not in body_of(village)
    assert 'data-count="2"' in _family_part(village)
    assert (
        "Andi Santoso" in _family_part(district)
        and 'id="family-outside"' not in district.content.decode()
    )
    for response in (kepanjen, village, district):
        assert_masked(response)
        assert_masked(response, FAMILY_SECRETS)


def test_a_person_without_a_family_card_says_so(data, readers):
    body = _family_part(
        page_client(readers.kepanjen_reviewer).get(f"/registry/people/{data.baby.pk}/")
    )

    assert 'id="no-family"' in body


def test_a_reload_or_a_second_look_within_the_hour_is_not_a_second_read_record(data, readers):
    from datetime import timedelta

    from django.utils import timezone

    client = page_client(readers.kepanjen_reviewer)
    path = f"/registry/households/{data.budi_household.pk}/"
    for _ in range(5):
        client.get(path)
    client.get(f"{path}?as_of=2030-01-01")
    client.get(f"/registry/people/{data.budi.pk}/")
    client.get(f"/registry/people/{data.budi.pk}/")

    reads = AuditRecord.objects.filter(action="registry.read")
    assert sorted(reads.values_list("object_type", flat=True)) == [
        "registry.household",
        "registry.person",
    ]
    # An hour later, the next look is recorded again.
    reads.update(at=timezone.now() - timedelta(hours=1, minutes=1))
    client.get(path)
    assert reads.count() == 3


def test_reveals_are_limited_per_reader_and_hour(data, readers):
    from registry.reveal import REVEALS_PER_HOUR

    client = page_client(readers.kepanjen_reviewer)
    url = f"/registry/people/{data.budi.pk}/reveal/"
    for _ in range(REVEALS_PER_HOUR):
        assert client.post(url, {"reason": "checking cards at the visit"}).status_code == 200

    refused = client.post(url, {"reason": "checking cards at the visit"})
    other = page_client(readers.coordinator).post(url, {"reason": "calling about PKH"})

    assert refused.status_code == 429 and int(refused["Retry-After"]) > 3000
    assert 'role="alert"' in body_of(refused) and " 60 " in body_of(refused)
    assert_masked(refused)
    assert other.status_code == 200  # the limit is the reader's, not the record's
    assert AuditRecord.objects.filter(action="registry.revealed").count() == REVEALS_PER_HOUR + 1
