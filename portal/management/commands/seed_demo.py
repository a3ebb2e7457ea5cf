from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from forms.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo
from foundation.errors import DomainError
from intake.demo_submissions import seed_sample_submissions


class Command(BaseCommand):
    help = (
        "Install the demo: Kabupaten Malang, one user per role, the four questionnaires and "
        "sample households sent by the demo field agent. Refused in production."
    )

    def handle(self, *args: object, **options: object) -> None:
        try:
            result = seed_demo()
            households = seed_sample_submissions(agent=User.objects.get(username="agent"))
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write(
            f"Demo ready: {len(result.users_created)} users, "
            f"{len(result.questionnaires_created)} questionnaires and {households} sample "
            "households created (existing ones left as they were)."
        )
        self.stdout.write(f"Demo logins (password '{DEMO_PASSWORD}' for all):")
        for username, (_name, role, codes) in DEMO_USERS.items():
            where = ", ".join(c or "Indonesia" for c in codes) or "everywhere"
            label = role.label if role else "Administrator"
            self.stdout.write(f"  {username:<12} {label} ({where})")
