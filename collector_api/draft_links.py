"""Draft test links: a QR code that lets a phone fill one draft before it is published.

As ODK Central's draft testing: the link's server URL is ``/draft/<token>/``,
under which the OpenRosa endpoints serve that draft and nothing else, and
what the phone sends is kept with the draft (``forms.draft_tests``), never
ingested. The token is the credential; only its SHA-256 is stored. A link
works while it is not revoked and its version is still the draft of an
active questionnaire; replacing or discarding the draft deletes its links.
"""

import logging
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from audit.trail import record_change
from collector_api.models import DraftTestLink, hash_token
from forms.errors import DraftNotBeingTested
from forms.models import FormVersion
from forms.page_links import PageLink

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewDraftTestLink:
    link: DraftTestLink
    token: str  # shown once, in the QR code; only its hash is stored


@transaction.atomic
def create_draft_test_link(*, version: FormVersion, created_by: User) -> NewDraftTestLink:
    """A new test link for a draft. Raises DraftNotBeingTested for a published version."""
    version = (
        FormVersion.objects.select_for_update().select_related("questionnaire").get(pk=version.pk)
    )
    if version.is_published or version.questionnaire.is_archived:
        raise DraftNotBeingTested()
    token = secrets.token_urlsafe(32)
    link = DraftTestLink.objects.create(
        form_version=version, token_hash=hash_token(token), created_by=created_by
    )
    record_change(
        actor=created_by,
        action="forms.draft_test_link_created",
        obj=link,
        area_code=version.questionnaire.owner_area_id,
        after={"form_id": version.questionnaire.form_id, "version": version.version},
    )
    logger.info("draft test link created link_id=%s form_version_id=%s", link.pk, version.pk)
    return NewDraftTestLink(link=link, token=token)


@transaction.atomic
def revoke_draft_test_link(*, link: DraftTestLink, revoked_by: User) -> DraftTestLink:
    """Stop the link at once; idempotent."""
    link = (
        DraftTestLink.objects.select_for_update()
        .select_related("form_version__questionnaire")
        .get(pk=link.pk)
    )
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        record_change(
            actor=revoked_by,
            action="forms.draft_test_link_revoked",
            obj=link,
            area_code=link.form_version.questionnaire.owner_area_id,
            before={"revoked_at": None},
            after={"revoked_at": link.revoked_at.isoformat()},
        )
        logger.info("draft test link revoked link_id=%s by user_id=%s", link.pk, revoked_by.pk)
    return link


def get_tested_draft(token: str) -> FormVersion:
    """The draft a test link serves; DraftNotBeingTested (404) for any link that does not work.

    Unknown, revoked and outdated links get the same answer: it says nothing
    about which tokens exist.
    """
    link = (
        DraftTestLink.objects.select_related("form_version__questionnaire")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if link is None:
        raise DraftNotBeingTested()
    version = link.form_version
    if version.is_published or version.questionnaire.is_archived:
        raise DraftNotBeingTested()
    return version


def draft_test_page_links(form_version: FormVersion) -> list[PageLink]:
    """The draft's page links to its test QR code (forms.page_links asks for it)."""
    if form_version.is_published:
        return []
    url = reverse(
        "phones:draft_test",
        args=[form_version.questionnaire.form_id, form_version.version],
    )
    return [PageLink(label=gettext("Draft test QR code"), url=url, element_id="draft-test-link")]
