from areas.area_codes import common_ancestor


def test_the_common_ancestor_of_villages_is_their_kecamatan():
    assert common_ancestor(["35.07.13.1010", "35.07.13.2011"]) == "35.07.13"


def test_the_common_ancestor_of_two_kecamatan_is_their_regency():
    assert common_ancestor(["35.07.13", "35.07.33.2001"]) == "35.07"


def test_one_code_is_its_own_ancestor_and_two_provinces_have_none():
    assert common_ancestor(["35.07.13.1010"]) == "35.07.13.1010"
    assert common_ancestor(["35.07", "81.71"]) == ""
    assert common_ancestor([]) == ""


def test_codes_that_share_leading_digits_are_not_related():
    assert common_ancestor(["35.07.13", "35.07.130"]) == "35.07"
