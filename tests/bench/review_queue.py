#!/usr/bin/env python3
"""The review queue at 1,000,000 stored submissions, on PostGIS.

``--load`` makes the database ``srs_bench_queue`` anew (migrations and the
ingest bench's seed: Kabupaten Malang, a published household questionnaire, a
field agent) and fills it in SQL (``INSERT … SELECT`` over ``generate_series``,
no ORM row by row): N submissions of the 45-question household form with their
XML (about 1.5 kB, as a phone sends it) and answers, spread over the 390
villages of the regency and a year of arrivals; one review item each (most old
ones decided, the newest waiting), four NIKs each (the person keys the checks
store) and findings on 10% of them. Without ``--load`` the database is kept
from the last run (only migrated), so that measuring again costs no reload.

Then it measures, in this process (the functions and, where the pages exist,
the Django test client), the server time and number of queries of: the
queue's first page, a filtered page, a search by NIK and by name, the last
page, and the detail page. Then the ingest bench (``tests/bench/ingest.py``,
its phones and meter) at concurrency 8 against gunicorn, a Celery worker and
this database, alone and while 10 reviewers each open a queue page (filtered,
paged, searched) every 2 seconds, and the slowdown.

Run: .venv/bin/python tests/bench/review_queue.py --load [--count 1000000]
     .venv/bin/python tests/bench/review_queue.py [--no-ingest] [--posts 2000]
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.ingest import CpuMeter, machine_speed, run  # noqa: E402
from tests.images import jpeg  # noqa: E402
from tests.live_stack import LiveStack  # noqa: E402

DATABASE = "srs_bench_queue"
REDIS = "redis://127.0.0.1:6379/14"

FIRST_NAMES = [
    "Muhammad", "M.", "Moh.", "Siti", "Hj. Siti", "Sri", "Dewi", "Agus", "Budi", "Bambang",
    "Slamet", "Sugeng", "Joko", "Djoko", "Eko", "Dwi", "Tri", "Nur", "Ahmad", "Abdul",
    "Yusuf", "Jusuf", "Suharti", "Soeharti", "Wahyu", "Rina", "Ratna", "Endang", "Sutrisno",
    "Heru", "Hadi", "Imam", "Ika", "Lestari", "Purwanto", "Rudi", "Sumarni", "Tjahjo",
    "Cahyo", "Yuli", "Wulan", "Fitri", "Aminah", "Kartini", "Suparman", "Samsul", "Bpk. Karno",
    "Ibu Sumiati", "H. Mansur", "Drs. Darmo",
]  # fmt: skip
LAST_NAMES = [
    "Yusuf", "Santoso", "Wijaya", "Susanto", "Hidayat", "Setiawan", "Prasetyo", "Kurniawan",
    "Rahayu", "Suryani", "Wibowo", "Saputra", "Hartono", "Gunawan", "Lestari", "Purnomo",
    "Sulistyo", "Nugroho", "Hasanah", "Fauziah", "Ma'ruf", "Soekarno", "Sukarno", "Djunaedi",
    "Junaedi", "Tjiptono", "Ciptono", "Effendi", "Mulyadi", "Rohman", "Zainal", "Arifin",
    "Hakim", "Ismail", "Syafi'i", "Mustofa", "Kholil", "Fadli", "Maulana", "Anwar",
]  # fmt: skip

# (check, severity) of the findings put on 10% of the items.
CHECKS = [
    ("nik.date", 3), ("nik.sex", 3), ("nik.area_unknown", 2), ("nik.duplicate_in_queue", 2),
    ("household.duplicate", 2), ("gps.accuracy", 1), ("gps.far_from_village", 2),
    ("photo.tiny", 2), ("photo.duplicate", 2), ("phone.invalid", 1), ("kk.format", 3),
    ("value.out_of_range", 2),
]  # fmt: skip

_QUESTIONS = [(f"q{n:02d}", "integer" if n % 3 else "text") for n in range(1, 39)]


def stack_for(var: Path, port: int) -> LiveStack:
    return LiveStack(
        var,
        port=port,
        database_url=f"postgis://postgres@127.0.0.1:5432/{DATABASE}",
        redis_url=REDIS,
    )


def use_stack_settings(stack: LiveStack) -> None:
    """Set this process's Django up as the stack's web processes are (same database)."""
    for key in [k for k in os.environ if k.startswith(("SRS_", "DATABASE_URL", "REDIS_URL"))]:
        del os.environ[key]
    os.environ.update(stack.env())
    os.environ["DJANGO_SETTINGS_MODULE"] = "srs.settings"
    import django

    django.setup()


# --- the load -----------------------------------------------------------------------------


def _sql_answers() -> tuple[str, str]:
    """SQL expressions of the 38 simple answers: as XML text and as jsonb pairs (row ``g``)."""
    xml_parts, json_parts = [], []
    for index, (name, kind) in enumerate(_QUESTIONS, start=1):
        if kind == "integer":
            value = f"((g * {index * 7919 + 13}) % 91)::text"
        else:
            value = f"'jawaban ' || ((g * {index * 104729 + 7}) % 100000)::text"
        xml_parts.append(f"'<{name}>' || {value} || '</{name}>'")
        json_parts.append(f"'{name}', {value}")
    return " || ".join(xml_parts), ", ".join(json_parts)


def load(count: int) -> None:
    """Fill the stack's database with ``count`` submissions and their review items."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from accounts.models import Role, RoleAssignment, User
    from areas.models import Area
    from forms.models import FormVersion
    from foundation.names import name_key
    from review.checking import CHECKS_VERSION

    started = time.perf_counter()
    villages = list(
        Area.objects.filter(level="village", code__startswith="35.07.").order_by("code")
    )
    version = FormVersion.objects.get(questionnaire__form_id="bench_household")
    unusable = make_password(None)
    agents = User.objects.bulk_create(
        [User(username=f"agent_{v.code}", password=unusable) for v in villages]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=a, role=Role.FIELD_AGENT, area=v)
            for a, v in zip(agents, villages, strict=True)
        ]
    )
    kecamatan = sorted({v.parent_id for v in villages if v.parent_id})
    reviewers = User.objects.bulk_create(
        [User(username=f"reviewer_{code}", password=unusable) for code in kecamatan]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=r, role=Role.REVIEWER, area_id=code)
            for r, code in zip(reviewers, kecamatan, strict=True)
        ]
    )
    names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    xml_answers, json_answers = _sql_answers()
    checks = ", ".join(f"('{check}', {severity})" for check, severity in CHECKS)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_village (idx int PRIMARY KEY, code text, kec text, "
            "nik6 text, agent_id bigint, reviewer_id bigint)"
        )
        reviewer_of = {code: r.pk for code, r in zip(kecamatan, reviewers, strict=True)}
        cursor.executemany(
            "INSERT INTO bench_village VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (
                    index,
                    v.code,
                    v.parent_id,
                    (v.parent_id or "").replace(".", ""),
                    agent.pk,
                    reviewer_of[v.parent_id or ""],
                )
                for index, (v, agent) in enumerate(zip(villages, agents, strict=True))
            ],
        )
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_name (idx int PRIMARY KEY, name text, key text)"
        )
        cursor.executemany(
            "INSERT INTO bench_name VALUES (%s, %s, %s)",
            [(index, name, name_key(name)[:255]) for index, name in enumerate(names)],
        )
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_check (idx serial, check_name text, severity int)"
        )
        cursor.execute(f"INSERT INTO bench_check (check_name, severity) VALUES {checks}")
        # A NIK: the kecamatan's six digits, the birth date (day + 40 for women), a serial.
        cursor.execute(
            """CREATE FUNCTION bench_nik(nik6 text, base bigint, female boolean) RETURNS text
            LANGUAGE sql IMMUTABLE AS $$
              SELECT nik6
                || lpad((1 + base * 7 % 28 + CASE WHEN female THEN 40 ELSE 0 END)::text, 2, '0')
                || lpad((1 + base * 13 % 12)::text, 2, '0')
                || lpad((40 + base * 17 % 60)::text, 2, '0')
                || lpad((base % 10000)::text, 4, '0') $$"""
        )
        print(f"  users and helper tables {time.perf_counter() - started:.0f} s", flush=True)
        members_xml = " || ".join(
            f"'<members><name>Anggota {m}</name><nik>' || bench_nik(v.nik6, g * 4 + {m}, "
            f"{'true' if m % 2 else 'false'}) || '</nik><birth_date>19' || "
            f"(40 + (g * 4 + {m}) * 17 % 60)::text || '-0' || (1 + (g + {m}) % 9)::text "
            f"|| '-1' || ((g + {m}) % 10)::text || '</birth_date></members>'"
            for m in range(4)
        )
        members_json = ", ".join(
            f"jsonb_build_object('name', 'Anggota {m}', 'nik', "
            f"bench_nik(v.nik6, g * 4 + {m}, {'true' if m % 2 else 'false'}), 'birth_date', "
            f"'19' || (40 + (g * 4 + {m}) * 17 % 60)::text || '-0' || (1 + (g + {m}) % 9)::text "
            f"|| '-1' || ((g + {m}) % 10)::text)"
            for m in range(4)
        )
        # Into a query with parameters: its own % signs doubled.
        xml_answers, json_answers = xml_answers.replace("%", "%%"), json_answers.replace("%", "%%")
        members_xml, members_json = members_xml.replace("%", "%%"), members_json.replace("%", "%%")
        n_villages, n_names = len(villages), len(names)
        cursor.execute(
            f"""
            INSERT INTO intake_submission (questionnaire_id, form_version_id, instance_id, xml,
              xml_sha256, status, expected_attachments, area_id, submitted_by_id, device_id,
              received_at, completed_at, deprecated_id, supersedes_id, is_current, answers,
              processed_at, processing_error)
            SELECT %(questionnaire)s, %(version)s, r.instance_id, r.xml,
              encode(sha256(r.xml), 'hex'), 'complete', '["house.jpg"]'::jsonb, v.code,
              v.agent_id, 'collect:bench' || (g %% 997)::text, r.at, r.at, '', NULL, true,
              r.answers, r.at + interval '2 seconds', ''
            FROM generate_series(1::bigint, %(count)s::bigint) AS g
            JOIN bench_village v ON v.idx = (g * 7) %% {n_villages}
            JOIN bench_name n ON n.idx = (g * 2654435761) %% {n_names}
            CROSS JOIN LATERAL (
              SELECT 'uuid:bench-' || g::text AS instance_id,
                now() - (%(count)s - g) * interval '30 seconds' AS at,
                '-8.' || lpad((130000 + (g * 37) %% 9000)::text, 6, '0') || ' 112.'
                  || lpad((570000 + (g * 53) %% 9000)::text, 6, '0') AS gps
            ) AS base
            CROSS JOIN LATERAL (
              SELECT base.instance_id, base.at, convert_to(
                '<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" '
                || 'xmlns:orx="http://openrosa.org/xforms" id="bench_household" version="1">'
                || '<village>' || v.code || '</village><hh_head_name>' || n.name
                || '</hh_head_name><location>' || base.gps || ' 420 5</location>'
                || {xml_answers} || {members_xml}
                || '<house_photo>house.jpg</house_photo><meta><instanceID>' || base.instance_id
                || '</instanceID></meta></data>', 'UTF8') AS xml,
                jsonb_build_object('village', v.code, 'hh_head_name', n.name,
                  'location', base.gps || ' 420 5', {json_answers},
                  'members', jsonb_build_array({members_json}),
                  'house_photo', 'house.jpg', 'meta',
                  jsonb_build_object('instanceID', base.instance_id)) AS answers
            ) AS r
            """,
            {"questionnaire": version.questionnaire_id, "version": version.pk, "count": count},
        )
        print(f"  {count} submissions {time.perf_counter() - started:.0f} s", flush=True)
        # The newest 15% wait for review (mostly); the older ones were mostly decided.
        cursor.execute(
            f"""
            INSERT INTO review_reviewitem (submission_id, questionnaire_id, form_version_id,
              kecamatan_code, village_code, area_id, state, version, agent_id, received_at,
              updated_at, head_name, head_name_key, head_nik, kk_number, location,
              location_accuracy_m, findings_count, worst_severity, checks_version, checked_at,
              check_error, decided_by_id, decided_at, reason, comment, answers_number)
            SELECT s.id, s.questionnaire_id, s.form_version_id, v.kec, v.code, v.code, st.state,
              CASE WHEN st.state IN ('received') THEN 1 ELSE 2 END, s.submitted_by_id,
              s.received_at,
              s.received_at + CASE WHEN st.state = 'received' THEN interval '3 seconds'
                ELSE ((g %% 72) + 1) * interval '1 hour' END,
              n.name, n.key, bench_nik(v.nik6, g * 4, false),
              v.nik6 || lpad(((g * 31) %% 1000000)::text, 6, '0') || lpad((g %% 10000)::text, 4, '0'),
              ST_SetSRID(ST_MakePoint(112.57 + ((g * 53) %% 9000) / 1e6,
                -8.13 - ((g * 37) %% 9000) / 1e6), 4326),
              5, f.n, coalesce(f.worst, 0), {CHECKS_VERSION}, s.received_at + interval '3 seconds', '',
              CASE WHEN st.state = 'received' THEN NULL ELSE v.reviewer_id END,
              CASE WHEN st.state = 'received' THEN NULL
                ELSE s.received_at + ((g %% 72) + 1) * interval '1 hour' END,
              CASE WHEN st.state = 'rejected' THEN 'duplicate' ELSE '' END,
              CASE WHEN st.state = 'has_issues' THEN 'Foto rumah buram, mohon difoto ulang.'
                ELSE '' END,
              0
            FROM intake_submission s
            CROSS JOIN LATERAL (SELECT substr(s.instance_id, 12)::bigint AS g) AS gg
            JOIN bench_village v ON v.code = s.area_id
            JOIN bench_name n ON n.idx = (g * 2654435761) %% {n_names}
            CROSS JOIN LATERAL (
              SELECT CASE WHEN g %% 10 = 3 THEN 1 + (g / 10 %% 3 = 0)::int ELSE 0 END AS n,
                CASE WHEN g %% 10 = 3 THEN greatest(
                  (SELECT severity FROM bench_check WHERE idx = 1 + (g / 10) %% {len(CHECKS)}),
                  CASE WHEN g / 10 %% 3 = 0 THEN (SELECT severity FROM bench_check
                    WHERE idx = 1 + (g / 10 + 5) %% {len(CHECKS)}) ELSE 0 END) END AS worst
            ) AS f
            CROSS JOIN LATERAL (
              SELECT CASE
                WHEN %(count)s - g < %(count)s * 0.15 THEN (ARRAY['received', 'received',
                  'received', 'received', 'received', 'received', 'received', 'has_issues',
                  'edited', 'approved', 'approved', 'rejected'])[1 + (g * 11) %% 12]
                ELSE (ARRAY['approved', 'approved', 'approved', 'approved', 'approved',
                  'approved', 'approved', 'approved', 'approved', 'approved', 'approved',
                  'approved', 'approved', 'rejected', 'has_issues'])[1 + (g * 11) %% 15]
              END AS state
            ) AS st
            WHERE s.instance_id LIKE 'uuid:bench-%%'
            """,
            {"count": count},
        )
        print(f"  review items {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute(
            """
            INSERT INTO review_personkey (item_id, submission_id, nik, member_index, name_key)
            SELECT i.id, i.submission_id,
              CASE WHEN m = 0 THEN i.head_nik ELSE bench_nik(v.nik6, g * 4 + m, m %% 2 = 1) END,
              CASE WHEN m = 0 THEN NULL ELSE m END,
              CASE WHEN m = 0 THEN i.head_name_key ELSE 'anggota ' || m::text END
            FROM review_reviewitem i
            JOIN intake_submission s ON s.id = i.submission_id
            CROSS JOIN LATERAL (SELECT substr(s.instance_id, 12)::bigint AS g) AS gg
            JOIN bench_village v ON v.code = i.village_code
            CROSS JOIN generate_series(0, 3) AS m
            """,
            [],
        )
        print(f"  person keys {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute(
            f"""
            INSERT INTO review_finding (item_id, submission_id, check_name, severity, field,
              member_index, message_id, message_en, related_item_id)
            SELECT i.id, i.submission_id, c.check_name, c.severity,
              CASE WHEN c.check_name LIKE 'nik.%%' THEN 'members/nik' ELSE 'location' END,
              CASE WHEN c.check_name LIKE 'nik.%%' THEN 1 ELSE NULL END,
              'Temuan pemeriksaan otomatis: ' || c.check_name,
              'Automatic check finding: ' || c.check_name, NULL
            FROM review_reviewitem i
            JOIN intake_submission s ON s.id = i.submission_id
            CROSS JOIN LATERAL (SELECT substr(s.instance_id, 12)::bigint AS g) AS gg
            JOIN bench_check c ON c.idx = 1 + (g / 10) %% {len(CHECKS)}
              OR (g / 10 %% 3 = 0 AND c.idx = 1 + (g / 10 + 5) %% {len(CHECKS)})
            WHERE g %% 10 = 3
            """,
            [],
        )
        print(f"  findings {time.perf_counter() - started:.0f} s", flush=True)
        for table in ("bench_village", "bench_name", "bench_check"):
            cursor.execute(f"DROP TABLE {table}")
        cursor.execute("DROP FUNCTION bench_nik(text, bigint, boolean)")
    # Set the visibility map and the statistics, as autovacuum would in a while.
    with connection.cursor() as cursor:
        for table in (
            "intake_submission",
            "review_reviewitem",
            "review_personkey",
            "review_finding",
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        cursor.execute("ANALYZE")  # the users and areas too: their row counts steer the plans
    print(f"  vacuum and analyse {time.perf_counter() - started:.0f} s", flush=True)


def sizes() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)), reltuples::bigint "
            "FROM pg_class WHERE relname IN ('intake_submission', 'review_reviewitem', "
            "'review_personkey', 'review_finding') ORDER BY relname"
        )
        return ", ".join(f"{name} {size} ({rows:,} rows)" for name, size, rows in cursor.fetchall())


