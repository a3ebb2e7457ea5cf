"""Where a row of an extract lives: its village, from codes in parts or names, checked
against the areas table a batch at a time.

The sources write a village's Kemendagri code whole (``3507132011``,
``35.07.13.2011``) or in parts (SIAK's ``NO_PROP``, ``NO_KAB``, ``NO_KEC``,
``NO_KEL``: ``35``, ``7``, ``13``, ``2011``), or name it within a kecamatan (KPS).
Parts missing above the kecamatan come from the import's area (a regency).
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Q

from areas.models import Area, AreaLevel

# (reason code, parameters): rendered by imports.rows, which holds the messages.
Problem = tuple[str, dict[str, str]]


def digits_of(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def dotted(digits: str) -> str:
    """``3507132011`` → ``35.07.13.2011`` (and the shorter levels)."""
    parts = [digits[0:2], digits[2:4], digits[4:6], digits[6:10]]
    return ".".join(p for p in parts if p)


@dataclass(frozen=True)
class AreaRef:
    """A row's area as written: a composed code (digits, maybe partial) or names."""

    village_digits: str = ""
    kecamatan_digits: str = ""
    village_name: str = ""
    kecamatan_name: str = ""
    written: str = ""  # for messages


def area_ref(values: Mapping[str, str], scope: str) -> AreaRef:
    scope_digits = digits_of(scope)
    province = (
        digits_of(values.get("province_code", "")).zfill(2)[-2:]
        if values.get("province_code")
        else ""
    )
    regency = digits_of(values.get("regency_code", ""))
    kecamatan = digits_of(values.get("kecamatan_code", ""))
    village = digits_of(values.get("village_code", ""))
    # The regency's four digits, from its columns or the import's area.
    if len(regency) >= 4:
        regency_prefix = regency[-4:] if len(regency) == 4 else regency[:4]
    elif regency and province:
        regency_prefix = province + regency.zfill(2)
    else:
        regency_prefix = scope_digits[:4] if len(scope_digits) >= 4 else ""
    if len(kecamatan) >= 6:
        kecamatan_full = kecamatan[:6]
    elif kecamatan and regency_prefix:
        kecamatan_full = regency_prefix + kecamatan.zfill(2)
    elif not kecamatan and len(scope_digits) >= 6:
        kecamatan_full = scope_digits[:6]
    else:
        kecamatan_full = ""
    if len(village) == 10:
        village_full = village
    elif village and len(village) <= 4 and kecamatan_full:
        village_full = kecamatan_full + village.zfill(4)
    else:
        village_full = village if village else ""
    return AreaRef(
        village_digits=village_full,
        kecamatan_digits=kecamatan_full,
        village_name=(values.get("village_name") or "").strip(),
        kecamatan_name=(values.get("kecamatan_name") or "").strip(),
        written=values.get("village_code", "") or values.get("village_name", ""),
    )


def _place_key(text: str) -> str:
    """Names of places compared without case, spaces or punctuation ("Sukoraharjo")."""
    return re.sub(r"[^0-9a-z]", "", (text or "").casefold())


class AreaBook:
    """The areas a run's rows name, read from the areas table a batch at a time.

    Areas are reference data that ``load_areas`` only adds to, so what is found stays
    known for the run; an unknown code is asked again in a later batch (one query
    for the batch's new codes and the villages of its new kecamatans).
    """

    def __init__(self, *, scope: str = "") -> None:
        self.scope = scope
        self._levels: dict[str, str] = {}  # dotted code → level
        self._asked: set[str] = set()
        self._kecamatan_by_name: dict[str, str] = {}  # name key → code (in the scope)
        self._village_by_name: dict[tuple[str, str], str] = {}  # (kecamatan, name key) → code
        self._kecamatans_read: set[str] = set()
        self._kecamatan_names_read = False
        self.queries = 0

    def level_of(self, code: str) -> str | None:
        return self._levels.get(code)

    def prepare(self, refs: Sequence[AreaRef], nik_prefixes: Sequence[str] = ()) -> None:
        """Read, in one query, every code and kecamatan's villages the batch needs."""
        codes: set[str] = set()
        kecamatans: set[str] = set()
        needs_names = False
        for ref in refs:
            if ref.village_digits:
                codes.add(dotted(ref.village_digits))
            if ref.kecamatan_digits:
                codes.add(dotted(ref.kecamatan_digits))
                if ref.village_name and not ref.village_digits:
                    kecamatans.add(dotted(ref.kecamatan_digits))
            if ref.kecamatan_name and not ref.kecamatan_digits:
                needs_names = True
        codes |= {dotted(p) for p in nik_prefixes if len(p) == 6}
        codes -= self._asked | set(self._levels)
        kecamatans -= self._kecamatans_read
        condition = Q(code__in=codes) if codes else Q()
        if kecamatans:
            condition |= Q(parent_id__in=kecamatans, level=AreaLevel.VILLAGE)
        if needs_names and not self._kecamatan_names_read:
            # The kecamatans of the import's area and their villages, by name (a regency
            # has a few hundred villages): asked once.
            inside = Q(code__startswith=self.scope + ".") if self.scope else Q()
            condition |= inside & Q(level__in=[AreaLevel.SUBDISTRICT, AreaLevel.VILLAGE])
            self._kecamatan_names_read = True
        if not condition:
            return
        self.queries += 1
        found = Area.objects.filter(condition).values_list("code", "name", "level", "parent_id")
        for code, name, level, parent in found:
            self._levels[code] = level
            if level == AreaLevel.SUBDISTRICT:
                self._kecamatan_by_name.setdefault(_place_key(name), code)
            elif level == AreaLevel.VILLAGE and parent:
                self._village_by_name.setdefault((parent, _place_key(name)), code)
        self._asked |= codes
        self._kecamatans_read |= kecamatans
        if needs_names:
            self._kecamatans_read |= {
                code for code, level in self._levels.items() if level == AreaLevel.SUBDISTRICT
            }

    def kecamatan_named(self, name: str) -> str:
        return self._kecamatan_by_name.get(_place_key(name), "")

    def village_named(self, kecamatan: str, name: str) -> str:
        return self._village_by_name.get((kecamatan, _place_key(name)), "")


def resolve_village(ref: AreaRef, book: AreaBook) -> tuple[str, Problem | None]:
    """The village code the row names, or the problem why it names none we know:
    (reason code, parameters) for ``imports.rows``' messages."""
    if ref.village_digits:
        if len(ref.village_digits) != 10:
            return "", ("place.incomplete", {"code": ref.written})
        code = dotted(ref.village_digits)
        if book.level_of(code) == AreaLevel.VILLAGE:
            return code, None
        kecamatan = dotted(ref.village_digits[:6])
        if book.level_of(kecamatan) != AreaLevel.SUBDISTRICT:
            return "", ("place.kecamatan_unknown", {"code": kecamatan})
        return "", ("place.village_unknown", {"code": code})
    if ref.village_name:
        if ref.kecamatan_digits:
            kecamatan = dotted(ref.kecamatan_digits)
            if book.level_of(kecamatan) != AreaLevel.SUBDISTRICT:
                return "", ("place.kecamatan_unknown", {"code": kecamatan})
        else:
            kecamatan = book.kecamatan_named(ref.kecamatan_name)
            if not kecamatan:
                return "", ("place.kecamatan_unknown", {"code": ref.kecamatan_name})
        code = book.village_named(kecamatan, ref.village_name)
        if not code:
            return "", (
                "place.village_name_unknown",
                {"name": ref.village_name, "kecamatan": kecamatan},
            )
        return code, None
    return "", ("place.missing", {})
