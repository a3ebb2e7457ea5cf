"""The automatic checks of every processed submission, stored as findings of its item.

``check_submissions`` is run by the worker right after intake derived the
answers (``intake.signals.submissions_processed``; in process on the embedded
default) and by the sweep (``check_unchecked_submissions``) for what a crash
between the two left unchecked, or what an older ``CHECKS_VERSION`` checked.
It is idempotent: each item's findings, NIKs and photo hashes are replaced in
one transaction, under the lock of the item, so running it twice (or in two
workers at once) leaves one set.

A batch of submissions is checked in two parts: first the pure checks of
each (``review.submission_facts``: NIK, KK, GPS, photos, phones, values), with
no lock held; then, in one transaction, the batch's items are made (or moved
to an edit from the phone, state ``edited``) and locked, the checks that
compare with the rest of the queue run for the whole batch at once
(``review.queue_checks``), and everything is written with a few statements.
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from audit.trail import record_change
from forms.models import FormVersion, Questionnaire
from forms.versions import latest_published
from foundation import names
from intake.models import Attachment, Submission
from intake.processing import TRANSIENT_ERRORS
from review import queue_checks
from review.checks import photos
from review.models import AnswerVersion, Decision, Finding, PersonKey, PhotoHash, ReviewItem
from review.queue_checks import Stored
from review.queue_totals import queue_changed
from review.submission_facts import SubmissionFacts, is_plausible, pure_facts

logger = logging.getLogger(__name__)

# Raise it when a check changes: the sweep then checks every item again, a batch at a time.
CHECKS_VERSION = 2  # 2: the registry's households and people (issue #11)
BATCH_SIZE = 25
SWEEP_LOOKBACK = 20_000  # the newest submissions (by id) that the frequent sweep looks at


def _area_codes(submission: Submission) -> tuple[str, str]:
    """(kecamatan, village) of the submission's area ("" where it is larger)."""
    code = submission.area_id or ""
    steps = code.split(".")
    kecamatan = ".".join(steps[:3]) if len(steps) >= 3 else ""
    village = code if len(steps) >= 4 else ""
    return kecamatan, village


def _earlier_in_chain(submission: Submission) -> list[int]:
    """The ids of the versions this one supersedes, newest first (at most 100 steps)."""
    earlier: list[int] = []
    previous: int | None = submission.supersedes_id
    while previous is not None and len(earlier) < 100:
        earlier.append(previous)
        previous = (
            Submission.objects.filter(pk=previous).values_list("supersedes_id", flat=True).first()
        )
    return earlier


def _chain_item(submission: Submission) -> ReviewItem | None:
    """The item of the chain this submission belongs to, locked (None for a new chain)."""
    item = ReviewItem.objects.select_for_update().filter(submission_id=submission.pk).first()
    if item is not None or submission.supersedes_id is None:
        return item
    earlier = _earlier_in_chain(submission)
    return ReviewItem.objects.select_for_update().filter(submission_id__in=earlier).first()


def _move_item(item: ReviewItem, submission: Submission) -> None:
    """An edit from the phone: the chain's item now shows it, as ``edited``."""
    before = {"submission": item.submission_id, "state": item.state, "version": item.version}
    kecamatan, village = _area_codes(submission)
    state_before = item.state
    item.submission = submission
    item.form_version_id = submission.form_version_id
    item.kecamatan_code, item.village_code = kecamatan, village
    item.area_id = submission.area_id
    item.agent_id = submission.submitted_by_id
    item.state = ReviewItem.State.EDITED
    item.version += 1
    item.answers_number = 0  # the edit's answers as sent; earlier corrections stay as history
    item.save()
    now = timezone.now()
    Decision.objects.create(
        item=item,
        submission=submission,
        state_before=state_before,
        state_after=item.state,
        reason="edited",
        decided_by_id=submission.submitted_by_id,
        decided_at=now,
        version=item.version,
    )
    record_change(
        actor=submission.submitted_by,
        action="review.submission_edited",
        obj=item,
        area_code=submission.area_id or "",
        before=before,
        after={"submission": submission.pk, "state": item.state, "version": item.version},
    )
    queue_changed(submission.area_id or item.kecamatan_code)
    logger.info("review item moved to an edit item_id=%s submission_id=%s", item.pk, submission.pk)


