"""Links that the layers above add to a form version's page, without forms knowing them.

The draft test QR code lives in ``collector_api`` (a layer above forms), so the
version page may not name its URL. Instead collector_api registers a provider
when Django starts (its AppConfig.ready); the page asks every provider for its
links. Imports and URL names keep pointing down the layers.
"""

from collections.abc import Callable
from dataclasses import dataclass

from forms.models import FormVersion


@dataclass(frozen=True)
class PageLink:
    """One link of a version page: its text (translated), URL and the element id."""

    label: str
    url: str
    element_id: str = ""


LinkProvider = Callable[[FormVersion], list[PageLink]]

_providers: list[LinkProvider] = []


def register_version_links(provider: LinkProvider) -> None:
    """Add ``provider``; registering the same one twice (a reload) adds it once."""
    if provider not in _providers:
        _providers.append(provider)


def version_links(form_version: FormVersion) -> list[PageLink]:
    """Every registered provider's links for this version, in the order of registration."""
    return [link for provider in _providers for link in provider(form_version)]
