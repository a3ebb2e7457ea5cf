"""Answers that a questionnaire version would refuse today.

A submission to an older version, an edit, or a reviewer's correction did not
pass the current form's rules on the phone. This reads the current version
(``forms.xform_outline``) and reports, for every answered question: a choice
no longer in its list (select_one and select_multiple, in repeats too;
choices from files or from the form's own answers are not checked), a number
that is not a number, and a number outside a simple constraint (``. >= 0 and
. <= 120``; a constraint with any other term is left to the phone).
"""

import functools
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from forms.xform_outline import OutlineUnreadable, read_outline
from review.checks.base import WARNING, FindingDraft, make_finding

_BOUND = re.compile(r"^\s*\.\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class _Rule:
    path: str
    type: str
    choices: frozenset[str] | None
    bounds: tuple[tuple[str, float], ...]


def _bounds(constraint: str) -> tuple[tuple[str, float], ...]:
    if not constraint.strip():
        return ()
    terms = re.split(r"\s+and\s+", constraint.strip().strip("()"))
    found = []
    for term in terms:
        match = _BOUND.match(term.strip("() "))
        if match is None:
            return ()  # not a plain range: the phone's form engine is the judge
        found.append((match.group(1), float(match.group(2))))
    return tuple(found)


@functools.lru_cache(maxsize=64)
def _rules_of(digest: str, xform_xml: str) -> tuple[_Rule, ...]:
    del digest  # the cache key: the XML itself would be hashed on every look-up
    try:
        outline = read_outline(xform_xml)
    except OutlineUnreadable:
        return ()
    rules = []
    for node in outline.nodes:
        if node.kind != "question":
            continue
        choices = None
        if (
            node.type in ("select_one", "select_multiple")
            and node.choices is not None
            and not node.choices.file
            and not node.choices.expression
            and node.choices.choices
        ):
            choices = frozenset(choice.value for choice in node.choices.choices)
        bounds = _bounds(node.constraint) if node.type in ("integer", "decimal") else ()
        if choices is not None or node.type in ("integer", "decimal"):
            rules.append(_Rule(node.path, node.type, choices, bounds))
    return tuple(rules)


def _values(
    answers: Any, steps: list[str], row: int | None = None
) -> Iterator[tuple[int | None, Any]]:
    """The values at a path, with the repeat row each comes from (None outside repeats)."""
    if not steps:
        yield row, answers
        return
    if isinstance(answers, list):
        for index, item in enumerate(answers):
            yield from _values(item, steps, index if row is None else row)
        return
    if isinstance(answers, dict) and steps[0] in answers:
        yield from _values(answers[steps[0]], steps[1:], row)


_HOLDS = {
    "<": lambda value, bound: value < bound,
    "<=": lambda value, bound: value <= bound,
    ">": lambda value, bound: value > bound,
    ">=": lambda value, bound: value >= bound,
}


def check_values(answers: dict[str, Any], xform_xml: str) -> list[FindingDraft]:
    """Findings for the answers that this version of the questionnaire would refuse."""
    digest = hashlib.sha256(xform_xml.encode("utf-8")).hexdigest()
    found: list[FindingDraft] = []
    for rule in _rules_of(digest, xform_xml):
        for row, value in _values(answers, rule.path.split("/")):
            text = str(value).strip() if value is not None and not isinstance(value, dict) else ""
            if not text:
                continue
            if rule.choices is not None:
                chosen = text.split() if rule.type == "select_multiple" else [text]
                gone = [choice for choice in chosen if choice not in rule.choices]
                if gone:
                    found.append(
                        make_finding(
                            "value.choice_gone",
                            WARNING,
                            rule.path,
                            row,
                            _("The answer “%(value)s” is no longer a choice of this question."),
                            value=" ".join(gone),
                        )
                    )
                continue
            try:
                number = int(text) if rule.type == "integer" else float(text)
            except ValueError:
                found.append(
                    make_finding(
                        "value.out_of_range",
                        WARNING,
                        rule.path,
                        row,
                        _("The answer “%(value)s” is not a number."),
                        value=text[:40],
                    )
                )
                continue
            broken = [
                f"{op} {bound:g}" for op, bound in rule.bounds if not _HOLDS[op](number, bound)
            ]
            if broken:
                found.append(
                    make_finding(
                        "value.out_of_range",
                        WARNING,
                        rule.path,
                        row,
                        _("The answer %(value)s is outside what the question allows (%(rule)s)."),
                        value=text,
                        rule=" and ".join(broken),
                    )
                )
    return found