def _items_for(batch: list[Submission]) -> tuple[dict[int, ReviewItem], list[Submission]]:
    """The locked items of the submissions' chains (moved to an edit as needed), by
    submission id, and the submissions that start a chain (their items are still to make).
    A submission that is no longer its chain's newest is in neither."""
    existing = {
        item.submission_id: item
        for item in ReviewItem.objects.select_for_update().filter(submission__in=batch)
    }
    # An edit may have superseded one since the batch was read: the edit is checked instead.
    current = set(
        Submission.objects.filter(pk__in=[s.pk for s in batch], is_current=True).values_list(
            "pk", flat=True
        )
    )
    found: dict[int, ReviewItem] = {}
    new: list[Submission] = []
    for submission in batch:
        if submission.pk not in current:
            continue
        if submission.pk in existing:
            found[submission.pk] = existing[submission.pk]
        elif submission.supersedes_id is not None:
            item = _chain_item(submission)
            if item is None:
                new.append(submission)
            elif _is_newer(item.submission_id, submission):
                _move_item(item, submission)
                found[submission.pk] = item
        else:
            new.append(submission)
    return found, new


def _columns(facts: SubmissionFacts, stored: list[Stored], now: Any) -> dict[str, Any]:
    """The item's columns that the checks fill."""
    point = facts.point if is_plausible(facts.point) else None
    return {
        "head_name": facts.head_name[:255],
        "head_name_key": names.name_key(facts.head_name)[:255] if facts.head_name else "",
        "head_nik": facts.head_nik[:32],
        "kk_number": facts.kk[:32],
        "location": Point(point.lon, point.lat, srid=4326) if point is not None else None,
        "location_accuracy_m": getattr(point, "accuracy", None) if point is not None else None,
        "findings_count": len(stored),
        "worst_severity": max((s.draft.severity for s in stored), default=0),
        "checks_version": CHECKS_VERSION,
        "checked_at": now,
        "check_error": facts.error,
    }


def _item_of(submission: Submission, columns: dict[str, Any]) -> ReviewItem:
    kecamatan, village = _area_codes(submission)
    return ReviewItem(
        submission=submission,
        questionnaire_id=submission.questionnaire_id,
        form_version_id=submission.form_version_id,
        kecamatan_code=kecamatan,
        village_code=village,
        area_id=submission.area_id,
        agent_id=submission.submitted_by_id,
        received_at=submission.received_at,
        **columns,
    )


