#!/usr/bin/env python3
"""Reading an e-KTP extract of a million rows: CSV, XLSX the old way (openpyxl), XLSX now.

Makes the files once with tests/imports/extracts.py (kept in ``--dir`` for the next
run): the extract as CSV, as an .xlsx written by openpyxl (inline strings, one
sheet), and as an .xlsx written as Excel writes one (shared strings) split over
three sheets, as a clerk splits an extract longer than a sheet. Then each reader
runs in a process of its own, reading every row through ``Extract.rows()``, and
prints rows/s (by the wall clock and by the CPU the process used: the machine is
shared), the process's peak resident size and, in a second run over the first
200,000 rows, the peak of Python's allocations (tracemalloc, which slows Python
down). The old path is imports/readers.py as of d60e6ae, read from git; at 5,000
rows a second it reads only the first ``--old-rows`` rows.

Run: .venv/bin/python tests/bench/import_read.py [--rows 1000000] [--dir /tmp/srs_import_bench]

Measured 2026-12-08, 2 cores shared with other test runs, 992,391 e-KTP rows of 18
columns: CSV 247,000 rows/s; the openpyxl-made .xlsx (1.0 GB of sheet XML) 150 rows/s
the old way (63 s to open, first 20,000 rows), 35,600 rows/s now; the Excel-like one in
3 sheets 42,300 rows/s. Resident size grew by 1 MB reading either workbook to the end
(peak 118 MB, Django's own), Python's peak allocation 1.2 MB over 200,000 rows.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

OLD_COMMIT = "d60e6ae"
ROWS_PER_HOUSEHOLD = 2.3  # e-KTP rows (people of 17 and over) per household made


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srs.settings")
    import django

    django.setup()


def _old_readers() -> types.ModuleType:
    source = subprocess.run(
        ["git", "show", f"{OLD_COMMIT}:imports/readers.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType("old_readers")
    exec(compile(source, "old_readers.py", "exec"), module.__dict__)  # noqa: S102 - our own file
    return module


def make_files(directory: Path, rows: int) -> dict[str, Path]:
    from tests.imports.extracts import write_csv, write_workbook, write_xlsx

    households = round(rows / ROWS_PER_HOUSEHOLD)
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "csv": directory / f"ektp-{households}.csv",
        "xlsx-openpyxl": directory / f"ektp-{households}-openpyxl.xlsx",
        "xlsx-excel-3-sheets": directory / f"ektp-{households}-3-sheets.xlsx",
    }
    for kind, path in files.items():
        if path.exists():
            continue
        started = time.perf_counter()
        with path.open("wb") as out:
            if kind == "csv":
                made = write_csv(out, "ektp", households)
            elif kind == "xlsx-openpyxl":
                made = write_xlsx(out, "ektp", households)
            else:
                per_sheet = -(-round(rows) // 3)
                made = write_workbook(out, "ektp", households, rows_per_sheet=per_sheet)
        print(
            f"made {path.name}: {made.rows:,} rows, {path.stat().st_size / 1e6:.0f} MB "
            f"in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    return files


def measure(reader: str, path: str, limit: int, traced: bool) -> dict[str, float]:
    """One reader over one file, in this process."""
    _setup()
    if reader == "old":
        open_extract = _old_readers().open_extract
    else:
        from imports.readers import open_extract
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if traced:
        tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    count = 0
    with open(path, "rb") as handle:
        extract = open_extract(handle)
        opened = time.perf_counter() - wall
        for _row in extract.rows():
            count += 1
            if count == limit:
                break
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    result = {
        "rows": count,
        "open_s": opened,
        "wall_s": wall,
        "rows_per_s": count / wall,
        "rows_per_cpu_s": count / cpu,
        "rss_growth_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if traced:
        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return result


def _run(reader: str, path: Path, limit: int, *, traced: bool = False) -> dict[str, float]:
    command = [sys.executable, __file__, "--measure", reader, str(path), str(limit)]
    if traced:
        command.append("--traced")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--old-rows", type=int, default=20_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/srs_import_bench"))
    parser.add_argument("--measure", nargs=3, metavar=("READER", "PATH", "LIMIT"))
    parser.add_argument("--traced", action="store_true")
    args = parser.parse_args()
    if args.measure:
        reader, path, limit = args.measure
        print(json.dumps(measure(reader, path, int(limit), args.traced)))
        return

    _setup()
    files = make_files(args.dir, args.rows)
    runs = [
        ("CSV", "new", files["csv"], 0),
        ("XLSX openpyxl-made, old reader", "old", files["xlsx-openpyxl"], args.old_rows),
        ("XLSX openpyxl-made, new reader", "new", files["xlsx-openpyxl"], 0),
        ("XLSX Excel-like, 3 sheets, new reader", "new", files["xlsx-excel-3-sheets"], 0),
    ]
    print(f"{'':40} {'rows':>9} {'rows/s':>8} {'rows/CPU s':>10} {'open s':>6} "
          f"{'peak RSS':>9} {'traced peak':>11}")  # fmt: skip
    for label, reader, path, limit in runs:
        timed = _run(reader, path, limit)
        # Traced, openpyxl crawls: a tenth of its rows tell its peak as well.
        traced_rows = limit // 10 if reader == "old" else 200_000
        traced = _run(reader, path, traced_rows, traced=True)
        print(
            f"{label:40} {timed['rows']:>9,} {timed['rows_per_s']:>8,.0f} "
            f"{timed['rows_per_cpu_s']:>10,.0f} {timed['open_s']:>6.2f} "
            f"{timed['peak_rss_mb']:>6.0f} MB {traced['traced_peak_mb']:>8.1f} MB",
            flush=True,
        )


if __name__ == "__main__":
    main()
