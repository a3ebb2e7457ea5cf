from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from forms.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo
from foundation.errors import DomainError
from intake.demo_submissions import seed_sample_submissions
from registry.models import Source
from review.decisions import approve
from review.models import ReviewItem


def _approve_two_households() -> int:
    """A registry to look at: the demo reviewer approves the two oldest sample households
    without findings (once: not again when the registry holds any), the rest wait."""
    if Source.objects.exists():
        return 0
    reviewer = User.objects.get(username="reviewer")
    waiting = ReviewItem.objects.filter(
        questionnaire__form_id="ppls_household",
        state=ReviewItem.State.RECEIVED,
        findings_count=0,
        checks_version__gt=0,
    ).order_by("received_at", "pk")[:2]
    for item in waiting:
        approve(
            user=reviewer,
            item_id=item.pk,
            version=item.version,
            comment="Demo: checked with the family card at the village office.",
        )
    return len(waiting)


class Command(BaseCommand):
    help = (
        "Install the demo: Kabupaten Malang, one user per role, the four questionnaires and "
        "sample households sent by the demo field agent. Refused in production."
    )

    def handle(self, *args: object, **options: object) -> None:
        try:
            result = seed_demo()
            households = seed_sample_submissions(agent=User.objects.get(username="agent"))
            merged = _approve_two_households()
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write(
            f"Demo ready: {len(result.users_created)} users, "
            f"{len(result.questionnaires_created)} questionnaires and {households} sample "
            f"households created (existing ones left as they were); {merged} approved into "
            "the registry."
        )
        self.stdout.write(f"Demo logins (password '{DEMO_PASSWORD}' for all):")
        for username, (_name, role, codes) in DEMO_USERS.items():
            where = ", ".join(c or "Indonesia" for c in codes) or "everywhere"
            label = role.label if role else "Administrator"
            self.stdout.write(f"  {username:<12} {label} ({where})")
