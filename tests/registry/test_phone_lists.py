"""The registry's lists for the phones, on the domain side: whose rows, which columns, one hash."""

import csv
import io

import pytest

from accounts.access import Scope
from areas.models import Area
from forms.models import Questionnaire
from forms.versions import create_questionnaire, set_deployment
from registry.phone_lists import build_example_list, build_registry_list, intersect
from tests.factories import make_user, xlsform_bytes
from tests.registry.export_data import (
    KEPANJEN,
    PAGELARAN,
    PAGELARAN_VILLAGE,
    TALANGAGUNG,
    HouseholdData,
    Member,
    kepanjen_and_pagelaran,
    make_household,
    make_source,
)

pytestmark = pytest.mark.django_db

SURVEY = [
    {
        "type": "select_one_from_file households.csv",
        "name": "household",
        "label::Indonesian (id)": "Rumah tangga",
        "label::English (en)": "Household",
    }
]


@pytest.fixture
def questionnaire(district_user) -> Questionnaire:
    version = create_questionnaire(
        workbook=xlsform_bytes(form_id="follow_up", survey=SURVEY),
        filename="follow_up.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=district_user,
    )
    set_deployment(
        questionnaire=version.questionnaire,
        areas=Area.objects.filter(code__in=[KEPANJEN, PAGELARAN]),
        user=district_user,
    )
    return version.questionnaire


@pytest.fixture
def registry(district_user):
    return kepanjen_and_pagelaran(district_user)


def _names(user, questionnaire, filename="households.csv") -> list[str]:
    media = build_registry_list(user=user, questionnaire=questionnaire, filename=filename)
    return [
        row["label"].split(" · ")[0] for row in csv.DictReader(io.StringIO(media.content.decode()))
    ]


def test_an_agent_gets_her_villages_rows_only(questionnaire, registry, agent_user):
    assert _names(agent_user, questionnaire) == ["Budi Santoso"]
    assert _names(agent_user, questionnaire, "people.csv") == [
        "Budi Santoso",
        "Siti Aminah",
        "Putri Lestari",
    ]


def test_a_pagelaran_agent_gets_pagelaran_only(questionnaire, registry, malang):
    agent = make_user("agent_pagelaran", "field_agent", [PAGELARAN_VILLAGE])

    assert _names(agent, questionnaire) == ["Wati Pagelaran"]
    assert _names(agent, questionnaire, "people.csv") == ["Wati Pagelaran"]


def test_only_the_questionnaires_areas_are_listed_even_for_an_administrator(
    questionnaire, registry, district_user, admin_user
):
    set_deployment(
        questionnaire=questionnaire, areas=Area.objects.filter(code=KEPANJEN), user=district_user
    )

    assert _names(admin_user, questionnaire) == ["Budi Santoso"]


def test_people_who_do_not_collect_get_empty_lists(questionnaire, registry, reviewer_user):
    assert _names(reviewer_user, questionnaire) == []
    media = build_registry_list(
        user=reviewer_user, questionnaire=questionnaire, filename="people.csv"
    )
    assert media.content == b"name,label,village,rt,rw,household,sex,birth_year\n"


def test_the_content_and_its_hash_change_only_with_the_registry(
    questionnaire, registry, agent_user, district_user
):
    first = build_registry_list(
        user=agent_user, questionnaire=questionnaire, filename="households.csv"
    )
    again = build_registry_list(
        user=agent_user, questionnaire=questionnaire, filename="households.csv"
    )
    assert again.content == first.content
    assert again.md5 == first.md5

    make_household(
        make_source(district_user),
        HouseholdData(head=Member("Joko", "3507131708800011", "male"), kk="", rt="009"),
    )
    after = build_registry_list(
        user=agent_user, questionnaire=questionnaire, filename="households.csv"
    )
    assert after.md5 != first.md5


def test_a_household_without_a_head_is_listed_by_its_number(
    questionnaire, agent_user, district_user
):
    household = make_household(make_source(district_user), HouseholdData(kk=""))
    household.head = None
    household.save(update_fields=["head"])

    assert _names(agent_user, questionnaire) == [f"Rumah tangga {household.pk}"]


def test_names_with_commas_quotes_and_line_breaks_stay_one_csv_row(
    questionnaire, agent_user, district_user
):
    make_household(
        make_source(district_user),
        HouseholdData(head=Member('Siti "Ani", S.Pd.\nKedua', "3507131708800012", "female")),
    )

    assert _names(agent_user, questionnaire) == ['Siti "Ani", S.Pd. Kedua']


def test_the_example_list_holds_no_one():
    households = build_example_list("households.csv").content.decode()
    people = build_example_list("people.csv").content.decode()

    assert households.splitlines()[0] == "name,label,village,rt,rw"
    assert len(households.splitlines()) == 2
    assert people.splitlines()[0] == "name,label,village,rt,rw,household,sex,birth_year"
    with pytest.raises(ValueError):
        build_example_list("srs_areas.csv")


def test_other_file_names_are_refused(questionnaire, agent_user):
    with pytest.raises(ValueError):
        build_registry_list(user=agent_user, questionnaire=questionnaire, filename="srs_areas.csv")


def test_scopes_intersect_to_the_deeper_area():
    everywhere = Scope(everywhere=True, roots=())
    kepanjen = Scope(everywhere=False, roots=(KEPANJEN,))
    village = Scope(everywhere=False, roots=(TALANGAGUNG, PAGELARAN_VILLAGE))

    assert intersect(everywhere, kepanjen) == kepanjen
    assert intersect(kepanjen, everywhere) == kepanjen
    assert intersect(kepanjen, village).roots == (TALANGAGUNG,)
    assert intersect(village, Scope(everywhere=False, roots=(PAGELARAN,))).roots == (
        PAGELARAN_VILLAGE,
    )
    assert intersect(kepanjen, Scope(everywhere=False, roots=(PAGELARAN,))).is_empty
