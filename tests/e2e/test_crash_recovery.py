"""kill -9 of the web server and of the worker while phones upload: nothing lost, nothing twice."""

import hashlib
import os
import queue
import threading
import time
import uuid

import pytest
import requests
from requests.auth import HTTPDigestAuth

from tests.bench.household_form import household_instance
from tests.images import jpeg
from tests.live_stack import PASSWORD, LiveStack, free_port

pytestmark = pytest.mark.fault

COUNT = 150
PHONES = 6


@pytest.fixture
def stack(tmp_path):
    database_url = None
    if os.environ.get("DATABASE_URL", "").startswith(("postgis://", "postgres")):
        database_url = f"postgis://postgres@127.0.0.1:5432/srs_crash_{os.getpid()}"
    live = LiveStack(
        tmp_path / "var",
        port=free_port(),
        database_url=database_url,
        redis_url="redis://127.0.0.1:6379/14",
    )
    live.setup()
    live.start_web()
    live.start_worker()
    yield live
    live.stop()


def test_every_acknowledged_submission_survives_crashes_once(stack):
    photo = jpeg(400, seed=7)  # about 150 kB
    ids = [f"uuid:{uuid.uuid4()}" for _ in range(COUNT)]
    todo: queue.Queue[str] = queue.Queue()
    for instance_id in ids:
        todo.put(instance_id)
    acknowledged: set[str] = set()
    refused: list[tuple[str, int]] = []
    lock = threading.Lock()

    def phone() -> None:
        session = requests.Session()
        session.auth = HTTPDigestAuth("agent", PASSWORD)
        while True:
            try:
                instance_id = todo.get_nowait()
            except queue.Empty:
                return
            xml = household_instance(instance_id)
            # Like Collect: a submission without a 201 is sent again later.
            for _attempt in range(200):
                try:
                    response = session.post(
                        f"{stack.url}/submission?deviceID=crash-test",
                        files={
                            "xml_submission_file": ("submission.xml", xml, "text/xml"),
                            "house.jpg": ("house.jpg", photo, "image/jpeg"),
                        },
                        timeout=30,
                    )
                except requests.RequestException:
                    time.sleep(0.2)
                    session = requests.Session()
                    session.auth = HTTPDigestAuth("agent", PASSWORD)
                    continue
                if response.status_code == 201:
                    with lock:
                        acknowledged.add(instance_id)
                    break
                if response.status_code >= 500 or response.status_code == 401:
                    time.sleep(0.2)
                    continue
                with lock:
                    refused.append((instance_id, response.status_code))
                break

    phones = [threading.Thread(target=phone) for _ in range(PHONES)]
    for thread in phones:
        thread.start()
    kills = 0
    while any(t.is_alive() for t in phones) and kills < 3:
        time.sleep(0.4)
        stack.kill_web()
        stack.kill_worker()
        kills += 1
        time.sleep(0.3)
        stack.start_web()
        stack.start_worker()
    for thread in phones:
        thread.join(timeout=300)

    assert kills >= 2, "the uploads finished before the server could be killed twice"
    assert refused == []
    assert acknowledged == set(ids)

    rows = stack.query(
        "import json, hashlib\n"
        "from intake.models import Submission\n"
        "from intake.models import Attachment\n"
        "subs = list(Submission.objects.values_list('instance_id', 'status'))\n"
        "files = []\n"
        "for a in Attachment.objects.select_related('submission'):\n"
        "    data = a.file.open('rb').read()\n"
        "    files.append([a.submission.instance_id, a.filename, a.sha256, hashlib.sha256(data).hexdigest(), len(data)])\n"
        "print(json.dumps({'subs': subs, 'files': files}))"
    )
    instance_ids = [row[0] for row in rows["subs"]]
    assert len(instance_ids) == len(set(instance_ids)) == COUNT  # none lost, none twice
    assert set(instance_ids) == set(ids)
    assert {row[1] for row in rows["subs"]} == {"complete"}
    expected = hashlib.sha256(photo).hexdigest()
    assert len(rows["files"]) == COUNT
    for instance_id, filename, recorded, actual, size in rows["files"]:
        assert filename == "house.jpg" and recorded == actual == expected and size == len(photo), (
            instance_id
        )

    if not stack.redis_url:
        # The embedded default has no worker: a request killed after its commit left its
        # submission awaiting, which the next requests or the operator's command take.
        stack.manage("process_pending_submissions")
    else:
        # Production: no manual step; the worker's sweep finds what the kills left.
        deadline = time.time() + 60
        while time.time() < deadline:
            pending = stack.query(
                "from intake.models import Submission; "
                "print(Submission.objects.filter(processed_at__isnull=True).count())"
            )
            if pending == 0:
                break
            time.sleep(1)
    pending = stack.query(
        "from intake.models import Submission; print(Submission.objects.filter(processed_at__isnull=True).count())"
    )
    assert pending == 0
