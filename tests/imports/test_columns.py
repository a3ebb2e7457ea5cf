"""The sources' own column names are recognised, and a mapping missing what its source
needs is refused with every reason."""

import pytest
from django.utils import translation

from imports.columns import SOURCE_FIELDS, check_mapping, column_key, propose_mapping
from imports.errors import MappingInvalid
from imports.models import SourceKind
from tests.imports.extracts import HEADERS

EXPECTED = {
    "ektp": {
        "nik": "NIK", "kk": "NO_KK", "name": "NAMA_LGKP", "sex": "JENIS_KLMIN",
        "birth_place": "TMPT_LHR", "birth_date": "TGL_LHR", "religion": "AGAMA",
        "marital_status": "STATUS_KAWIN", "occupation": "JENIS_PKRJN", "address": "ALAMAT",
        "rt": "NO_RT", "rw": "NO_RW", "province_code": "NO_PROP", "regency_code": "NO_KAB",
        "kecamatan_code": "NO_KEC", "village_code": "NO_KEL", "kecamatan_name": "NAMA_KEC",
        "village_name": "NAMA_KEL",
    },
    "kk": {
        "kk": "NO_KK", "nik": "NIK", "name": "NAMA_LGKP", "relation": "STAT_HBKEL",
        "mother_name": "NAMA_LGKP_IBU", "father_name": "NAMA_LGKP_AYAH",
        "village_code": "KODE_WILAYAH", "marital_status": "STAT_KWN",
    },
    "ppls": {
        "household_id": "IDRT", "relation": "HUB_KRT", "sex": "JNSKEL",
        "birth_date": "TGL_LAHIR", "kecamatan_code": "KD_KEC", "village_code": "KD_DESA",
        "tenure": "STA_BANGUNAN", "floor_area": "LUAS_LANTAI", "water_source": "SUMBER_AIRMINUM",
        "cooking_fuel": "BB_MASAK", "toilet": "FASBAB", "welfare_decile": "DESIL",
    },
    "kps": {
        "card_number": "NO_KPS", "nik": "NIK", "kk": "NO_KK", "name": "NAMA_PENERIMA",
        "kecamatan_name": "NAMA_KEC", "village_name": "NAMA_DESA",
    },
}  # fmt: skip


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("source", ["ektp", "kk", "ppls", "kps"])
def test_each_sources_export_headers_are_recognised_and_the_mapping_is_accepted(source):
    columns = HEADERS[source]

    mapping = propose_mapping(SourceKind(source), columns)

    assert EXPECTED[source].items() <= mapping.items()
    assert sorted(mapping.values()) == sorted(columns)  # every column found a field
    assert check_mapping(SourceKind(source), mapping, columns) == mapping


def test_names_are_recognised_whatever_their_case_spaces_dots_and_underscores():
    columns = ["No. KK", "nik ", "Nama Lengkap", "Jenis Kelamin", "tgl_lahir", "Kode Wilayah"]

    mapping = propose_mapping(SourceKind.KK, columns)

    assert mapping == {
        "kk": "No. KK",
        "nik": "nik ",
        "name": "Nama Lengkap",
        "sex": "Jenis Kelamin",
        "birth_date": "tgl_lahir",
        "village_code": "Kode Wilayah",
    }
    assert column_key("NAMA_LGKP") == column_key("Nama lgkp") == "namalgkp"


def test_english_names_are_recognised_and_the_first_of_two_columns_wins():
    mapping = propose_mapping(
        SourceKind.EKTP, ["National ID", "Full name", "NAMA", "Date of birth"]
    )

    assert mapping == {"nik": "National ID", "name": "Full name", "birth_date": "Date of birth"}


def test_a_field_another_source_fills_is_not_proposed():
    mapping = propose_mapping(SourceKind.KPS, ["NO_KPS", "NIK", "STAT_HBKEL", "IDRT"])

    assert mapping == {"card_number": "NO_KPS", "nik": "NIK"}
    assert "relation" not in SOURCE_FIELDS[SourceKind.KPS]


def test_a_mapping_without_a_required_field_is_refused_with_every_reason():
    columns = ["NO_KK", "NAMA_LGKP", "ALAMAT"]

    with pytest.raises(MappingInvalid) as refused:
        check_mapping(
            SourceKind.KK, {"kk": "NO_KK", "name": "NAMA_LGKP", "address": "ALAMAT"}, columns
        )

    problems = refused.value.problems
    assert "Choose the column that holds the relation to the head." in problems
    assert any("village code" in p and "village name + kecamatan code" in p for p in problems)
    assert refused.value.code == "mapping_invalid"


def test_a_missing_column_a_column_for_two_fields_and_a_foreign_field_are_refused():
    columns = ["NIK", "NAMA", "KODE_WILAYAH"]
    mapping = {
        "nik": "NIK",
        "name": "NAMA",
        "birth_place": "NAMA",
        "village_code": "KD_KEL",
        "card_number": "NIK",
    }

    with pytest.raises(MappingInvalid) as refused:
        check_mapping(SourceKind.EKTP, mapping, columns)

    problems = refused.value.problems
    assert "The file has no column “KD_KEL” (for village code)." in problems
    assert "The column “NAMA” is given to name, place of birth: choose one." in problems
    assert "“card_number” is no field of this source." in problems


def test_the_reasons_are_in_indonesian_for_an_indonesian_user():
    with translation.override("id"), pytest.raises(MappingInvalid) as refused:
        check_mapping(SourceKind.EKTP, {"name": "NAMA"}, ["NAMA"])

    assert refused.value.problems[0] == "Pilih kolom yang berisi NIK."


def test_unmapped_fields_are_left_out():
    columns = ["NIK", "NAMA", "KODE_WILAYAH"]
    mapping = {"nik": "NIK", "name": "NAMA", "village_code": "KODE_WILAYAH", "religion": ""}

    assert "religion" not in check_mapping(SourceKind.EKTP, mapping, columns)
