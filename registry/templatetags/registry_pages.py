"""Small template filters of the registry's pages."""

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def shown(value: Any) -> str:
    """A registry value (text, number, list, dict, yes/no) as one line of text; "—" if none.

    The values reaching a template are already masked (``registry.presentation``).
    """
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {shown(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(shown(item) for item in value)
    return str(value)
