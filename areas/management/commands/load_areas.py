from django.core.management.base import BaseCommand, CommandError, CommandParser

from areas.area_import import load_areas
from areas.errors import AreasError


class Command(BaseCommand):
    help = (
        "Load Indonesia's provinces, regencies, kecamatan and villages (idn-area-data, ODbL). "
        "Idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "scope",
            nargs="?",
            help="a province or regency code, e.g. 35 or 35.07; all of Indonesia when omitted",
        )

    def handle(self, *args: object, scope: str | None = None, **options: object) -> None:
        try:
            result = load_areas(scope=scope)
        except AreasError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write(
            f"Areas {scope or 'of all Indonesia'}: {result.created} created, "
            f"{result.updated} updated, {result.unchanged} unchanged."
        )
        self.stdout.write(
            "Area data: idn-area-data, available under the Open Database License (ODbL)."
        )
