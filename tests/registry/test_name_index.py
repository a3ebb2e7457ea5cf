"""The registry's names held once each (registry.name_index), where wide searches look."""

from datetime import timedelta

from django.utils import timezone

from foundation.names import name_key
from registry.models import Person, PersonName
from registry.queries import RegistryFilters, search_households
from registry.retention import delete_expired_registry
from tests.registry.page_data import build_registry, make_readers
from tests.registry.registry_data import FOUR, merge_household
from tests.review.checking_setup import *  # noqa: F403 (the fixtures)


def test_a_merge_notes_the_names_it_gives(agent, reviewer, settings):
    merge_household(agent, reviewer, FOUR, settings)

    assert set(PersonName.objects.values_list("name_key", flat=True)) == set(
        Person.objects.values_list("name_key", flat=True)
    )
    assert PersonName.objects.count() == 4
    # Again (a re-survey): nothing twice.
    merge_household(agent, reviewer, FOUR, settings, instance="registry-budi-again")
    assert PersonName.objects.count() == 4


def test_a_district_wide_search_finds_its_candidates_among_the_names(malang):
    data = build_registry()
    readers = make_readers()
    wide = RegistryFilters(q="Sari Wulandari")
    assert list(search_households(readers.district, wide)) == [data.sari_household]

    PersonName.objects.filter(name_key=name_key("Sari Wulandari")).delete()

    # The regency's reader looks among the names, not the million people ...
    assert list(search_households(readers.district, wide)) == []
    # ... a kecamatan's reader among her own people.
    narrow = RegistryFilters(q="Budi Santoso")
    PersonName.objects.filter(name_key=name_key("Budi Santoso")).delete()
    assert list(search_households(readers.kepanjen_reviewer, narrow)) == [data.budi_household]


def test_names_no_one_holds_are_forgotten_by_the_retention(malang):
    data = build_registry()
    data.baby.household = None
    data.baby.save(update_fields=["household"])
    Person.objects.filter(pk=data.baby.pk).update(updated_at=timezone.now() - timedelta(days=3000))
    key = data.baby.name_key
    assert PersonName.objects.filter(name_key=key).exists()

    deleted = delete_expired_registry(before=timezone.now() - timedelta(days=1826))

    assert deleted.people == 1
    assert not PersonName.objects.filter(name_key=key).exists()
    assert PersonName.objects.filter(name_key=data.budi.name_key).exists()
