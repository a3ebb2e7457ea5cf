from django.core.management.base import BaseCommand, CommandParser

from review.queries import submissions_awaiting_answers
from review.tasks import process_submission


class Command(BaseCommand):
    help = (
        "Queue the processing of complete submissions whose answers were never derived "
        "(after a worker crash). Safe to run at any time, e.g. every few minutes from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=int, default=60, help="seconds since completion")

    def handle(self, *args: object, older_than: int = 60, **options: object) -> None:
        ids = list(submissions_awaiting_answers(older_than).values_list("pk", flat=True)[:10000])
        for submission_id in ids:
            process_submission.delay(submission_id)
        self.stdout.write(f"{len(ids)} submissions queued for processing.")
