"""Merge into the registry what was approved before the merge existed: ``manage.py
merge_approved`` (idempotent: what is merged already is left as it is)."""

from typing import Any

from django.core.management.base import BaseCommand

from audit.trail import audit_source
from review.decisions import merge_approved_waiting


class Command(BaseCommand):
    help = "Merge approved submissions that are not in the registry yet (each once)."

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_source("command merge_approved"):
            merged, refused = merge_approved_waiting()
        self.stdout.write(f"{merged} approved submissions merged, {refused} refused (see the log)")
