"""The questionnaire's own words for the registry's stored codes (housing, assets).

The merge keeps the PPLS's answers as the form stores them: question names
and choice codes (``roof_material: tile``). A household's page shows them
with the labels of the form version its first source was answered on, in
the reader's language; a published version never changes, so its labels are
read once per process. Without a form (an import), the codes are shown.
"""

import functools
from dataclasses import dataclass, field

from forms.models import FormVersion
from forms.xform_outline import OutlineUnreadable, Texts, read_outline, short_language
from registry.models import Source


@dataclass(frozen=True)
class FormLabels:
    questions: dict[str, str] = field(default_factory=dict)  # question name → label
    choices: dict[tuple[str, str], str] = field(default_factory=dict)  # (name, code) → label

    def question(self, name: str, fallback: str) -> str:
        return self.questions.get(name, fallback)

    def choice(self, name: str, value: object) -> object:
        """A choice code's label (each code of a select_multiple's "a b c"); other values
        as they are."""
        if not isinstance(value, str) or not value:
            return value
        if (name, value) in self.choices:
            return self.choices[(name, value)]
        codes = value.split()
        if len(codes) > 1 and all((name, code) in self.choices for code in codes):
            return ", ".join(self.choices[(name, code)] for code in codes)
        return value


NO_LABELS = FormLabels()


def _text(texts: Texts, language: str) -> str:
    for lang, text in texts:
        if text and (short_language(lang) == language or lang == language):
            return text
    return next((text for _lang, text in texts if text), "")


@functools.lru_cache(maxsize=64)
def _labels(version_id: int, xform_md5: str, language: str) -> FormLabels:
    xform_xml = FormVersion.objects.values_list("xform_xml", flat=True).get(pk=version_id)
    try:
        outline = read_outline(xform_xml)
    except OutlineUnreadable:
        return NO_LABELS
    questions: dict[str, str] = {}
    choices: dict[tuple[str, str], str] = {}
    for node in outline.questions:
        label = _text(node.labels, language)
        if label:
            questions.setdefault(node.name, label)
        if node.choices is not None:
            for choice in node.choices.choices:
                text = _text(choice.labels, language)
                if text:
                    choices.setdefault((node.name, choice.value), text)
    return FormLabels(questions=questions, choices=choices)


def labels_of_source(source_id: int | None, language: str) -> FormLabels:
    """The labels of the form version that the source's submission answered (one query)."""
    if source_id is None:
        return NO_LABELS
    found = (
        Source.objects.filter(pk=source_id, submission__isnull=False)
        .values_list("submission__form_version_id", "submission__form_version__xform_md5")
        .first()
    )
    if found is None or found[0] is None:
        return NO_LABELS
    return _labels(found[0], found[1] or "", language.split("-")[0])
