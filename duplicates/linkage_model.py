"""The linkage model of people: Splink's settings, versioned, with its parameters written down.

A Fellegi–Sunter model (Splink, on DuckDB): each compared field falls into one
level of agreement, and each level adds its match weight, log2(m/u): m, how
often true duplicates agree that way; u, how often two different people do.
The prior is the weight of two records picked at random being one person, in a
regency's registry of a million people with about 2% of them entered twice.
Exact names are adjusted by their frequency in the registry (Splink's term
frequencies): two people named ``Siti`` agree on a name one woman in thirty
has, two named ``Wiryosoedarmo`` on one that almost nobody has.

The parameters are fixed, not trained on each run, for three reasons: a pair
gets the same score whatever area a run covers and however small it is (an
expectation-maximisation on a kecamatan of a few hundred people, or on a
test's ten, would learn noise); a reviewer's reading of a score does not
drift from run to run; and a change of them is a new ``MODEL_VERSION``, in
review like any change of code. They were set from the registry's make-up
(390 villages, 33 kecamatan, birth dates over 80 years) and checked against
the planted duplicates of ``tests/bench/dedup.py`` (precision and recall in
``deploy/PERFORMANCE.md``).

The NIK holds the kecamatan, the birth date and the sex, which are compared
on their own fields: its levels weigh only what the number adds beyond them.
The same first twelve digits with another serial is what twins and a second
registration at the same office look like (neither for nor against); a NIK one typo
or one swap of digits away from the other, where one of the two disagrees
with its own person's birth date, sex or kecamatan, is a mistyped NIK (much
for); two serials of the same digits in another order, a swap there. Two NIKs two
digits apart are not a typo: two people born on one day in neighbouring
kecamatan have exactly such NIKs.

Version 2 (``person-fs-2026.12-2``) added the blocking rules that bring
together a birth date one part off (the name with two of the date's three
parts; the village with the day and month), a move to another kecamatan (the
name, first or last name word, or the name written without spaces, with the
birth date) and a dropped name word (a first or last word with the birth
date); split a birth date one part off into a day or two apart, a year apart
and another month (their u estimated by Splink's random sampling over the
bench's million people, within 10% of the values here); adjusted the name's
partial levels by half its frequency; and weighed a different family card, a
second serial and a different NIK as the registry has them. Each rule's
pairs, and their sum (about 22 million), are in ``deploy/PERFORMANCE.md``.
"""

from typing import Any

MODEL_VERSION = "person-fs-2026.12-2"

# 2% of a million people entered twice: 20,000 pairs of 5·10¹¹.
PROBABILITY_TWO_RANDOM_RECORDS_MATCH = 4e-8

# A name's frequency is never taken over fewer people than this: in a small registry (a
# test's, a new district's) every name seen once would otherwise look common.
FREQUENCY_FLOOR_PEOPLE = 10_000

# name → the pairs it compares (Splink's SQL, on the columns of extract.PEOPLE_TABLE).
BLOCKING_RULES: dict[str, str] = {
    "village_birth_date": "l.village = r.village AND l.birth_date = r.birth_date",
    "kecamatan_year_first_name": (
        "l.kecamatan = r.kecamatan AND l.birth_year = r.birth_year "
        "AND l.first_token = r.first_token"
    ),
    "nik_without_serial": "l.nik12 = r.nik12",
    "kk": "l.kk = r.kk",
    "phone": "l.phone = r.phone",
    "kecamatan_birth_date": "l.kecamatan = r.kecamatan AND l.birth_date = r.birth_date",
    "first_name_birth_date": "l.first_token = r.first_token AND l.birth_date = r.birth_date",
    "last_name_birth_date": "l.last_token = r.last_token AND l.birth_date = r.birth_date",
    "compact_name_birth_date": "l.name_compact = r.name_compact AND l.birth_date = r.birth_date",
    "name_birth_day_month": (
        "l.name_key = r.name_key AND l.birth_month = r.birth_month AND l.birth_day = r.birth_day"
    ),
    "name_birth_year_month": (
        "l.name_key = r.name_key AND l.birth_year = r.birth_year AND l.birth_month = r.birth_month"
    ),
    "name_birth_year_day": (
        "l.name_key = r.name_key AND l.birth_year = r.birth_year AND l.birth_day = r.birth_day"
    ),
    "village_birth_day_month": (
        "l.village = r.village AND l.birth_month = r.birth_month AND l.birth_day = r.birth_day"
    ),
}

