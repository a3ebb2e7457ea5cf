"""The automatic checks of every processed submission, stored as findings of its item.

``check_submissions`` is run by the worker right after intake derived the
answers (``intake.signals.submissions_processed``; in process on the embedded
default) and by the sweep (``check_unchecked_submissions``) for what a crash
between the two left unchecked, or what an older ``CHECKS_VERSION`` checked.
It is idempotent: each submission's findings, NIKs and photo hashes are
replaced in one transaction, under the lock of its item, so running it twice
(or in two workers at once) leaves one set.

The work for one submission has two parts: the pure checks of
``review.checks`` (no database: NIK, KK, GPS, photos, phones, values), done
before any lock is taken; then, under the item's lock, the checks that need
the other submissions of the queue (the same NIK elsewhere, a possible
duplicate household, GPS far from the village's other households, the same
photo) and the writes. A finding's message never names another submission's
data (its village, name or id): the pages show ``related_item`` only to a
reader who may see it.
"""

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.contrib.gis.geos import Point, Polygon
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.trail import record_change
from forms.models import FormVersion
from forms.versions import latest_published
from intake.models import Attachment, Submission
from intake.processing import TRANSIENT_ERRORS
from review.checks import form_values, gps, names, nik, phones, photos
from review.checks.base import ERROR, INFO, WARNING, FindingDraft, make_finding
from review.form_roles import FormRoles, roles_of_version, rows_at, value_at
from review.models import AnswerVersion, Decision, Finding, PersonKey, PhotoHash, ReviewItem

logger = logging.getLogger(__name__)

# Raise it when a check changes: the sweep then checks every item again, a batch at a time.
CHECKS_VERSION = 1
BATCH_SIZE = 25
DUPLICATE_DISTANCE_M = 50.0
NEIGHBOURS = 60  # the village's households a location is compared with (the newest)
SWEEP_LOOKBACK = 20_000  # the newest submissions (by id) that the frequent sweep looks at

_DUPLICATE_HEAD_NIK = _(
    "Possibly the same household as another submission: the same NIK of the head of household."
)
_DUPLICATE_KK = _(
    "Possibly the same household as another submission: the same family card (KK) number."
)
_DUPLICATE_NEARBY = _(
    "Possibly the same household as another submission: within %(metres)s m, with a similar "
    "name of the head of household."
)
_NIK_ELSEWHERE = _("This NIK is also given in another submission of this questionnaire.")
_PHOTO_ELSEWHERE = _("The same picture as a photo of another submission.")
_CHECKS_FAILED = _("The automatic checks could not run on this submission: check it by hand.")


@dataclass
class _Facts:
    """What the pure checks found in one submission, before the database is asked."""

    drafts: list[FindingDraft] = field(default_factory=list)
    head_name: str = ""
    head_nik: str = ""
    kk: str = ""
    point: Any = None  # review.checks.gps.GeoPoint
    niks: list[tuple[str, int | None, str, str]] = field(default_factory=list)
    # (nik, member_index, field, name)
    hashes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, filename, phash)
    error: str = ""


# --- the pure part ---------------------------------------------------------------------


def _as_list(found: Any) -> list[FindingDraft]:
    if found is None:
        return []
    if isinstance(found, FindingDraft):
        return [found]
    return list(found)


def _submitted_at(answers: dict[str, Any], received_at: datetime) -> datetime:
    """When the form was filled: its ``end`` (or ``start``) metadata, else its arrival."""
    for name in ("end", "start"):
        text = answers.get(name)
        if isinstance(text, str) and text:
            try:
                moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
            except ValueError:
                continue
            if moment.tzinfo is not None:
                return moment
    return received_at


def _digits(text: str) -> str:
    return text.strip().replace(" ", "")


