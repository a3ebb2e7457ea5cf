"""Which registry fields each source database fills, and which of an extract's columns hold them.

The four sources (design study §2.2.2) and what they know:

- ``ektp``: the identity card database (Dukcapil SIAK), people of 17 and over;
- ``kk``: the family card database (SIAK), every member of a family card, children too;
- ``ppls``: the poor-household survey (BPS), households with their housing and members;
- ``kps``: the social protection card (KPS/KKS) database, one card per household.

A mapping is ``{field: column}``. ``propose_mapping`` recognises the column names
that the sources' own exports use (``NIK``, ``NO_KK``, ``NAMA_LGKP``, ``JENIS_KLMIN``,
``TGL_LHR``, ``NO_RT``, ``STAT_HBKEL``…) and common Indonesian and English
variants, regardless of case, spaces, dots and underscores; ``check_mapping``
refuses one that misses what the source needs.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from imports.errors import MappingInvalid
from imports.models import SourceKind


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: Promise
    # Column names as the sources export them, in any case, with or without spaces,
    # dots and underscores (compared by ``column_key``).
    names: tuple[str, ...]


def _field(key: str, label: Promise, *names: str) -> FieldSpec:
    return FieldSpec(key=key, label=label, names=names)


FIELDS: dict[str, FieldSpec] = {
    spec.key: spec
    for spec in (
        _field(
            "nik",
            _("NIK"),
            "nik",
            "no_nik",
            "nomor_nik",
            "nik_art",
            "nomor_induk_kependudukan",
            "national_id",
        ),
        _field(
            "kk",
            _("family card (KK) number"),
            "no_kk",
            "nokk",
            "kk",
            "nomor_kk",
            "no_kartu_keluarga",
            "nomor_kartu_keluarga",
            "family_card",
            "family_card_number",
        ),
        _field(
            "name",
            _("name"),
            "nama_lgkp",
            "nama_lengkap",
            "nama",
            "nama_art",
            "nama_penerima",
            "name",
            "full_name",
        ),
        _field(
            "sex",
            _("sex"),
            "jenis_klmin",
            "jns_kelamin",
            "jenis_kelamin",
            "jnskel",
            "jns_kel",
            "jk",
            "kelamin",
            "sex",
            "gender",
        ),
        _field(
            "birth_place",
            _("place of birth"),
            "tmpt_lhr",
            "tempat_lahir",
            "tmp_lahir",
            "birth_place",
            "place_of_birth",
        ),
        _field(
            "birth_date",
            _("date of birth"),
            "tgl_lhr",
            "tanggal_lahir",
            "tgl_lahir",
            "birth_date",
            "date_of_birth",
            "dob",
        ),
        _field("religion", _("religion"), "agama", "religion"),
        _field(
            "marital_status",
            _("marital status"),
            "stat_kwn",
            "status_kawin",
            "status_perkawinan",
            "sts_kawin",
            "marital_status",
        ),
        _field(
            "occupation",
            _("occupation"),
            "jenis_pkrjn",
            "pekerjaan",
            "jenis_pekerjaan",
            "occupation",
            "job",
        ),
        _field(
            "education",
            _("education"),
            "pddk_akh",
            "pendidikan",
            "pendidikan_akhir",
            "pendidikan_terakhir",
            "education",
        ),
        _field(
            "relation",
            _("relation to the head"),
            "stat_hbkel",
            "shdk",
            "hub_kel",
            "hubungan_keluarga",
            "hubungan",
            "hub_krt",
            "hubungan_dengan_krt",
            "relation",
            "relationship",
        ),
        _field("mother_name", _("mother's name"), "nama_lgkp_ibu", "nama_ibu", "mother_name"),
        _field("father_name", _("father's name"), "nama_lgkp_ayah", "nama_ayah", "father_name"),
        _field(
            "phone", _("phone number"), "no_hp", "telepon", "no_telp", "hp", "phone", "phone_number"
        ),
        _field("address", _("address"), "alamat", "alamat_lengkap", "address"),
        _field("rt", _("RT"), "no_rt", "rt"),
        _field("rw", _("RW"), "no_rw", "rw"),
        _field(
            "province_code",
            _("province code"),
            "no_prop",
            "kd_prop",
            "kode_prop",
            "kode_provinsi",
            "kd_provinsi",
        ),
        _field(
            "regency_code",
            _("regency code"),
            "no_kab",
            "kd_kab",
            "kode_kab",
            "kode_kabupaten",
            "kd_kabupaten",
        ),
        _field(
            "kecamatan_code",
            _("kecamatan code"),
            "no_kec",
            "kd_kec",
            "kode_kec",
            "kode_kecamatan",
            "kd_kecamatan",
            "district_code",
        ),
        _field(
            "village_code",
            _("village code"),
            "kode_wilayah",
            "kd_wilayah",
            "no_kel",
            "kd_kel",
            "kd_desa",
            "kode_desa",
            "kode_kel",
            "kode_kelurahan",
            "kode_desa_kel",
            "village_code",
        ),
        _field("kecamatan_name", _("kecamatan name"), "nama_kec", "kecamatan", "nm_kec"),
        _field(
            "village_name",
            _("village name"),
            "nama_kel",
            "kelurahan",
            "desa",
            "desa_kelurahan",
            "nama_desa",
            "nm_desa",
            "nm_kel",
            "village",
        ),
        _field(
            "household_id",
            _("household id"),
            "idrt",
            "id_rt",
            "id_ruta",
            "idruta",
            "id_rumah_tangga",
            "kode_ruta",
            "household_id",
        ),
        _field(
            "card_number",
            _("KPS/KKS card number"),
            "no_kps",
            "nomor_kps",
            "no_kks",
            "nomor_kks",
            "no_kartu",
            "kps_number",
            "card_number",
        ),
        _field(
            "welfare_decile",
            _("welfare decile"),
            "desil",
            "status_kesejahteraan",
            "desil_kesejahteraan",
            "decile",
        ),
        _field(
            "tenure",
            _("tenure of the house"),
            "sta_bangunan",
            "status_bangunan",
            "status_penguasaan_bangunan",
            "tenure",
        ),
        _field("floor_area", _("floor area"), "luas_lantai", "floor_area"),
        _field("floor_material", _("floor material"), "jenis_lantai", "lantai", "floor_material"),
        _field("wall_material", _("wall material"), "jenis_dinding", "dinding", "wall_material"),
        _field("wall_condition", _("wall condition"), "kondisi_dinding", "wall_condition"),
        _field("roof_material", _("roof material"), "jenis_atap", "atap", "roof_material"),
        _field("roof_condition", _("roof condition"), "kondisi_atap", "roof_condition"),
        _field(
            "water_source",
            _("drinking water source"),
            "sumber_airminum",
            "sumber_air_minum",
            "air_minum",
            "water_source",
        ),
        _field("lighting", _("lighting"), "sumber_penerangan", "penerangan", "lighting"),
        _field("power_va", _("installed power"), "daya", "daya_listrik", "power_va"),
        _field(
            "cooking_fuel",
            _("cooking fuel"),
            "bb_masak",
            "bahan_bakar",
            "bahan_bakar_masak",
            "cooking_fuel",
        ),
        _field("toilet", _("toilet"), "fasbab", "fasilitas_bab", "toilet"),
        _field(
            "sewage",
            _("sewage"),
            "tpa_tinja",
            "pembuangan_tinja",
            "tempat_pembuangan_tinja",
            "sewage",
        ),
    )
}

_PERSON = (
    "nik",
    "name",
    "sex",
    "birth_place",
    "birth_date",
    "religion",
    "marital_status",
    "occupation",
    "education",
)
_PLACE = (
    "address",
    "rt",
    "rw",
    "province_code",
    "regency_code",
    "kecamatan_code",
    "village_code",
    "kecamatan_name",
    "village_name",
)
_HOUSING = (
    "tenure",
    "floor_area",
    "floor_material",
    "wall_material",
    "wall_condition",
    "roof_material",
    "roof_condition",
    "water_source",
    "lighting",
    "power_va",
    "cooking_fuel",
    "toilet",
    "sewage",
)

# The fields each source can fill, in the order a mapping form lists them.
SOURCE_FIELDS: dict[SourceKind, tuple[str, ...]] = {
    SourceKind.EKTP: (*_PERSON, "kk", "mother_name", "father_name", "phone", *_PLACE),
    SourceKind.KK: ("kk", *_PERSON, "relation", "mother_name", "father_name", *_PLACE),
    SourceKind.PPLS: (
        "household_id",
        "kk",
        *_PERSON,
        "relation",
        "phone",
        *_PLACE,
        "welfare_decile",
        *_HOUSING,
    ),
    SourceKind.KPS: ("card_number", "nik", "kk", "name", "sex", "birth_date", *_PLACE),
}

# Where a row lives: a full village code, or a village code's part with the kecamatan's
# (the prefix up to the regency comes from the province and regency columns or the
# import's area), or a village's name within a kecamatan given by code or name.
_PLACE_CHOICES: tuple[tuple[str, ...], ...] = (
    ("village_code",),
    ("village_name", "kecamatan_code"),
    ("village_name", "kecamatan_name"),
)

# What a mapping must hold, each a list of alternatives (one of them complete suffices).
REQUIRED: dict[SourceKind, tuple[tuple[tuple[str, ...], ...], ...]] = {
    SourceKind.EKTP: ((("nik",),), (("name",),), _PLACE_CHOICES),
    SourceKind.KK: ((("kk",),), (("name",),), (("relation",),), _PLACE_CHOICES),
    SourceKind.PPLS: ((("household_id",),), (("name",),), (("relation",),), _PLACE_CHOICES),
    SourceKind.KPS: ((("card_number",),), (("nik",), ("name",)), _PLACE_CHOICES),
}

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def column_key(name: str) -> str:
    """``Nama Lgkp``, ``NAMA_LGKP`` and `` nama.lgkp`` are one column name: ``namalgkp``."""
    return _NON_ALNUM.sub("", (name or "").casefold())


_BY_KEY: dict[str, str] = {}
for _spec in FIELDS.values():
    for _name in _spec.names:
        _BY_KEY.setdefault(column_key(_name), _spec.key)


def propose_mapping(source: SourceKind, columns: Iterable[str]) -> dict[str, str]:
    """``{field: column}`` for each column recognised as a field the source fills; of two
    columns for one field the first wins, and a column serves one field only."""
    allowed = set(SOURCE_FIELDS[source])
    mapping: dict[str, str] = {}
    for column in columns:
        key = column_key(column)
        field = _BY_KEY.get(key)
        if field is None:
            # ``NO_KK (2)``: a repeated column name, as the reader writes it.
            field = _BY_KEY.get(re.sub(r"\d+$", "", key))
        if field in allowed and field not in mapping:
            mapping[field] = column
    return mapping


def _alternative_text(alternative: tuple[str, ...]) -> str:
    return " + ".join(str(FIELDS[key].label) for key in alternative)


def check_mapping(
    source: SourceKind, mapping: Mapping[str, str], columns: Iterable[str]
) -> dict[str, str]:
    """The mapping, without fields mapped to no column, when the source can use it.

    Raises MappingInvalid listing every problem: a field the source does not fill, a
    column the file does not have, one column for two fields, a required field missing.
    """
    present = set(columns)
    allowed = SOURCE_FIELDS[source]
    cleaned = {field: column for field, column in mapping.items() if column}
    problems: list[str] = []
    for field, column in cleaned.items():
        if field not in allowed:
            problems.append(gettext("“%(field)s” is no field of this source.") % {"field": field})
        elif column not in present:
            problems.append(
                gettext("The file has no column “%(column)s” (for %(field)s).")
                % {"column": column, "field": FIELDS[field].label}
            )
    by_column: dict[str, list[str]] = {}
    for field, column in cleaned.items():
        by_column.setdefault(column, []).append(field)
    for column, fields in by_column.items():
        if len(fields) > 1:
            problems.append(
                gettext("The column “%(column)s” is given to %(fields)s: choose one.")
                % {
                    "column": column,
                    "fields": ", ".join(str(FIELDS[f].label) for f in fields if f in FIELDS),
                }
            )
    for alternatives in REQUIRED[source]:
        if any(all(key in cleaned for key in alternative) for alternative in alternatives):
            continue
        if len(alternatives) == 1:
            problems.append(
                gettext("Choose the column that holds the %(field)s.")
                % {"field": _alternative_text(alternatives[0])}
            )
        else:
            problems.append(
                gettext("Choose the columns that hold one of: %(choices)s.")
                % {"choices": "; ".join(_alternative_text(a) for a in alternatives)}
            )
    if problems:
        raise MappingInvalid(problems)
    return cleaned
