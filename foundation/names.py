"""Indonesian names, normalised, so that spelling variants of one name compare equal.

Titles and honorifics are dropped (H., Hj., Drs., Ir., S.Pd., Bapak, Ibu, …),
the many spellings of Muhammad become one, the old spellings of before 1972
become the new ones (oe→u, tj→c, dj→j, sj→sy, ch→kh, nj→ny; j and y become
one letter, since the old j is the new y), doubled letters are made single;
academic degrees after a comma are dropped. ``name_key`` is what is stored and indexed for the
queue's tolerant search; ``similarity`` compares two names with rapidfuzz on
their normalised forms.
"""

import functools
import re
import unicodedata

from rapidfuzz import fuzz

# Words that say who someone is, not their name (compared in lower case without dots).
_TITLES = frozenset(
    """
    h hj hajjah haji drs dra dr ir prof st sh se sp spd spdi sag sag mm mpd msi mt amd
    bpk bapak pak ibu bu ib sdr sdri saudara saudari tn ny nyonya nn nona an almarhum
    almarhumah alm almh kh ust ustadz ustadzah raden rr gusti ngurah
    """.split()
)
_MUHAMMAD = frozenset(
    {
        "muhammad",
        "muhamad",
        "mohammad",
        "mohamad",
        "mochammad",
        "mochamad",
        "muhammed",
        "mohammed",
        "mohamed",
        "muchammad",
        "muchamad",
        "moch",
        "moh",
        "muh",
        "mhd",
        "md",
        "m",
        "mch",
        "mhmd",
    }
)
_OLD_SPELLINGS = (("oe", "u"), ("tj", "c"), ("dj", "j"), ("sj", "sy"), ("nj", "ny"), ("ch", "kh"))


def _ascii_words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    # Academic degrees follow the name after a comma ("Siti Aminah, S.Pd., M.Pd.").
    plain = plain.split(",", 1)[0]
    return re.findall(r"[a-z]+", plain.lower())


def _canonical(word: str) -> str:
    """One spelling for the old and the new: ``Djoko`` and ``Joko`` both become ``yoko``.

    The old j is the new y, and the old dj the new j, so j and y cannot be told
    apart in general: both become y (after dj→j), which makes each pair equal.
    """
    for old, new in _OLD_SPELLINGS:
        word = word.replace(old, new)
    word = word.replace("j", "y")
    return re.sub(r"(.)\1+", r"\1", word)


@functools.lru_cache(maxsize=65536)
def normalise_name(text: str) -> str:
    """``Hj. Siti Aminah, S.Pd.`` → ``siti aminah``; ``M. Jusuf`` → ``muhamad yusuf``."""
    words = []
    for word in _ascii_words(text):
        if word in _TITLES:
            continue
        if word in _MUHAMMAD:
            words.append("muhamad")
            continue
        words.append(_canonical(word))
    return " ".join(words)


def name_key(text: str) -> str:
    """The normalised name as stored for search: its words, in order, without titles."""
    return normalise_name(text)


def similarity(a: str, b: str) -> float:
    """0–100: how alike two names are once normalised (word order and a missing word
    count little: ``Siti Aminah`` and ``Aminah Siti binti Slamet`` are alike)."""
    left, right = normalise_name(a), normalise_name(b)
    if not left or not right:
        return 0.0
    return float(max(fuzz.token_sort_ratio(left, right), 0.95 * fuzz.token_set_ratio(left, right)))


def same_person_name(a: str, b: str, *, threshold: float = 88.0) -> bool:
    """Could these be the same person's name, written by two people?"""
    return similarity(a, b) >= threshold
