"""The one permission function, by role and by area."""

import pytest

from accounts.access import Action, can, scope_for
from accounts.errors import RoleLevelMismatch
from accounts.models import Role
from accounts.staff import assign_role
from areas.models import Area
from tests.factories import UserFactory, make_user

KEPANJEN = "35.07.13"
PAGELARAN = "35.07.33"
KEPANJEN_VILLAGE = "35.07.13.2011"
PAGELARAN_VILLAGE = "35.07.33.2007"


@pytest.fixture
def people(malang):
    from areas.area_import import load_areas

    load_areas(scope="81.71")  # Kota Ambon: another province altogether
    return {
        "agent": make_user("agent", Role.FIELD_AGENT, [KEPANJEN_VILLAGE]),
        "reviewer": make_user("reviewer", Role.REVIEWER, [KEPANJEN]),
        "reviewer2": make_user("reviewer2", Role.REVIEWER, [PAGELARAN]),
        "coordinator": make_user("coordinator", Role.COORDINATOR, ["35.07"]),
        "district": make_user("district", Role.DISTRICT_STAFF, ["35.07"]),
        "monitor": make_user("monitor", Role.MONITOR, ["35"]),
    }


def test_kepanjen_reviewer_cannot_read_pagelaran(people):
    reviewer = people["reviewer"]
    assert can(reviewer, Action.VIEW, KEPANJEN_VILLAGE)
    assert can(reviewer, Action.REVIEW, KEPANJEN)
    assert not can(reviewer, Action.VIEW, PAGELARAN_VILLAGE)
    assert not can(reviewer, Action.REVIEW, PAGELARAN)
    assert not can(reviewer, Action.VIEW, "35.07")  # the regency is above her


def test_pagelaran_reviewer_cannot_read_kepanjen(people):
    assert can(people["reviewer2"], Action.VIEW, PAGELARAN_VILLAGE)
    assert not can(people["reviewer2"], Action.VIEW, KEPANJEN_VILLAGE)


def test_a_code_prefix_is_not_a_parent(people):
    # 35.07.1 is not an area, and 35.07.13x must not pass as inside 35.07.13.
    assert not can(people["reviewer"], Action.VIEW, "35.07.130")
    assert not can(people["reviewer"], Action.VIEW, "35.07.1")


def test_field_agent_collects_only_in_her_village(people):
    agent = people["agent"]
    assert can(agent, Action.COLLECT, KEPANJEN_VILLAGE)
    assert not can(agent, Action.COLLECT, "35.07.13.2001")
    assert not can(agent, Action.REVIEW, KEPANJEN_VILLAGE)
    assert not can(agent, Action.MANAGE_FORMS)


def test_district_staff_manage_forms_in_their_regency_only(people):
    district = people["district"]
    assert can(district, Action.MANAGE_FORMS, "35.07")
    assert can(district, Action.MANAGE_FORMS, PAGELARAN)
    assert not can(district, Action.MANAGE_FORMS, "81.71")
    assert not can(district, Action.REVIEW, KEPANJEN)


def test_coordinator_follows_cases_but_does_not_review(people):
    coordinator = people["coordinator"]
    assert can(coordinator, Action.FOLLOW_CASES, KEPANJEN)
    assert not can(coordinator, Action.REVIEW, KEPANJEN)


def test_monitor_reads_the_province_s_counts_and_no_household_s_data(people):
    monitor = people["monitor"]
    assert can(monitor, Action.VIEW_REPORTS, "35.07")
    assert not can(monitor, Action.VIEW_REPORTS, "81.71.01")
    assert not can(monitor, Action.VIEW, PAGELARAN_VILLAGE)
    for action in (
        Action.VIEW,
        Action.COLLECT,
        Action.REVIEW,
        Action.MANAGE_FORMS,
        Action.FOLLOW_CASES,
    ):
        assert not can(monitor, action)


def test_superuser_may_do_everything_everywhere(people, admin_user):
    assert can(admin_user, Action.REVIEW, "81.71.01")
    assert scope_for(admin_user, Action.MANAGE_FORMS).everywhere


def test_inactive_user_may_do_nothing(people):
    reviewer = people["reviewer"]
    reviewer.is_active = False
    assert not can(reviewer, Action.VIEW, KEPANJEN_VILLAGE)


def test_scope_filters_querysets_by_area(people):
    scope = scope_for(people["reviewer"], Action.VIEW)
    codes = set(Area.objects.filter(scope.q("code")).values_list("code", flat=True))
    assert KEPANJEN in codes and KEPANJEN_VILLAGE in codes
    assert not any(code.startswith(PAGELARAN) for code in codes)
    assert len(codes) == 1 + Area.objects.filter(parent_id=KEPANJEN).count()


def test_nested_roots_collapse_to_the_outer_one(malang):
    user = make_user("two", Role.REVIEWER, [KEPANJEN])
    assign_role(user=user, role=Role.COORDINATOR, area=Area.objects.get(code="35.07"))
    assert scope_for(user, Action.VIEW).roots == ("35.07",)


def test_role_at_the_wrong_level_is_refused_and_nothing_written(malang):
    user = UserFactory(username="x")
    with pytest.raises(RoleLevelMismatch):
        assign_role(user=user, role=Role.REVIEWER, area=Area.objects.get(code="35.07"))
    with pytest.raises(RoleLevelMismatch):
        assign_role(user=user, role=Role.FIELD_AGENT, area=None)
    assert user.role_assignments.count() == 0


def test_assigning_the_same_role_twice_keeps_one(malang):
    user = UserFactory(username="y")
    area = Area.objects.get(code=KEPANJEN)
    first = assign_role(user=user, role=Role.REVIEWER, area=area)
    second = assign_role(user=user, role=Role.REVIEWER, area=area)
    assert first.pk == second.pk
    assert user.role_assignments.count() == 1


def test_users_created_with_a_password_can_answer_a_digest_challenge(db):
    from accounts.models import User, digest_ha1

    user = User.objects.create_user("midwife", password="bidan-123")
    assert user.digest_ha1 == digest_ha1("midwife", "bidan-123")
    user.set_password("new-456")
    assert user.digest_ha1 == digest_ha1("midwife", "new-456")
    user.set_unusable_password()
    assert user.digest_ha1 == ""


def test_only_district_staff_import_source_databases_and_only_in_their_district(people):
    district = people["district"]
    assert can(district, Action.IMPORT, "35.07")
    assert can(district, Action.IMPORT, KEPANJEN)
    assert not can(district, Action.IMPORT, "81.71")
    for other in ("agent", "reviewer", "coordinator", "monitor"):
        assert not can(people[other], Action.IMPORT, KEPANJEN_VILLAGE)