def _person_checks(roles: FormRoles, answers: dict[str, Any], facts: _Facts) -> None:
    facts.head_nik = _digits(value_at(answers, roles.head_nik)) if roles.head_nik else ""
    facts.head_name = value_at(answers, roles.head_name) if roles.head_name else ""
    facts.kk = _digits(value_at(answers, roles.kk)) if roles.kk else ""
    member_niks: set[str] = set()
    for repeat in roles.repeats:
        rows = rows_at(answers, repeat.path)
        entries: list[tuple[int | None, str]] = []
        for index, row in enumerate(rows):
            if repeat.nik:
                number = _digits(str(row.get(repeat.nik) or ""))
                if number:
                    member_niks.add(number)
                    entries.append((index, number))
                    facts.niks.append(
                        (
                            number,
                            index,
                            f"{repeat.path}/{repeat.nik}",
                            str(row.get(repeat.name) or ""),
                        )
                    )
                    facts.drafts += _as_list(
                        nik.check_nik(
                            number,
                            field=f"{repeat.path}/{repeat.nik}",
                            member_index=index,
                            sex=str(row.get(repeat.sex) or "") or None if repeat.sex else None,
                            birth_date=str(row.get(repeat.birth_date) or "") or None
                            if repeat.birth_date
                            else None,
                        )
                    )
            if repeat.kk:
                number = _digits(str(row.get(repeat.kk) or ""))
                if number:
                    facts.drafts += [
                        replace(draft, member_index=index)
                        for draft in _as_list(
                            nik.check_kk(number, field=f"{repeat.path}/{repeat.kk}")
                        )
                    ]
        if repeat.nik and entries:
            facts.drafts += _as_list(
                nik.duplicates_in_household(entries, field=f"{repeat.path}/{repeat.nik}")
            )
    if facts.head_nik:
        facts.niks.append((facts.head_nik, None, roles.head_nik, facts.head_name))
        # The head is usually also a member row: that row's findings already tell it.
        if facts.head_nik not in member_niks:
            facts.drafts += _as_list(
                nik.check_nik(
                    facts.head_nik,
                    field=roles.head_nik,
                    sex=value_at(answers, roles.head_sex) or None if roles.head_sex else None,
                    birth_date=value_at(answers, roles.head_birth_date) or None
                    if roles.head_birth_date
                    else None,
                )
            )
    if facts.kk:
        facts.drafts += _as_list(nik.check_kk(facts.kk, field=roles.kk))


def _place_checks(
    roles: FormRoles,
    answers: dict[str, Any],
    attachments: dict[str, Attachment],
    submitted_at: datetime,
    facts: _Facts,
) -> None:
    for path in roles.geopoints:
        text = value_at(answers, path)
        point = gps.parse_geopoint(text) if text else None
        if path == roles.gps:
            facts.point = point
        facts.drafts += _as_list(
            gps.check_gps(point, field=path, max_accuracy_m=roles.max_accuracy_m)
        )
    for path in roles.phones:
        text = value_at(answers, path)
        if text:
            facts.drafts += _as_list(phones.check_phone(text, field=path))
    for path in roles.images:
        filename = value_at(answers, path)
        attachment = attachments.get(filename) if filename else None
        if attachment is None:
            continue
        inspected = photos.inspect_photo(
            attachment.file.path,
            field=path,
            submitted_at=submitted_at,
            point=facts.point,
        )
        facts.drafts += list(inspected.findings)
        if inspected.phash:
            facts.hashes.append((path, filename, inspected.phash))


def _value_checks(
    submission: Submission,
    answers: dict[str, Any],
    current: FormVersion | None,
    corrected: bool,
    facts: _Facts,
) -> None:
    # Answers sent to the current version passed the phone's own form engine; those to an
    # older version, and a reviewer's corrections, did not.
    if current is not None and (corrected or current.pk != submission.form_version_id):
        facts.drafts += _as_list(form_values.check_values(answers, current.xform_xml))


def _pure_facts(
    submission: Submission,
    attachments: dict[str, Attachment],
    current: FormVersion | None,
    corrected: dict[str, Any] | None,
) -> _Facts:
    facts = _Facts()
    answers = corrected if corrected is not None else (submission.answers or {})
    try:
        roles = roles_of_version(submission.form_version_id)
        _person_checks(roles, answers, facts)
        _place_checks(
            roles, answers, attachments, _submitted_at(answers, submission.received_at), facts
        )
        _value_checks(submission, answers, current, corrected is not None, facts)
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:  # noqa: BLE001 (a bug or a file the libraries choke on)
        logger.exception("checks failed submission_id=%s", submission.pk)
        facts.error = f"{type(exc).__name__}: {exc}"[:2000]
        facts.drafts.append(make_finding("checks.failed", WARNING, "", None, _CHECKS_FAILED))
    return facts


# --- under the item's lock ---------------------------------------------------------------


