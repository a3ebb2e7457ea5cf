"""The registry's names, once each (``PersonName``), for the name search's candidates.

Every path that gives a person a name (the merge, a conflict's resolution, an
import) calls ``note_names`` in its transaction with the names it set; the
retention drops the names no one holds any more (``forget_unused_names``).
"""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef

from registry.models import Person, PersonName


def note_names(keys: Iterable[str]) -> None:
    """Add these normalised names to the index (those already there are left alone)."""
    new = sorted({key for key in keys if key})
    if new:
        PersonName.objects.bulk_create(
            [PersonName(name_key=key) for key in new], ignore_conflicts=True
        )


def forget_unused_names() -> int:
    """Drop the names no person holds now; returns how many."""
    held = Person.objects.filter(name_key=OuterRef("name_key"))
    deleted, _by_model = PersonName.objects.exclude(Exists(held)).delete()
    return deleted
