from django.core.management.base import BaseCommand, CommandParser

from intake.processing import process_awaiting_submissions


class Command(BaseCommand):
    help = (
        "Make the thumbnails and answers of complete submissions awaiting them, now, in this "
        "process. The worker's sweep does the same every few seconds; this is for an operator "
        "(or a deployment without a worker). Safe to run at any time, also beside the worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=None, help="stop after this many")
        parser.add_argument("--seconds", type=float, default=3600.0, help="stop after this long")

    def handle(
        self, *args: object, limit: int | None = None, seconds: float = 3600.0, **options: object
    ) -> None:
        done = process_awaiting_submissions(seconds=seconds, limit=limit)
        self.stdout.write(f"{done} submissions processed.")