# --- the measurements ---------------------------------------------------------------------


def timed(action: Callable[[], object], repeat: int = 7) -> tuple[float, float, int]:
    """(first, median of the others) in ms of server time, and the queries of one run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for attempt in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            action()
            times.append((time.perf_counter() - started) * 1000)
        if attempt == 0:
            queries = len(captured)
    return times[0], statistics.median(times[1:]), queries


def measure(pages_exist: bool) -> None:
    from django.test import Client

    from accounts.models import User
    from review.models import PersonKey
    from review.queue import QueueFilters, filter_queue, get_visible_item, queue_for, queue_page

    reviewer = User.objects.get(username="reviewer_35.07.13")
    queue = queue_for(reviewer)
    some = queue.filter(state="received").order_by("-received_at").first()
    assert some is not None
    nik = PersonKey.objects.filter(item=some, member_index=2).values_list("nik", flat=True)[0]
    with_findings = queue.filter(findings_count__gt=0).order_by("-received_at").first()
    assert with_findings is not None
    check = with_findings.findings.values_list("check_name", flat=True)[0]
    total = queue.count()
    cases = {
        "first page": {},
        "filtered page (received, error findings, page 3)": {
            "review_state": "received",
            "severity": "3",
            "page": "3",
        },
        f"filtered page (village, check {check})": {
            "village": with_findings.village_code,
            "check": check,
        },
        "search by NIK (a member's)": {"q": nik},
        "search by name (Jusuf)": {"q": "Jusuf"},
        "search by name (Yusup Santoso)": {"q": "Yusup Santoso"},
        "sorted by findings": {"order": "findings"},
        "sorted by head name, page 2": {"order": "head_name", "page": "2"},
        "last page": {"page": str(total // 50 + 1)},
    }
    print(f"reviewer of Kepanjen: {total:,} items in her queue; server time in ms")
    print(f"{'':<52} {'first':>7} {'median':>7} {'queries':>8}")

    def functions(params: dict[str, str]) -> Callable[[], object]:
        def run_functions() -> object:
            user = User.objects.get(pk=reviewer.pk)  # as the session middleware loads her
            items = filter_queue(queue_for(user), QueueFilters.from_query(params))
            page = queue_page(items, number=params.get("page", 1))
            for item in page.items:
                _ = (item.questionnaire.title, item.agent.username, item.area and item.area.name)
            return page

        return run_functions

    client = Client(HTTP_HOST="localhost")
    client.force_login(reviewer)

    def view(url: str, params: dict[str, str]) -> Callable[[], object]:
        def get() -> object:
            response = client.get(url, params, HTTP_X_FORWARDED_PROTO="https")
            assert response.status_code == 200, response.status_code
            return response

        return get

    for label, params in cases.items():
        first, median, queries = timed(functions(params))
        print(f"{'functions: ' + label:<52} {first:7.1f} {median:7.1f} {queries:8d}")
        if pages_exist:
            first, median, queries = timed(view("/submissions/", params))
            print(f"{'page: ' + label:<52} {first:7.1f} {median:7.1f} {queries:8d}")

    def detail_functions() -> object:
        user = User.objects.get(pk=reviewer.pk)
        item = get_visible_item(user, with_findings.pk)
        return (
            list(item.findings.all()),
            list(item.submission.attachments.all()),
            list(item.decisions.all()),
            list(item.answer_versions.all()),
            list(item.person_keys.all()),
        )

    first, median, queries = timed(detail_functions)
    print(
        f"{'functions: detail (item, findings, files, history)':<52} {first:7.1f} {median:7.1f} {queries:8d}"
    )
    if pages_exist:
        first, median, queries = timed(view(f"/submissions/{with_findings.pk}/", {}))
        print(f"{'page: detail':<52} {first:7.1f} {median:7.1f} {queries:8d}")
        first, median, queries = timed(view(f"/submissions/{with_findings.pk}/", {"pos": "120"}))
        print(
            f"{'page: detail with neighbours (pos 120)':<52} {first:7.1f} {median:7.1f} {queries:8d}"
        )
    summary_user = User.objects.get(pk=reviewer.pk)
    from review.oversight import queue_summary

    first, median, queries = timed(lambda: queue_summary(summary_user), repeat=3)
    print(
        f"{'functions: summary (village x state x age)':<52} {first:7.1f} {median:7.1f} {queries:8d}"
    )


# --- reviewers during the ingest --------------------------------------------------------


class Reviewers:
    """Reviewers who each open a queue page every ``every`` seconds while phones send."""

    def __init__(self, stack: LiveStack, count: int, every: float, pages_exist: bool) -> None:
        from django.conf import settings
        from django.test import Client

        from accounts.models import User

        self.stack = stack
        self.every = every
        self.stop = threading.Event()
        self.times: list[float] = []
        self.errors = 0
        self.statuses: dict[int, int] = {}
        self.pages_exist = pages_exist
        self.users = list(
            User.objects.filter(username__startswith="reviewer_").order_by("username")[:count]
        )
        self.cookies = []
        for user in self.users:
            client = Client()
            client.force_login(user)
            self.cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
        self.threads: list[threading.Thread] = []

    def _params(self, rng: random.Random) -> dict[str, str]:
        choice = rng.randrange(4)
        if choice == 0:
            return {"review_state": "received", "page": str(rng.randint(1, 20))}
        if choice == 1:
            return {"severity": str(rng.randint(1, 3)), "order": "findings"}
        if choice == 2:
            return {"q": rng.choice(["Jusuf", "Siti Rahayu", "Santoso", "Djoko"])}
        return {"page": str(rng.randint(1, 400)), "order": "-received"}

    def _loop(self, index: int) -> None:
        import http.client
        from urllib.parse import urlencode

        from django.conf import settings

        rng = random.Random(index)
        connection = http.client.HTTPConnection("127.0.0.1", self.stack.port, timeout=60)
        cookie = f"{settings.SESSION_COOKIE_NAME}={self.cookies[index]}"
        time.sleep(rng.random() * self.every)
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                connection.request(
                    "GET",
                    "/submissions/?" + urlencode(self._params(rng)),
                    headers={"Cookie": cookie, "X-Forwarded-Proto": "https"},
                )
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    self.errors += 1
                    self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
            except (http.client.HTTPException, OSError):
                self.errors += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.stack.port, timeout=60)
            self.times.append(time.perf_counter() - started)
            self.stop.wait(max(0.0, self.every - (time.perf_counter() - started)))

    def __enter__(self) -> "Reviewers":
        for index in range(len(self.users)):
            thread = threading.Thread(target=self._loop, args=(index,), daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def checks_current() -> None:
    """The loaded items as checked by today's checks: after a change of CHECKS_VERSION the
    worker would check all million again (as it should in production) while the phones
    are measured."""
    from django.db import connection

    from review.checking import CHECKS_VERSION

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE review_reviewitem SET checks_version = %s "
            "WHERE checks_version > 0 AND checks_version < %s",
            [CHECKS_VERSION, CHECKS_VERSION],
        )
        if cursor.rowcount:
            print(f"{cursor.rowcount:,} items marked as checked by checks {CHECKS_VERSION}")
            cursor.execute("VACUUM ANALYZE review_reviewitem")


def wait_for_worker(timeout: float = 600) -> float:
    """Seconds until the worker processed and checked all that arrived.

    Asked of the two small indexes of what is left to do (the ingest bench's
    own wait counts the whole table, which at a million rows is a load itself).
    """
    from intake.queries import submissions_awaiting_processing
    from review.models import ReviewItem

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if (
            not submissions_awaiting_processing().exists()
            and not ReviewItem.objects.filter(checks_version=0).exists()
        ):
            break
        time.sleep(1)
    return time.perf_counter() - started


def reviewers_alone(stack: "KeptStack", pages_exist: bool, seconds: float = 20.0) -> None:
    """The CPU that 10 reviewers' queue pages cost, with no phone sending: per page."""
    with Reviewers(stack, 10, 2.0, pages_exist):
        time.sleep(4)  # every gunicorn worker has served a page (templates, caches)
    reviewers = Reviewers(stack, 10, 2.0, pages_exist)
    meter = CpuMeter(stack)
    meter.start()
    with reviewers:
        time.sleep(seconds)
    used = meter.stop()
    pages = max(1, len(reviewers.times))
    times = sorted(reviewers.times) or [0.0]
    parts = ", ".join(f"{name} {value / pages * 1000:.1f}" for name, value in used.items())
    print(
        f"10 reviewers alone: {len(reviewers.times)} queue pages in {seconds:.0f} s, "
        f"{reviewers.errors} errors; CPU ms per page: {parts}; "
        f"p50 {times[len(times) // 2] * 1000:.0f} ms",
        flush=True,
    )


