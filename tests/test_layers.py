"""The layers hold for the schema too: every foreign key points to its own layer or below.

import-linter checks the imports (``make test``); a foreign key written as a
string (``"review.Submission"``) escapes it, so this test walks every model's
relations. The order is the one of pyproject.toml's layers contract, read from
there, so there is a single list to keep.
"""

import re
import tomllib
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    (layered,) = [c for c in contracts if c["type"] == "layers"]
    return list(layered["layers"])


def _depth(app_module: str, layers: list[str]) -> int | None:
    """The layer index of a project app (0 is the top), None for Django's own apps."""
    top = app_module.split(".")[0]
    return layers.index(top) if top in layers else None


def _relations() -> list[tuple[str, str, str, str]]:
    """(model, field, its app module, target app module) of every relation a model declares."""
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            target = field.related_model
            found.append(
                (
                    model._meta.label,
                    field.name,
                    model._meta.app_config.name,
                    target._meta.app_config.name,
                )
            )
    return found


def test_every_project_app_with_models_has_a_layer():
    layers = _layers()
    project_apps = {
        config.name
        for config in apps.get_app_configs()
        if (ROOT / config.name.replace(".", "/")).is_dir()
    }
    assert project_apps, "no project apps found"
    assert all(_depth(name, layers) is not None for name in project_apps), project_apps


def test_every_foreign_key_points_to_its_own_layer_or_below():
    layers = _layers()
    relations = _relations()
    # The walk must see the relations that matter, or it proves nothing.
    assert ("intake.Attachment", "submission", "intake", "intake") in relations
    assert any(source == "srs_forms.Questionnaire" for source, *_ in relations)
    upward = [
        f"{model}.{field} ({app} → {target})"
        for model, field, app, target in relations
        if (source_depth := _depth(app, layers)) is not None
        and (target_depth := _depth(target, layers)) is not None
        and target_depth < source_depth
    ]
    assert upward == []


def test_the_readmes_architecture_lists_the_layers_in_the_contracts_order():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "`" in line]
    documented = [row.split("`")[1].rstrip("/") for row in rows]
    assert documented == _layers()


def test_xml_is_parsed_by_the_one_hardened_reader_only():
    """foundation.untrusted_xml parses; nothing else in the apps opens XML its own way.

    The one exception, forms/workbook_limits.py, streams a workbook's sheets with
    lxml's iterparse, hardened the same way, to count rows in bounded memory.
    """
    parsing = re.compile(
        r"defusedxml|minidom|etree\.(fromstring|XML\(|XMLParser|parse\(|iterparse)"
        r"|ElementTree\.(fromstring|parse|XMLParser)|import fromstring"
    )
    allowed = {"foundation/untrusted_xml.py", "forms/workbook_limits.py"}
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for package in _layers()
        for path in sorted((ROOT / package).rglob("*.py"))
        if str(path.relative_to(ROOT)) not in allowed and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if parsing.search(line)
    ]
    assert offenders == []


def _namespace_apps() -> dict[str, str]:
    """URL namespace -> the project app whose urls module defines it."""
    from django.urls import get_resolver

    found: dict[str, str] = {}

    def walk(resolver) -> None:  # noqa: ANN001
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                module = getattr(pattern.urlconf_module, "__name__", "")
                if pattern.namespace and module:
                    found.setdefault(pattern.namespace, module.split(".")[0])
                walk(pattern)

    walk(get_resolver())
    return found


_URL_TAG = re.compile(r"""{%\s*url\s+['"]([\w-]+):""")


def test_templates_link_only_to_their_own_layer_or_below():
    """A template naming a URL of a higher app is an upward dependency that import-linter
    does not see (forms' draft page offers collector_api's QR code through
    forms.page_links instead)."""
    layers = _layers()
    namespaces = _namespace_apps()
    assert namespaces.get("forms") == "forms" and namespaces.get("phones") == "collector_api"
    upward = []
    checked = 0
    for app in layers:
        for template in sorted((ROOT / app).glob("templates/**/*.html")):
            for namespace in _URL_TAG.findall(template.read_text()):
                target = namespaces.get(namespace)
                checked += 1
                if target in layers and layers.index(target) < layers.index(app):
                    upward.append(f"{template.relative_to(ROOT)} → {namespace} ({target})")
    assert checked > 20, "the walk found almost no {% url %} tags: it proves nothing"
    assert upward == []


def test_no_bench_script_hides_a_standard_library_module():
    """A script run as ``python tests/bench/x.py`` has its folder first on the path: a
    ``queue.py`` there hid the standard library's (and broke concurrent.futures)."""
    import sys

    shadowing = [
        path.name
        for path in (ROOT / "tests" / "bench").glob("*.py")
        if path.stem in sys.stdlib_module_names
    ]
    assert shadowing == []