# (code, SQL condition, m, u): the levels of each comparison, most alike first; a null
# level (either side unknown: no weight) comes before them.
Level = tuple[str, str, float, float]

_NAME_LEVELS: list[Level] = [
    ("exact", "name_key_l = name_key_r", 0.70, 1e-3),
    (
        "same_letters",  # Siti Nurhaliza / Siti Nur Haliza; Aminah Siti / Siti Aminah
        "name_compact_l = name_compact_r OR name_sorted_l = name_sorted_r",
        0.08,
        2e-5,
    ),
    (
        "typo",
        "jaro_winkler_similarity(name_key_l, name_key_r) >= 0.94 "
        "AND jaro_winkler_similarity(first_token_l, first_token_r) >= 0.88",
        0.08,
        1e-4,
    ),
    (
        "words_within",  # Siti / Siti Aminah: one name's words all in the other's
        "list_has_all(name_words_l, name_words_r) OR list_has_all(name_words_r, name_words_l)",
        0.06,
        2e-3,
    ),
    (
        "close",
        "jaro_winkler_similarity(name_key_l, name_key_r) >= 0.88 "
        "AND jaro_winkler_similarity(first_token_l, first_token_r) >= 0.85",
        0.05,
        3e-3,
    ),
    ("different", "ELSE", 0.03, 0.99388),
]

_BIRTH_DATE_LEVELS: list[Level] = [
    ("exact", "birth_date_l = birth_date_r", 0.86, 4e-5),
    (
        "day_month_swapped",
        "birth_year_l = birth_year_r AND birth_day_l = birth_month_r "
        "AND birth_month_l = birth_day_r",
        0.02,
        1.3e-5,
    ),
    (
        "days_apart",  # a day or two off, across a month's end too
        "abs(date_diff('day', birth_date_l, birth_date_r)) <= 2",
        0.03,
        1.5e-4,
    ),
    (
        "year_apart",  # the same day and month, a year off: an age counted back
        "birth_month_l = birth_month_r AND birth_day_l = birth_day_r "
        "AND abs(birth_year_l - birth_year_r) = 1",
        0.025,
        7e-5,
    ),
    (
        "month_differs",
        "birth_year_l = birth_year_r AND birth_day_l = birth_day_r",
        0.02,
        4e-4,
    ),
    (
        "one_part_differs",
        "(birth_year_l = birth_year_r)::INT + (birth_month_l = birth_month_r)::INT "
        "+ (birth_day_l = birth_day_r)::INT = 2",
        0.01,
        3.6e-3,
    ),
    ("different", "ELSE", 0.035, 0.995727),
]

_NIK_LEVELS: list[Level] = [
    ("exact", "nik_l = nik_r", 0.05, 1e-7),
    (
        "typo",
        "(nik_inconsistent_l OR nik_inconsistent_r) AND (damerau_levenshtein(nik_l, nik_r) <= 1 "
        "OR (nik_sorted_l = nik_sorted_r AND length(nik_l) = length(nik_r) "
        "AND hamming(nik_l, nik_r) = 2))",
        0.30,
        1e-5,
    ),
    (
        "serial_swapped",
        "nik12_l = nik12_r AND nik_serial_sorted_l = nik_serial_sorted_r",
        0.05,
        5e-4,
    ),
    ("other_serial", "nik12_l = nik12_r", 0.20, 0.2),
    ("same_date_digits", "nik_date_l = nik_date_r", 0.10, 0.1),
    ("different", "ELSE", 0.30, 0.6994899),
]

