"""Masking of personal identifiers (Law 27/2022 on personal data): NIK, KK and phone.

Every page, list, export and API response shows these masked; the full value
is given only by a reveal with a reason (``registry.reveal``). A masked value
keeps what a person needs to tell records apart without identifying anyone:
the area prefix (an NIK's and a KK's first six digits: province, regency,
kecamatan; a phone's country code and operator prefix) and the last four
digits. Free-form data (a person's other answers, an application's answers)
goes through ``mask_data``, which masks by the key's name and by the value's
shape (16 digits, an Indonesian mobile number).
"""

import re
from collections.abc import Mapping
from typing import Any

MASK = "•"
_KEEP_START = 6
_KEEP_END = 4

# Keys whose values are identifiers (the names ``forms/roles.py`` recognises, and ours).
_NIK_KEY = re.compile(r"(^|_)(nik|nik_ktp|no_nik|nomor_nik)$|^nik(_|$)", re.I)
_KK_KEY = re.compile(
    r"(^|_)(kk|no_kk|nomor_kk|kk_number|kk_no|nokk|family_card|kks|kks_number|kps_number)$",
    re.I,
)
_PHONE_KEY = re.compile(r"(^|_)(phone|hp|no_hp|telp|telepon|telephone|mobile|wa|whatsapp)$", re.I)
# The registry's own fields whose values are identifiers: a person's ``family`` is her
# KK number (``registry.values``), in a history, a conflict or a day in the past.
_REGISTRY_FIELDS = {"family": "kk"}
# A run of digits in a free text (a leading + kept with it), read whole: an NIK inside a
# longer number, or a phone-like piece inside an NIK, is not masked by halves.
_NUMBER_RUN = re.compile(r"(?<![\d+])\+?\d{9,20}(?!\d)")
_PHONE_VALUE = re.compile(r"(\+62|62|0)8\d{7,12}")
# Any other run of 12 digits or more (an NIK or KK typed with a digit too few or too
# many, a BPJS or KKS card number) keeps only its last four digits.
_LONG_NUMBER = 12


def _mask(value: str, keep_start: int) -> str:
    """``keep_start`` characters, as many bullets as were hidden, the last four.

    A value too short to keep both ends shows only its last two characters:
    nothing of an identifier is told that a masked full one would not tell.
    """
    text = str(value or "").strip()
    if not text:
        return ""
    if len(text) < keep_start + _KEEP_END + 2:
        tail = text[-2:] if len(text) > 4 else ""
        return MASK * (len(text) - len(tail)) + tail
    hidden = len(text) - keep_start - _KEEP_END
    return text[:keep_start] + MASK * hidden + text[-_KEEP_END:]


def mask_nik(nik: str | None) -> str:
    """``3507131708800001`` → ``350713••••••0001`` (the kecamatan of first registration
    and the serial stay; the birth date, which tells age and sex, goes)."""
    return _mask(nik or "", _KEEP_START)


def mask_kk(kk_number: str | None) -> str:
    """A family card (or welfare card) number, like an NIK: ``350713••••••0042``."""
    return _mask(kk_number or "", _KEEP_START)


def mask_phone(phone: str | None) -> str:
    """``+6281234565678`` → ``+62812••••5678``; a local ``081234565678`` → ``0812••••5678``."""
    text = str(phone or "").strip()
    keep = _KEEP_START if text.startswith("+") else 4
    return _mask(text, keep)


def mask_for_key(key: str, value: Any) -> Any:
    """``value`` masked if ``key`` names an identifier (``nik``, ``kk_number``, ``phone``…)
    or if the value looks like one; other values as they are."""
    name = key.rsplit(".", 1)[-1].rsplit("/", 1)[-1]
    if isinstance(value, str):
        if _REGISTRY_FIELDS.get(key) == "kk":
            return mask_kk(value)
        if _NIK_KEY.search(name):
            return mask_nik(value)
        if _KK_KEY.search(name):
            return mask_kk(value)
        if _PHONE_KEY.search(name):
            return mask_phone(value)
    return mask_data(value)


def _mask_number(number: str) -> str:
    if _PHONE_VALUE.fullmatch(number):
        return mask_phone(number)
    digits = number.lstrip("+")
    if len(digits) == 16:
        return mask_nik(number)
    if len(digits) >= _LONG_NUMBER:
        return MASK * (len(number) - _KEEP_END) + number[-_KEEP_END:]
    return number


def mask_text(value: str) -> str:
    """A free text with every NIK or KK (16 digits), Indonesian mobile number and other
    run of 12 digits or more in it masked."""
    return _NUMBER_RUN.sub(lambda m: _mask_number(m.group(0)), value)


def mask_data(value: Any) -> Any:
    """A JSON value (answers, details, a history's before/after) with identifiers masked,
    by key name and by shape, at any depth."""
    if isinstance(value, Mapping):
        return {str(key): mask_for_key(str(key), item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_data(item) for item in value]
    if isinstance(value, str):
        return mask_text(value)
    return value