def ingest_with_reviewers(stack: "KeptStack", posts: int, rounds: int, pages_exist: bool) -> None:
    """Phones alone and phones with reviewers, alternated ``rounds`` times (the order
    swapped each round, the worker's backlog and autovacuum let finish before each run):
    one pair of runs is too noisy on a machine of two cores."""
    stack.start_web()
    stack.start_worker()
    photo = jpeg(400, seed=7)
    meter = CpuMeter(stack)
    rates: dict[bool, list[float]] = {False: [], True: []}
    try:
        run(stack, 100, 8, 0.0, photo, meter, quiet=True)
        print(f"    worker done {wait_for_worker():.0f} s later", flush=True)
        reviewers_alone(stack, pages_exist)
        for round_number in range(rounds):
            print(f"machine speed: {machine_speed():.0f} ms for the fixed workload")
            for with_reviewers in (False, True) if round_number % 2 == 0 else (True, False):
                wait_for_quiet()
                if not with_reviewers:
                    print("without reviewers:", end=" ", flush=True)
                    result = run(stack, posts, 8, 0.0, photo, meter)
                else:
                    print("with 10 reviewers, a queue page each every 2 s:", end=" ", flush=True)
                    reviewers = Reviewers(stack, 10, 2.0, pages_exist)
                    with reviewers:
                        result = run(stack, posts, 8, 0.0, photo, meter)
                    times = sorted(reviewers.times)
                    if times:
                        q = statistics.quantiles(times, n=20) if len(times) > 1 else times * 19
                        print(
                            f"    reviewers: {len(times)} queue pages, p50 {q[9] * 1000:.0f} ms, "
                            f"p95 {q[18] * 1000:.0f} ms, {reviewers.errors} errors "
                            f"{reviewers.statuses}"
                        )
                rates[with_reviewers].append(result)
                print(f"    worker done {wait_for_worker():.0f} s later", flush=True)
        alone, shared = statistics.median(rates[False]), statistics.median(rates[True])
        print(
            f"median of {rounds}: {alone:.1f}/s without reviewers, {shared:.1f}/s with them: "
            f"{(1 - shared / alone) * 100:.1f}% slower"
        )
    finally:
        stack.stop_processes()


