"""What a draft changes against the published version: questions added, removed, changed.

Questions (and groups, repeats) are matched by their path in the form; one that
moved to another group but kept its name, unique in both versions, is a change
of place rather than a removal and an addition. For a matched question every
aspect a field agent or a reviewer would notice is compared: the type, each
language's label, hint and messages, the choices (added, removed, relabelled)
and the logic (relevant, constraint, required, calculation, read only, choice
filter, default).
"""

from collections import Counter
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from forms.xform_outline import Choice, Outline, OutlineNode, Texts, text_in

# The name people read for each aspect that may change (the keys are stable codes).
ASPECTS: dict[str, str | Promise] = {
    "place": _("place in the form"),
    "type": _("type"),
    "label": _("label"),
    "hint": _("hint"),
    "constraint_message": _("constraint message"),
    "required_message": _("required message"),
    "relevant": _("relevant"),
    "constraint": _("constraint"),
    "required": _("required"),
    "calculation": _("calculation"),
    "read_only": _("read only"),
    "repeat_count": _("repeat count"),
    "choice_filter": _("choice filter"),
    "choice_file": _("choices from file"),
    "choice_list": _("choice list"),
    "appearance": _("appearance"),
    "default": _("default"),
}


@dataclass(frozen=True)
class AspectChange:
    aspect: str  # a key of ASPECTS
    language: str  # "" for an aspect without language
    before: str
    after: str

    @property
    def aspect_label(self) -> str:
        return str(ASPECTS[self.aspect])


@dataclass(frozen=True)
class ChoiceRelabel:
    value: str
    language: str
    before: str
    after: str


@dataclass(frozen=True)
class ChoiceChanges:
    added: tuple[Choice, ...] = ()
    removed: tuple[Choice, ...] = ()
    relabelled: tuple[ChoiceRelabel, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.relabelled)


@dataclass(frozen=True)
class NodeChange:
    before: OutlineNode
    after: OutlineNode
    changes: tuple[AspectChange, ...]
    choices: ChoiceChanges

    @property
    def path(self) -> str:
        return self.after.path


@dataclass(frozen=True)
class VersionDiff:
    base_version: str
    added: tuple[OutlineNode, ...]
    removed: tuple[OutlineNode, ...]
    changed: tuple[NodeChange, ...]
    languages_added: tuple[str, ...]
    languages_removed: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.languages_added
            or self.languages_removed
        )


def _text_changes(
    aspect: str, before: Texts, after: Texts, languages: list[str]
) -> list[AspectChange]:
    return [
        AspectChange(aspect, language, text_in(before, language), text_in(after, language))
        for language in languages
        if text_in(before, language) != text_in(after, language)
    ]


def _yes_no(expression: str) -> str:
    """required and read_only as the workbook says them: yes, no, or an expression."""
    if expression == "true()":
        return "yes"
    if expression in ("", "false()"):
        return "no"
    return expression


def _logic(node: OutlineNode) -> dict[str, str]:
    logic = dict(node.logic)
    # "required: yes" is not in node.logic (it is shown as a mark), but changing it matters.
    logic["required"] = _yes_no(node.required)
    logic["read_only"] = _yes_no(node.readonly)
    logic["appearance"] = node.appearance
    return logic


def _choice_changes(before: OutlineNode, after: OutlineNode, languages: list[str]) -> ChoiceChanges:
    old = {c.value: c for c in before.choices.choices} if before.choices else {}
    new = {c.value: c for c in after.choices.choices} if after.choices else {}
    relabelled = [
        ChoiceRelabel(
            value,
            language,
            text_in(old[value].labels, language),
            text_in(new[value].labels, language),
        )
        for value in new
        if value in old
        for language in languages
        if text_in(old[value].labels, language) != text_in(new[value].labels, language)
    ]
    return ChoiceChanges(
        added=tuple(c for value, c in new.items() if value not in old),
        removed=tuple(c for value, c in old.items() if value not in new),
        relabelled=tuple(relabelled),
    )


def _compare(before: OutlineNode, after: OutlineNode, languages: list[str]) -> NodeChange | None:
    changes: list[AspectChange] = []
    if before.path != after.path:
        changes.append(AspectChange("place", "", before.path, after.path))
    if before.type != after.type:
        changes.append(AspectChange("type", "", before.type, after.type))
    changes += _text_changes("label", before.labels, after.labels, languages)
    changes += _text_changes("hint", before.hints, after.hints, languages)
    changes += _text_changes(
        "constraint_message", before.constraint_messages, after.constraint_messages, languages
    )
    changes += _text_changes(
        "required_message", before.required_messages, after.required_messages, languages
    )
    old_logic, new_logic = _logic(before), _logic(after)
    for aspect in ASPECTS:
        if aspect in old_logic or aspect in new_logic:
            if old_logic.get(aspect, "") != new_logic.get(aspect, ""):
                changes.append(
                    AspectChange(aspect, "", old_logic.get(aspect, ""), new_logic.get(aspect, ""))
                )
    old_file = before.choices.file if before.choices else ""
    new_file = after.choices.file if after.choices else ""
    if old_file != new_file:
        changes.append(AspectChange("choice_file", "", old_file, new_file))
    old_list = before.choices.list_name if before.choices else ""
    new_list = after.choices.list_name if after.choices else ""
    if old_list != new_list:
        changes.append(AspectChange("choice_list", "", old_list, new_list))
    choices = _choice_changes(before, after, languages)
    if not changes and not choices:
        return None
    return NodeChange(before=before, after=after, changes=tuple(changes), choices=choices)


def _unique_names(outline: Outline) -> dict[str, OutlineNode]:
    counts = Counter(node.name for node in outline.nodes)
    return {node.name: node for node in outline.nodes if counts[node.name] == 1}


def diff_outlines(base: Outline, draft: Outline) -> VersionDiff:
    """What ``draft`` changes against ``base`` (the published version), in the draft's order."""
    base_paths = {node.path: node for node in base.nodes}
    draft_paths = {node.path: node for node in draft.nodes}
    base_names, draft_names = _unique_names(base), _unique_names(draft)
    # A node whose path is new but whose unique name existed elsewhere has moved.
    moved = {
        node.path: base_names[node.name]
        for node in draft.nodes
        if node.path not in base_paths
        and node.name in base_names
        and node.name in draft_names
        and base_names[node.name].path not in draft_paths
    }
    moved_from = {node.path for node in moved.values()}
    # Texts are compared in every language either version has.
    languages = list(dict.fromkeys([*draft.languages, *base.languages]))
    added, changed = [], []
    for node in draft.nodes:
        previous = base_paths.get(node.path) or moved.get(node.path)
        if previous is None:
            added.append(node)
            continue
        change = _compare(previous, node, languages)
        if change is not None:
            changed.append(change)
    removed = [
        node for node in base.nodes if node.path not in draft_paths and node.path not in moved_from
    ]
    return VersionDiff(
        base_version=base.version,
        added=tuple(added),
        removed=tuple(removed),
        changed=tuple(changed),
        languages_added=tuple(lang for lang in draft.languages if lang not in base.languages),
        languages_removed=tuple(lang for lang in base.languages if lang not in draft.languages),
    )
