"""Small template filters of the review pages."""

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Mapping[str, Any], key: str) -> Any:
    """``mapping[key]``, or None: a photo's attachment by its filename."""
    return mapping.get(key) if isinstance(mapping, Mapping) else None