def wait_for_quiet(timeout: float = 300) -> None:
    """Until no autovacuum runs (a vacuum of a 2 GB table takes a core for minutes)."""
    from django.db import connection

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'autovacuum:%%'")
            if not cursor.fetchone()[0]:
                return
        time.sleep(2)


def static_as_named() -> None:
    """The static files copied to STATIC_ROOT under their own names, with a manifest.

    For when collectstatic cannot post-process a vendored file: the pages (here
    and in gunicorn) then render as in production, only without hashed names.
    """
    import json
    import shutil

    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    root = Path(settings.STATIC_ROOT)
    paths = {}
    for finder in get_finders():
        for name, storage in finder.list(["CVS", ".*", "*~"]):
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(storage.path(name), target)
            paths[name] = name
    manifest = {"paths": paths, "version": "1.1", "hash": ""}
    (root / "staticfiles.json").write_text(json.dumps(manifest))


class KeptStack(LiveStack):
    """The live stack whose database outlives the run (LiveStack.stop drops it)."""

    def stop_processes(self) -> None:
        import signal

        self._kill(self.web, signal.SIGTERM)
        self._kill(self.worker, signal.SIGTERM)

    def stop(self) -> None:
        self.stop_processes()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--load", action="store_true", help=f"make {DATABASE} anew and fill it")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--no-ingest", action="store_true")
    parser.add_argument("--posts", type=int, default=2000, help="posts per ingest run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        stack = KeptStack(
            Path(var),
            port=args.port,
            database_url=f"postgis://postgres@127.0.0.1:5432/{DATABASE}",
            redis_url=REDIS,
        )
        if args.load:
            print(f"making {DATABASE} anew", flush=True)
            stack.setup()
        else:
            stack.manage("migrate", "-v0")
            use_stack_settings(stack)
            checks_current()
        # The pages' stylesheets, as a deployment has them (the manifest of hashed names).
        try:
            stack.manage("collectstatic", "--no-input", "-v0")
            static_ok = True
        except RuntimeError as error:
            print(f"collectstatic failed, static files copied under their names: {error}"[:300])
            static_ok = False
        use_stack_settings(stack)
        if not static_ok:
            static_as_named()
        from django.urls import NoReverseMatch, reverse

        try:
            reverse("submissions:list")
            from review import views

            pages_exist = hasattr(views, "queue_list")
        except NoReverseMatch:
            pages_exist = False
        if args.load:
            print(f"loading {args.count:,} submissions", flush=True)
            load(args.count)
        print(sizes())
        measure(pages_exist)
        if not args.no_ingest:
            ingest_with_reviewers(stack, args.posts, args.rounds, pages_exist)


if __name__ == "__main__":
    main()