_SEX_LEVELS: list[Level] = [
    ("exact", "sex_l = sex_r", 0.97, 0.5),
    ("different", "ELSE", 0.03, 0.5),
]

_AREA_LEVELS: list[Level] = [
    ("same_village", "village_l = village_r", 0.80, 2.6e-3),
    ("same_kecamatan", "kecamatan_l = kecamatan_r", 0.14, 0.027),
    ("different", "ELSE", 0.06, 0.9704),
]

_KK_LEVELS: list[Level] = [
    ("exact", "kk_l = kk_r", 0.40, 0.02),
    ("different", "ELSE", 0.60, 0.98),
]

_PHONE_LEVELS: list[Level] = [
    ("exact", "phone_l = phone_r", 0.15, 1e-4),
    ("different", "ELSE", 0.85, 0.9999),
]

# output name → (the column(s) whose absence is the null level, its levels)
COMPARISONS: dict[str, tuple[str, list[Level]]] = {
    "name": ("name_key", _NAME_LEVELS),
    "birth_date": ("birth_date", _BIRTH_DATE_LEVELS),
    "nik": ("nik", _NIK_LEVELS),
    "sex": ("sex", _SEX_LEVELS),
    "area": ("village", _AREA_LEVELS),
    "kk": ("kk", _KK_LEVELS),
    "phone": ("phone", _PHONE_LEVELS),
}

# The comparison whose levels are adjusted by the frequency of the value (the commoner of the
# two, for the levels short of exact), and how much of that adjustment each level takes.
FREQUENCY_ADJUSTED: dict[str, tuple[str, dict[str, float]]] = {
    "name": (
        "name_key",
        {"exact": 1.0, "same_letters": 0.5, "typo": 0.5, "words_within": 0.5, "close": 0.5},
    ),
}


def level_codes(comparison: str) -> dict[int, str]:
    """Splink's gamma value of each level of ``comparison`` → its code (-1: unknown)."""
    _column, levels = COMPARISONS[comparison]
    # Splink numbers the levels from the last (0, "ELSE") up to the first.
    codes = {len(levels) - 1 - index: code for index, (code, *_rest) in enumerate(levels)}
    codes[-1] = "unknown"
    return codes


def _comparison(name: str, null_column: str, levels: list[Level]) -> dict[str, Any]:
    comparison_levels: list[dict[str, Any]] = [
        {
            "sql_condition": f"{null_column}_l IS NULL OR {null_column}_r IS NULL",
            "label_for_charts": "unknown",
            "is_null_level": True,
        }
    ]
    for code, condition, m, u in levels:
        level: dict[str, Any] = {
            "sql_condition": condition,
            "label_for_charts": code,
            "m_probability": m,
            "u_probability": u,
        }
        column, adjusted = FREQUENCY_ADJUSTED.get(name, ("", {}))
        if code in adjusted:
            level["tf_adjustment_column"] = column
            level["tf_adjustment_weight"] = adjusted[code]
        comparison_levels.append(level)
    return {"output_column_name": name, "comparison_levels": comparison_levels}


def person_settings() -> dict[str, Any]:
    """Splink's settings of the person model (dedupe within one table of people)."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": PROBABILITY_TWO_RANDOM_RECORDS_MATCH,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule, "sql_dialect": "duckdb"} for rule in BLOCKING_RULES.values()
        ],
        "comparisons": [
            _comparison(name, column, levels) for name, (column, levels) in COMPARISONS.items()
        ],
        "retain_matching_columns": True,  # the gamma (level) columns come with them
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": ["household_id"],
    }


def describe_parameters(threshold: float) -> dict[str, Any]:
    """What a run stores of the model it ran with."""
    return {
        "model_version": MODEL_VERSION,
        "threshold_match_probability": threshold,
        "probability_two_random_records_match": PROBABILITY_TWO_RANDOM_RECORDS_MATCH,
        "blocking_rules": list(BLOCKING_RULES),
        "comparisons": {
            name: [[code, m, u] for code, _sql, m, u in levels]
            for name, (_column, levels) in COMPARISONS.items()
        },
    }
