"""An import run's states, each change audited; mappings saved per source and district."""

import io

import pytest

from areas.models import Area
from audit.models import AuditRecord
from imports.errors import ImportStateError, MappingInvalid
from imports.mappings import offered_mapping, save_source_mapping
from imports.models import ImportRun, SourceKind, SourceMapping
from imports.readers import open_extract
from imports.runs import (
    create_import_run,
    fail_run,
    finish_apply,
    finish_dry_run,
    mark_undone,
    record_progress,
    restart_dry_run,
    start_apply,
)
from tests.imports.extracts import HEADERS, csv_bytes

pytestmark = pytest.mark.django_db
State = ImportRun.State
MAPPING = {"nik": "NIK", "name": "NAMA_LGKP", "kk": "NO_KK", "kecamatan_code": "NO_KEC", "village_code": "NO_KEL"}  # fmt: skip


@pytest.fixture
def malang_area(malang):
    return Area.objects.get(code="35.07")


@pytest.fixture
def run(district_user, malang_area):
    data, _report = csv_bytes("ektp", 5)
    extract = open_extract(io.BytesIO(data))
    return create_import_run(
        source=SourceKind.EKTP,
        area=malang_area,
        upload=io.BytesIO(data),
        filename="ektp malang.csv",
        columns=extract.columns,
        mapping=MAPPING,
        user=district_user,
    )


def _actions() -> list[str]:
    return list(
        AuditRecord.objects.filter(action__startswith="imports.")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_new_run_keeps_its_file_and_mapping_and_is_audited(run, district_user):
    run.refresh_from_db()

    assert run.state == State.DRY_RUN
    with run.file.open("rb") as handle:
        assert open_extract(handle).columns == tuple(HEADERS["ektp"])
    assert run.size > 0 and len(run.sha256) == 64
    assert run.mapping == MAPPING
    record = AuditRecord.objects.get(action="imports.run_created")
    assert (record.actor_id, record.area_code, record.object_id) == (
        district_user.pk,
        "35.07",
        str(run.pk),
    )
    assert record.after["state"] == "dry_run" and record.after["filename"] == "ektp malang.csv"


def test_a_run_with_a_mapping_that_misses_the_nik_is_not_created(district_user, malang_area):
    data, _report = csv_bytes("ektp", 2)
    with pytest.raises(MappingInvalid):
        create_import_run(
            source=SourceKind.EKTP,
            area=malang_area,
            upload=io.BytesIO(data),
            filename="x.csv",
            columns=tuple(HEADERS["ektp"]),
            mapping={"name": "NAMA_LGKP", "village_code": "NO_KEL"},
            user=district_user,
        )
    assert not ImportRun.objects.exists()


def test_a_run_goes_from_dry_run_to_applied_and_undone_with_one_record_a_change(run, district_user):
    counts = {"created": 20, "updated": 1, "conflicts": 2, "moves": 1, "invalid": 5}
    run = finish_dry_run(run=run, rows_total=29, counts=counts)
    assert (run.state, run.rows_total, run.counts) == (State.READY, 29, counts)

    run = start_apply(run=run, user=district_user)
    assert run.state == State.APPLYING and run.counts["created"] == 0
    run = record_progress(run=run, rows_done=10, last_row=11, counts={"created": 9})
    run = finish_apply(run=run, counts=counts)
    run = mark_undone(run=run, user=district_user)

    assert run.state == State.UNDONE
    assert _actions() == [
        "imports.run_created",
        "imports.dry_run_finished",
        "imports.apply_started",
        "imports.applied",
        "imports.undone",
    ]
    applied = AuditRecord.objects.get(action="imports.applied")
    assert applied.before["state"] == "applying" and applied.after["created"] == 20


def test_a_failed_apply_resumes_after_its_last_committed_row(run, district_user):
    run = finish_dry_run(run=run, rows_total=29, counts={})
    run = start_apply(run=run, user=district_user)
    run = record_progress(run=run, rows_done=10, last_row=11, counts={"created": 9})
    run = fail_run(run=run, error="worker lost")

    run = start_apply(run=run, user=district_user)

    assert (run.state, run.last_row, run.rows_done, run.created) == (State.APPLYING, 11, 10, 9)
    assert run.error == ""
    assert _actions()[-2:] == ["imports.failed", "imports.apply_resumed"]


@pytest.mark.parametrize(
    "change",
    [
        lambda run, user: start_apply(run=run, user=user),
        lambda run, user: finish_apply(run=run, counts={}),
        lambda run, user: mark_undone(run=run, user=user),
    ],
)
def test_a_change_not_allowed_from_the_runs_state_is_refused(run, district_user, change):
    with pytest.raises(ImportStateError) as refused:
        change(run, district_user)

    assert refused.value.http_status == 409
    run.refresh_from_db()
    assert run.state == State.DRY_RUN
    assert _actions() == ["imports.run_created"]


def test_an_undone_run_stays_undone(run, district_user):
    run = finish_apply(
        run=start_apply(run=finish_dry_run(run=run, rows_total=1, counts={}), user=district_user),
        counts={},
    )
    run = mark_undone(run=run, user=district_user)

    for change in (start_apply, mark_undone, restart_dry_run):
        with pytest.raises(ImportStateError):
            change(run=run, user=district_user)


def test_a_ready_run_is_checked_again_with_a_new_mapping(run, district_user):
    run = finish_dry_run(run=run, rows_total=29, counts={"invalid": 3})
    mapping = {**MAPPING, "birth_date": "TGL_LHR"}

    run = restart_dry_run(run=run, user=district_user, mapping=mapping)

    assert run.state == State.DRY_RUN and run.mapping == mapping and run.invalid == 0
    assert AuditRecord.objects.filter(action="imports.dry_run_started").count() == 1


def test_a_saved_mapping_is_offered_for_the_next_file_and_saving_it_twice_records_once(
    district_user, malang_area
):
    columns = ["NIK", "NAMA", "KODE", "TGL_LHR", "AGAMA"]
    mapping = {"nik": "NIK", "name": "NAMA", "village_code": "KODE"}

    save_source_mapping(
        source=SourceKind.EKTP,
        area=malang_area,
        mapping=mapping,
        columns=columns,
        user=district_user,
    )
    save_source_mapping(
        source=SourceKind.EKTP,
        area=malang_area,
        mapping=mapping,
        columns=columns,
        user=district_user,
    )

    assert SourceMapping.objects.get().mapping == mapping
    assert _actions() == ["imports.mapping_saved"]
    offered = offered_mapping(
        source=SourceKind.EKTP, area=malang_area, columns=["NIK", "NAMA", "KODE", "TGL_LHR"]
    )
    assert offered == {**mapping, "birth_date": "TGL_LHR"}
    assert offered_mapping(source=SourceKind.KK, area=malang_area, columns=["NO_KK"]) == {
        "kk": "NO_KK"
    }


def test_replacing_a_saved_mapping_records_before_and_after(district_user, malang_area):
    columns = ["NIK", "NAMA", "KODE", "NAMA_LGKP"]
    first = {"nik": "NIK", "name": "NAMA", "village_code": "KODE"}
    second = {"nik": "NIK", "name": "NAMA_LGKP", "village_code": "KODE"}
    for mapping in (first, second):
        save_source_mapping(
            source=SourceKind.EKTP,
            area=malang_area,
            mapping=mapping,
            columns=columns,
            user=district_user,
        )

    record = AuditRecord.objects.filter(action="imports.mapping_saved").order_by("id").last()
    assert record.before["mapping"] == first and record.after["mapping"] == second