@transaction.atomic
def _check_batch(batch: list[Submission], facts: dict[int, SubmissionFacts]) -> int:
    items, new = _items_for(batch)
    if not items and not new:
        return 0
    # The queue's checks key each household by its item; one still to make by -submission id.
    keys = {submission_id: item.pk for submission_id, item in items.items()}
    keys.update({submission.pk: -submission.pk for submission in new})
    by_key = {key: facts[submission_id] for submission_id, key in keys.items()}
    sound = {key: f for key, f in by_key.items() if not f.error}
    stored: dict[int, list[Stored]] = {
        key: [Stored(d) for d in f.drafts] for key, f in by_key.items()
    }
    villages = {item.pk: item.village_code for item in items.values()}
    villages.update({-s.pk: _area_codes(s)[1] for s in new})
    for found in (
        queue_checks.same_niks(sound),
        queue_checks.duplicate_households(sound),
        queue_checks.far_from_village(sound, villages),
        queue_checks.same_photos(sound),
        queue_checks.in_registry(sound),
    ):
        for key, more in found.items():
            stored[key] += more
    now = timezone.now()
    pk_of = {key: key for key in keys.values() if key > 0}
    if new:
        # Made with their columns at once; should another worker have made one meanwhile,
        # the IntegrityError rolls the batch back and _check_batch_racing runs it again.
        made = ReviewItem.objects.bulk_create(
            _item_of(s, _columns(facts[s.pk], stored[-s.pk], now)) for s in new
        )
        pk_of.update({-item.submission_id: item.pk for item in made})
    if items:
        old = [item.pk for item in items.values()]
        Finding.objects.filter(item_id__in=old).delete()
        PersonKey.objects.filter(item_id__in=old).delete()
        PhotoHash.objects.filter(item_id__in=old).delete()
    Finding.objects.bulk_create(
        Finding(
            item_id=pk_of[key],
            submission_id=submission_id,
            check_name=s.draft.check,
            severity=s.draft.severity,
            field=s.draft.field,
            member_index=s.draft.member_index,
            message_id=s.draft.message_id,
            message_en=s.draft.message_en,
            related_item_id=(
                pk_of.get(s.related_item_id, s.related_item_id) if s.related_item_id else None
            ),
        )
        for submission_id, key in keys.items()
        for s in stored[key]
    )
    PersonKey.objects.bulk_create(
        PersonKey(
            item_id=pk_of[key],
            submission_id=submission_id,
            nik=number[:32],
            member_index=index,
            name_key=names.name_key(name)[:255] if name else "",
        )
        for submission_id, key in keys.items()
        for number, index, _path, name in facts[submission_id].niks
    )
    PhotoHash.objects.bulk_create(
        _photo_hash(pk_of[key], submission_id, filename, phash)
        for submission_id, key in keys.items()
        for _path, filename, phash in facts[submission_id].hashes
    )
    for submission_id, item in items.items():
        ReviewItem.objects.filter(pk=item.pk).update(
            **_columns(facts[submission_id], stored[item.pk], now), updated_at=now
        )
    return len(keys)


def _check_batch_racing(batch: list[Submission], facts: dict[int, SubmissionFacts]) -> int:
    """_check_batch; when another worker made an item of the batch meanwhile (the unique
    submission of an item refuses the second), once more: it now finds that item."""
    try:
        return _check_batch(batch, facts)
    except IntegrityError:
        logger.info("review items made meanwhile by another worker submissions=%s", len(batch))
        return _check_batch(batch, facts)


def _photo_hash(item_id: int, submission_id: int, filename: str, phash: str) -> PhotoHash:
    b0, b1, b2, b3 = photos.phash_bands(phash)
    return PhotoHash(
        item_id=item_id,
        submission_id=submission_id,
        filename=filename,
        phash=phash,
        band0=b0,
        band1=b1,
        band2=b2,
        band3=b3,
    )


def _is_newer(current_id: int, submission: Submission) -> bool:
    """Is ``submission`` later in the chain than the item's ``current_id``?"""
    return current_id in _earlier_in_chain(submission)


def _current_versions(questionnaire_ids: Iterable[int]) -> dict[int, FormVersion | None]:
    return {
        questionnaire.pk: latest_published(questionnaire)
        for questionnaire in Questionnaire.objects.filter(pk__in=set(questionnaire_ids))
    }


def _corrected_answers(batch: list[Submission]) -> dict[int, dict[str, Any]]:
    """The reviewers' corrected answers of these submissions' items (the current version)."""
    rows = AnswerVersion.objects.filter(
        item__submission__in=batch, number=F("item__answers_number")
    ).values_list("item__submission_id", "answers")
    return {submission_id: answers for submission_id, answers in rows if isinstance(answers, dict)}