def _area_codes(submission: Submission) -> tuple[str, str]:
    """(kecamatan, village) of the submission's area ("" where it is larger)."""
    code = submission.area_id or ""
    steps = code.split(".")
    kecamatan = ".".join(steps[:3]) if len(steps) >= 3 else ""
    village = code if len(steps) >= 4 else ""
    return kecamatan, village


def _chain_item(submission: Submission) -> ReviewItem | None:
    """The item of the chain this submission belongs to, locked (None for a new chain)."""
    item = ReviewItem.objects.select_for_update().filter(submission_id=submission.pk).first()
    if item is not None or submission.supersedes_id is None:
        return item
    earlier: list[int] = []
    previous: int | None = submission.supersedes_id
    while previous is not None and len(earlier) < 100:
        earlier.append(previous)
        previous = (
            Submission.objects.filter(pk=previous).values_list("supersedes_id", flat=True).first()
        )
    return ReviewItem.objects.select_for_update().filter(submission_id__in=earlier).first()


def _new_item(submission: Submission) -> ReviewItem | None:
    """A new item for a chain's first version; None when another worker just made it."""
    kecamatan, village = _area_codes(submission)
    try:
        with transaction.atomic():
            return ReviewItem.objects.create(
                submission=submission,
                questionnaire_id=submission.questionnaire_id,
                form_version_id=submission.form_version_id,
                kecamatan_code=kecamatan,
                village_code=village,
                area_id=submission.area_id,
                agent_id=submission.submitted_by_id,
                received_at=submission.received_at,
            )
    except IntegrityError:
        return None


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
    logger.info("review item moved to an edit item_id=%s submission_id=%s", item.pk, submission.pk)


@dataclass(frozen=True)
class _Stored:
    draft: FindingDraft
    related_item_id: int | None = None


def _queue_niks(item: ReviewItem, facts: _Facts) -> list[_Stored]:
    niks = {number for number, _i, _f, _n in facts.niks if len(number) == 16}
    if not niks:
        return []
    elsewhere: dict[str, int] = {}
    for number, other in (
        PersonKey.objects.filter(nik__in=sorted(niks), item__questionnaire_id=item.questionnaire_id)
        .exclude(item_id=item.pk)
        .exclude(item__state=ReviewItem.State.REJECTED)
        .values_list("nik", "item_id")[:200]
    ):
        elsewhere.setdefault(number, other)
    found = []
    for number, index, path, _name in facts.niks:
        # The head's NIK is also a member's: told once, on the member's row.
        if number in elsewhere and not (index is None and _is_member_nik(number, facts)):
            found.append(
                _Stored(
                    make_finding("nik.duplicate_in_queue", WARNING, path, index, _NIK_ELSEWHERE),
                    elsewhere[number],
                )
            )
    return found


def _is_member_nik(number: str, facts: _Facts) -> bool:
    return any(n == number and i is not None for n, i, _f, _n in facts.niks)


def _bounding_box(point: Any, metres: float) -> Polygon:
    dlat = metres / 111_320.0
    dlon = metres / (111_320.0 * max(math.cos(math.radians(point.lat)), 0.01))
    return Polygon.from_bbox(
        (point.lon - dlon, point.lat - dlat, point.lon + dlon, point.lat + dlat)
    )


def _households(item: ReviewItem, roles: FormRoles, facts: _Facts) -> list[_Stored]:
    others = (
        ReviewItem.objects.filter(questionnaire_id=item.questionnaire_id)
        .exclude(pk=item.pk)
        .exclude(state=ReviewItem.State.REJECTED)
    )
    found: list[_Stored] = []
    told: set[int] = set()
    same = []
    if len(facts.head_nik) == 16:
        same.append(Q(head_nik=facts.head_nik))
    if len(facts.kk) == 16:
        same.append(Q(kk_number=facts.kk))
    if same:
        condition = same[0] if len(same) == 1 else same[0] | same[1]
        for other, head_nik in others.filter(condition).values_list("pk", "head_nik")[:5]:
            told.add(other)
            if head_nik == facts.head_nik and len(facts.head_nik) == 16:
                draft = make_finding(
                    "household.duplicate", WARNING, roles.head_nik, None, _DUPLICATE_HEAD_NIK
                )
            else:
                draft = make_finding("household.duplicate", WARNING, roles.kk, None, _DUPLICATE_KK)
            found.append(_Stored(draft, other))
    point = facts.point
    if point is not None and facts.head_name and _is_plausible(point):
        nearby = others.filter(
            location__intersects=_bounding_box(point, DUPLICATE_DISTANCE_M)
        ).values_list("pk", "head_name", "location")[:20]
        for other, name, location in nearby:
            if other in told or location is None:
                continue
            there = gps.GeoPoint(lat=location.y, lon=location.x, altitude=None, accuracy=None)
            if gps.distance_m(point, there) <= DUPLICATE_DISTANCE_M and names.same_person_name(
                facts.head_name, name
            ):
                told.add(other)
                found.append(
                    _Stored(
                        make_finding(
                            "household.duplicate",
                            WARNING,
                            roles.gps,
                            None,
                            _DUPLICATE_NEARBY,
                            metres=int(DUPLICATE_DISTANCE_M),
                        ),
                        other,
                    )
                )
    return found


