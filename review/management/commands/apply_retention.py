import json

from django.core.management.base import BaseCommand, CommandParser

from review.retention import apply_retention


class Command(BaseCommand):
    help = (
        "Erase and delete what the retention periods (SRS_RETENTION_*_DAYS, see "
        "deploy/DATA-PROTECTION.md) reached: old rejected and decided submissions, documents, "
        "registry households and people, audit records, departed staff's details. Celery beat "
        "runs it daily; safe to stop and to run again. --dry-run only counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args: object, dry_run: bool = False, **options: object) -> None:
        report = apply_retention(dry_run=dry_run)
        self.stdout.write(json.dumps(report.as_dict(), indent=2))
