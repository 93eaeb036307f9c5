"""Benchmark: a background CSV import of many accounts, end to end (upload, check every row, apply all).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm .venv/bin/python benchmarks/bench_import.py --rows 100000

Runs in a throwaway test database (created and dropped here), with the Celery task run eagerly (no broker). The
rows are written to a temporary CSV file; a tenth of them update accounts that exist already. Prints one
`name=value` per line for an import of `--small` rows, then of `--rows` rows: total time, rows/s and the process's
peak resident memory after it (getrusage), which must not grow with the rows: the run streams the file and keeps
counters, never the rows. `--tracemalloc` adds the exact peak of Python allocations per run (slower).
"""

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402

SIZES = ("smb", "midmarket", "enterprise")
COUNTRIES = ("DE", "FR", "US", "GB", "Netherlands", "JP")


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Company,Website,Country,Size,Named account\n")
        for i in range(rows):
            named = "yes" if i % 7 == 0 else "no"
            out.write(f"Bench Company {i:07d},bench{i}.com,{COUNTRIES[i % 6]},{SIZES[i % 3]},{named}\n")


def run_import(path: Path, actor) -> tuple[float, object]:
    from django.core.files import File

    from imports import services
    from imports.models import ImportJob

    start = time.perf_counter()
    with path.open("rb") as handle:
        job = services.import_upload(actor=actor, kind="accounts", file=File(handle, name="accounts.csv"))
    job = services.import_set_mapping(actor=actor, job=job, mapping=job.mapping)
    services.import_start(actor=actor, job=job)  # eager: runs here, in the import's own transaction
    elapsed = time.perf_counter() - start
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == ImportJob.Status.DONE, (job.status, job.error_message, job.errors[:3])
    return elapsed, job


def reset(existing: int, actor) -> None:
    """Start each run from the same database: `existing` accounts the file's first rows will update."""
    from dealreg.models import Account

    Account.objects.all().delete()
    accounts = [
        Account(name=f"Bench Company {i:07d}", website=f"https://bench{i}.com", created_by=actor)
        for i in range(existing)
    ]
    for account in accounts:
        account.refresh_match_keys()
    Account.objects.bulk_create(accounts, batch_size=2000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also trace Python allocations (exact peaks, about 3x slower)"
    )
    args = parser.parse_args()

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from tests.factories import ChannelManagerFactory

        actor = ChannelManagerFactory(email="bench-manager@bench.example.com")
        print(f"database={connection.vendor}")
        with tempfile.TemporaryDirectory() as tmp:
            peaks = {}
            for rows in (args.small, args.rows):
                path = Path(tmp) / f"accounts-{rows}.csv"
                write_csv(path, rows)
                reset(rows // 10, actor)
                if args.tracemalloc:
                    tracemalloc.start()
                elapsed, job = run_import(path, actor)
                # The process's peak resident memory so far: it only grows if a run needs more than the ones before.
                peaks[rows] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                print(f"rows_{rows}_file_mb={path.stat().st_size / 2**20:.1f}")
                print(f"rows_{rows}_created={job.created_count}")
                print(f"rows_{rows}_updated={job.updated_count}")
                print(f"rows_{rows}_total_s={elapsed:.1f}")
                print(f"rows_{rows}_rows_per_s={job.total_rows / elapsed:.0f}")
                print(f"rows_{rows}_peak_rss_mb={peaks[rows]:.0f}")
                if args.tracemalloc:
                    print(f"rows_{rows}_peak_python_mb={tracemalloc.get_traced_memory()[1] / 2**20:.1f}")
                    tracemalloc.stop()
                path.unlink()
            print(f"peak_rss_growth_mb={peaks[args.rows] - peaks[args.small]:.0f}")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