def _is_plausible(point: Any) -> bool:
    return -90 <= point.lat <= 90 and -180 <= point.lon <= 180 and (point.lat, point.lon) != (0, 0)


def _far_from_village(item: ReviewItem, roles: FormRoles, facts: _Facts) -> list[_Stored]:
    point = facts.point
    if point is None or not item.village_code or not _is_plausible(point):
        return []
    locations = (
        ReviewItem.objects.filter(village_code=item.village_code, location__isnull=False)
        .exclude(pk=item.pk)
        .order_by("-received_at")
        .values_list("location", flat=True)[:NEIGHBOURS]
    )
    neighbours = [
        gps.GeoPoint(lat=location.y, lon=location.x, altitude=None, accuracy=None)
        for location in locations
        if location is not None
    ]
    if not neighbours:
        return []
    return [
        _Stored(d) for d in _as_list(gps.far_from_neighbours(point, neighbours, field=roles.gps))
    ]


def _same_photos(item: ReviewItem, facts: _Facts) -> list[_Stored]:
    if not facts.hashes:
        return []
    condition = Q()
    for _path, _filename, phash in facts.hashes:
        b0, b1, b2, b3 = photos.phash_bands(phash)
        condition |= Q(band0=b0) | Q(band1=b1) | Q(band2=b2) | Q(band3=b3)
    candidates = list(
        PhotoHash.objects.filter(condition)
        .exclude(item_id=item.pk)
        .values_list("item_id", "phash")[:200]
    )
    found = []
    for path, _filename, phash in facts.hashes:
        other = next((o for o, h in candidates if photos.is_same_picture(phash, h)), None)
        if other is not None:
            found.append(
                _Stored(
                    make_finding("photo.duplicate", WARNING, path, None, _PHOTO_ELSEWHERE), other
                )
            )
    return found


def _store(
    item: ReviewItem, submission: Submission, facts: _Facts, roles: FormRoles | None
) -> None:
    stored = [_Stored(d, None) for d in facts.drafts]
    if roles is not None and not facts.error:
        stored += _queue_niks(item, facts)
        stored += _households(item, roles, facts)
        stored += _far_from_village(item, roles, facts)
        stored += _same_photos(item, facts)
    Finding.objects.filter(item=item).delete()
    PersonKey.objects.filter(item=item).delete()
    PhotoHash.objects.filter(item=item).delete()
    Finding.objects.bulk_create(
        Finding(
            item=item,
            submission=submission,
            check_name=s.draft.check,
            severity=s.draft.severity,
            field=s.draft.field,
            member_index=s.draft.member_index,
            message_id=s.draft.message_id,
            message_en=s.draft.message_en,
            related_item_id=s.related_item_id,
        )
        for s in stored
    )
    PersonKey.objects.bulk_create(
        PersonKey(
            item=item,
            submission=submission,
            nik=number[:32],
            member_index=index,
            name_key=names.name_key(name)[:255] if name else "",
        )
        for number, index, _path, name in facts.niks
    )
    PhotoHash.objects.bulk_create(
        PhotoHash(
            item=item,
            submission=submission,
            filename=filename,
            phash=phash,
            **dict(
                zip(("band0", "band1", "band2", "band3"), photos.phash_bands(phash), strict=True)
            ),
        )
        for _path, filename, phash in facts.hashes
    )
    point = facts.point
    item.head_name = facts.head_name[:255]
    item.head_name_key = names.name_key(facts.head_name)[:255] if facts.head_name else ""
    item.head_nik = facts.head_nik[:32]
    item.kk_number = facts.kk[:32]
    item.location = (
        Point(point.lon, point.lat, srid=4326)
        if point is not None and _is_plausible(point)
        else None
    )
    item.location_accuracy_m = getattr(point, "accuracy", None) if item.location else None
    item.findings_count = len(stored)
    item.worst_severity = max((s.draft.severity for s in stored), default=0)
    item.checks_version = CHECKS_VERSION
    item.checked_at = timezone.now()
    item.check_error = facts.error
    ReviewItem.objects.filter(pk=item.pk).update(
        head_name=item.head_name,
        head_name_key=item.head_name_key,
        head_nik=item.head_nik,
        kk_number=item.kk_number,
        location=item.location,
        location_accuracy_m=item.location_accuracy_m,
        findings_count=item.findings_count,
        worst_severity=item.worst_severity,
        checks_version=item.checks_version,
        checked_at=item.checked_at,
        check_error=item.check_error,
        updated_at=item.checked_at,
    )