def check_submissions(submission_ids: Iterable[int]) -> int:
    """Run every check on these submissions (processed, current ones); returns how many.

    Idempotent: a submission checked again has its findings replaced, never
    doubled. An edit moves its chain's item to it (state ``edited``). Database
    errors are raised (the sweep tries again later); anything else that goes
    wrong with one submission is logged and told as a ``checks.failed`` finding.
    """
    ids = sorted(set(submission_ids))
    done = 0
    for start in range(0, len(ids), BATCH_SIZE):
        batch = list(
            Submission.objects.filter(
                pk__in=ids[start : start + BATCH_SIZE],
                processed_at__isnull=False,
                is_current=True,
                erased_at=None,
            ).select_related("submitted_by")
        )
        if not batch:
            continue
        files: dict[int, dict[str, Attachment]] = {}
        for attachment in Attachment.objects.filter(submission__in=batch):
            files.setdefault(attachment.submission_id, {})[attachment.filename] = attachment
        current = _current_versions(s.questionnaire_id for s in batch)
        corrected = _corrected_answers(batch)
        facts = {
            submission.pk: pure_facts(
                submission,
                files.get(submission.pk, {}),
                current.get(submission.questionnaire_id),
                corrected.get(submission.pk),
            )
            for submission in batch
        }
        try:
            done += _check_batch_racing(batch, facts)
        except TRANSIENT_ERRORS:
            raise
        except Exception:  # a bug: the batch one by one, so that one holds up no other
            logger.exception("storing checks failed submissions=%s", len(batch))
            for submission in batch:
                try:
                    done += _check_batch([submission], {submission.pk: facts[submission.pk]})
                except TRANSIENT_ERRORS:
                    raise
                except Exception:
                    logger.exception("storing checks failed submission_id=%s", submission.pk)
    logger.info("submissions checked count=%s", done)
    return done


def unchecked_submissions(*, lookback: int | None = SWEEP_LOOKBACK, limit: int = 500) -> list[int]:
    """Processed current submissions without an item (or whose item is on an earlier
    version of the chain), and items checked by an older CHECKS_VERSION, oldest first.

    ``lookback`` bounds the first part to the newest submissions by id (the
    primary key's index), for a sweep every few seconds; None looks at all.
    """
    missing = Submission.objects.filter(
        processed_at__isnull=False, is_current=True, review_item__isnull=True, erased_at=None
    )
    if lookback is not None:
        newest = Submission.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        missing = missing.filter(pk__gt=newest - lookback)
    found = list(missing.order_by("pk").values_list("pk", flat=True)[:limit])
    # An erased submission (its retention ended) has nothing left to check.
    stale = ReviewItem.objects.filter(
        checks_version__lt=CHECKS_VERSION, submission__erased_at=None
    ).values_list("submission_id", flat=True)[:limit]
    return sorted(set(found) | set(stale))[:limit]


def check_unchecked_submissions(*, lookback: int | None = SWEEP_LOOKBACK, limit: int = 2000) -> int:
    """The sweep: check what no one checked yet (or with older checks); returns how many."""
    done = 0
    while done < limit:
        # The request's ride-along (limit 2) asks the database for two, not five hundred.
        ids = unchecked_submissions(lookback=lookback, limit=min(500, limit - done))
        if not ids:
            break
        checked = check_submissions(ids)
        done += len(ids)
        if not checked:
            break
    return done


def recheck(*, questionnaire_id: int | None = None, submission_id: int | None = None) -> int:
    """Check again the current submissions of one questionnaire, or one submission, or all."""
    items = ReviewItem.objects.all()
    submissions = Submission.objects.filter(processed_at__isnull=False, is_current=True)
    if questionnaire_id is not None:
        items = items.filter(questionnaire_id=questionnaire_id)
        submissions = submissions.filter(questionnaire_id=questionnaire_id)
    if submission_id is not None:
        ids = [submission_id]
    else:
        ids = list(items.values_list("submission_id", flat=True)) + list(
            submissions.filter(review_item__isnull=True).values_list("pk", flat=True)
        )
    return check_submissions(ids)
