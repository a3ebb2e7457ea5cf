"""Run the automatic checks again, when they changed: ``manage.py recheck_submissions``."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.trail import audit_source
from forms.models import Questionnaire
from review.checking import check_unchecked_submissions, recheck


class Command(BaseCommand):
    help = "Check submissions again: one (--submission), one questionnaire's (--form-id), or all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--form-id", help="the questionnaire's form_id")
        parser.add_argument("--submission", type=int, help="one submission's id")
        parser.add_argument(
            "--unchecked",
            action="store_true",
            help="only those never checked, or checked by older checks (the sweep, over all)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_source("command recheck_submissions"):
            if options["unchecked"]:
                count = check_unchecked_submissions(lookback=None, limit=10**9)
            else:
                questionnaire_id = None
                if options["form_id"]:
                    found = Questionnaire.objects.filter(form_id=options["form_id"]).first()
                    if found is None:
                        raise CommandError(f"no questionnaire {options['form_id']!r}")
                    questionnaire_id = found.pk
                count = recheck(
                    questionnaire_id=questionnaire_id, submission_id=options["submission"]
                )
        self.stdout.write(f"{count} submissions checked")