@transaction.atomic
def _check_one(submission: Submission, facts: _Facts) -> bool:
    """Create or move the chain's item and store what was found; False when not current."""
    if not Submission.objects.filter(pk=submission.pk, is_current=True).exists():
        return False  # an edit superseded it meanwhile: the edit is checked instead
    item = _chain_item(submission)
    if item is None:
        item = _new_item(submission)
        if item is None:
            item = _chain_item(submission)
            if item is None:
                return False
    if item.submission_id != submission.pk:
        if _is_newer(item.submission_id, submission):
            _move_item(item, submission)
        else:
            return False
    roles = None if facts.error else roles_of_version(submission.form_version_id)
    _store(item, submission, facts, roles)
    return True


def _is_newer(current_id: int, submission: Submission) -> bool:
    """Is ``submission`` later in the chain than the item's ``current_id``?"""
    previous: int | None = submission.supersedes_id
    for _step in range(100):
        if previous is None:
            return False
        if previous == current_id:
            return True
        previous = (
            Submission.objects.filter(pk=previous).values_list("supersedes_id", flat=True).first()
        )
    return False


def _current_versions(questionnaire_ids: Iterable[int]) -> dict[int, FormVersion | None]:
    from forms.models import Questionnaire

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
            ).select_related("submitted_by")
        )
        files: dict[int, dict[str, Attachment]] = {}
        for attachment in Attachment.objects.filter(submission__in=batch):
            files.setdefault(attachment.submission_id, {})[attachment.filename] = attachment
        current = _current_versions(s.questionnaire_id for s in batch)
        corrected = _corrected_answers(batch)
        for submission in batch:
            facts = _pure_facts(
                submission,
                files.get(submission.pk, {}),
                current.get(submission.questionnaire_id),
                corrected.get(submission.pk),
            )
            try:
                done += int(_check_one(submission, facts))
            except TRANSIENT_ERRORS:
                raise
            except Exception:  # a bug: logged; the others of the batch go on
                logger.exception("storing checks failed submission_id=%s", submission.pk)
    logger.info("submissions checked count=%s", done)
    return done


def unchecked_submissions(*, lookback: int | None = SWEEP_LOOKBACK) -> list[int]:
    """Processed current submissions without an item (or whose item is on an earlier
    version of the chain), and items checked by an older CHECKS_VERSION, oldest first.

    ``lookback`` bounds the first part to the newest submissions by id (the
    primary key's index), for a sweep every few seconds; None looks at all.
    """
    missing = Submission.objects.filter(
        processed_at__isnull=False, is_current=True, review_item__isnull=True
    )
    if lookback is not None:
        newest = Submission.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        missing = missing.filter(pk__gt=newest - lookback)
    found = list(missing.order_by("pk").values_list("pk", flat=True)[:500])
    stale = ReviewItem.objects.filter(checks_version__lt=CHECKS_VERSION).values_list(
        "submission_id", flat=True
    )[:500]
    return sorted(set(found) | set(stale))


def check_unchecked_submissions(*, lookback: int | None = SWEEP_LOOKBACK, limit: int = 2000) -> int:
    """The sweep: check what no one checked yet (or with older checks); returns how many."""
    done = 0
    while done < limit:
        ids = unchecked_submissions(lookback=lookback)[: min(500, limit - done)]
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


__all__ = [
    "CHECKS_VERSION",
    "ERROR",
    "INFO",
    "check_submissions",
    "check_unchecked_submissions",
    "recheck",
    "unchecked_submissions",
]
