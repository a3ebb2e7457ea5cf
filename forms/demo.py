"""The demo installation: Kabupaten Malang, a user of every role, the four questionnaires.

Only for the embedded default; it refuses to run in production. Running it
again changes nothing that is already there.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from accounts.models import Role, User
from accounts.staff import assign_role
from areas.area_import import load_areas
from areas.models import Area
from forms.models import Questionnaire
from forms.questionnaire_source import build_xlsx, source_files
from forms.versions import create_questionnaire, publish_form_version, set_deployment
from foundation.errors import DomainError

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "demo"
MALANG = "35.07"
KEPANJEN = "35.07.13"
PAGELARAN = "35.07.33"
EAST_JAVA = "35"
AGENT_VILLAGES = ("35.07.13.1010", "35.07.13.2011", "35.07.13.2003")

# username: (full name, role, area codes; None is the whole country)
DEMO_USERS: dict[str, tuple[str, Role | None, tuple[str | None, ...]]] = {
    "agent": ("Siti Rahayu", Role.FIELD_AGENT, AGENT_VILLAGES),
    "reviewer": ("Budi Santoso", Role.REVIEWER, (KEPANJEN,)),
    "reviewer2": ("Dewi Lestari", Role.REVIEWER, (PAGELARAN,)),
    "coordinator": ("Agus Wibowo", Role.COORDINATOR, (MALANG,)),
    "district": ("Rina Kusuma", Role.DISTRICT_STAFF, (MALANG,)),
    "monitor": ("Hendra Gunawan", Role.MONITOR, (EAST_JAVA,)),
    "auditor": ("Wulan Sari", Role.AUDITOR, (MALANG,)),
    "admin": ("Administrator SRS", None, ()),
}


class DemoRefused(DomainError):
    code = "demo_refused"
    message = "The demo data cannot be installed in production."


@dataclass
class DemoResult:
    users_created: list[str] = field(default_factory=list)
    questionnaires_created: list[str] = field(default_factory=list)


def _ensure_user(username: str, full_name: str, is_superuser: bool) -> tuple[User, bool]:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    first, _, last = full_name.partition(" ")
    user = User.objects.create_user(
        username=username,
        password=DEMO_PASSWORD,
        first_name=first,
        last_name=last,
        is_staff=is_superuser,
        is_superuser=is_superuser,
    )
    return user, True


def seed_demo() -> DemoResult:
    """Install the demo; idempotent. Raises DemoRefused in production (before any query)."""
    if settings.IS_PRODUCTION:
        raise DemoRefused()
    with transaction.atomic():
        return _seed()


def _seed() -> DemoResult:
    result = DemoResult()
    if not Area.objects.filter(code=MALANG).exists():
        load_areas(scope=MALANG)
    for username, (full_name, role, codes) in DEMO_USERS.items():
        user, created = _ensure_user(username, full_name, is_superuser=role is None)
        if created:
            result.users_created.append(username)
            for code in codes:
                area = Area.objects.get(code=code) if code else None
                assign_role(user=user, role=role or Role.ADMINISTRATOR, area=area)
    district = User.objects.get(username="district")
    malang = Area.objects.get(code=MALANG)
    pilot = list(Area.objects.filter(code__in=[KEPANJEN, PAGELARAN]))
    for source in source_files():
        form_id = source.stem
        if Questionnaire.objects.filter(form_id=form_id).exists():
            continue
        version = create_questionnaire(
            workbook=build_xlsx(source),
            filename=f"{form_id}.xlsx",
            owner_area=malang,
            user=district,
        )
        publish_form_version(version=version, user=district)
        set_deployment(questionnaire=version.questionnaire, areas=pilot, user=district)
        result.questionnaires_created.append(form_id)
    logger.info(
        "demo seeded users=%s questionnaires=%s",
        len(result.users_created),
        len(result.questionnaires_created),
    )
    return result
