"""Indonesian names: titles, Muhammad, the old spelling, and rapidfuzz on what is left."""

import pytest

from foundation.names import name_key, normalise_name, same_person_name, similarity


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Muhammad Yusuf", "M. Jusuf"),
        ("Hj. Siti Aminah", "Siti Aminah"),
        ("Soekarno", "Sukarno"),
        ("Djoko Tjahjono", "Joko Cahyono"),
        ("Drs. H. Mochammad Ali", "Muhamad Ali"),
        ("Siti Aminah, S.Pd.", "SITI AMINAH"),
        ("Bpk. Slamet Riyadi", "Slamet Rijadi"),
        ("Sri Wahjoeni", "Sri Wahyuni"),
        ("Ibu Dewi Sartika", "Dewi Sartika"),
    ],
)
def test_the_same_name_written_two_ways(a, b):
    assert normalise_name(a) == normalise_name(b)
    assert same_person_name(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Siti Aminah", "Siti Rahayu"),
        ("Budi Santoso", "Bambang Santoso"),
        ("Nur Aini", "Nur Hayati"),
        ("Muhammad Yusuf", "Muhammad Rizki"),
    ],
)
def test_different_people(a, b):
    assert not same_person_name(a, b)


def test_a_small_spelling_slip_is_still_similar():
    assert same_person_name("Dewi Sartika", "Dewi Sartka")
    assert similarity("Budi Santoso", "Budi Santosa") > 85


def test_word_order_and_a_missing_word_count_little():
    assert same_person_name("Aminah Siti", "Siti Aminah")
    assert similarity("Siti Aminah binti Slamet", "Siti Aminah") > 85


def test_the_key_is_the_normalised_words():
    assert name_key("M. Jusuf") == "muhamad yusuf"
    assert name_key("") == ""
    assert similarity("", "Budi") == 0.0
