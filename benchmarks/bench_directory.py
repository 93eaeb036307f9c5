"""Benchmark: the channel managers' partner directory with many partners.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm .venv/bin/python benchmarks/bench_directory.py --partners 10000

Runs in a throwaway test database (created and dropped here), so it never touches real data. Prints one
`name=value` per line: the query count and p50/p95 render times of the list page at 50 and 200 rows, filtered
and sorted, and the time of the full CSV export.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, setup_test_environment, teardown_databases  # noqa: E402


def seed(count: int) -> None:
    from partners.models import Partner, Tier
    from tests.factories import ChannelManagerFactory

    owners = [ChannelManagerFactory(email=f"owner{i}@bench.example.com") for i in range(5)]
    tiers = [Tier.objects.create(name=n, rank=r) for r, n in enumerate(["Registered", "Silver", "Gold"], start=1)]
    types = [t for t, _ in Partner.Type.choices]
    statuses = [s for s, _ in Partner.Status.choices]
    regions = [r for r, _ in Partner.Region.choices]
    Partner.objects.bulk_create(
        [
            Partner(
                name=f"Bench Partner {i:06d}",
                type=types[i % len(types)],
                status=statuses[i % len(statuses)],
                regions=[regions[i % len(regions)]],
                tier=tiers[i % 3] if i % 4 else None,
                owner=owners[i % 5] if i % 3 else None,
                website=f"https://bench{i}.com",
                domain=f"bench{i}.com",
            )
            for i in range(count)
        ],
        batch_size=2000,
    )


def measure(client, url: str, runs: int) -> tuple[float, float, int]:
    client.get(url)  # warm up
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(ctx.captured_queries)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from django.test import Client

        from tests.factories import ChannelManagerFactory

        seed(args.partners)
        client = Client()
        client.force_login(ChannelManagerFactory(email="bench-manager@bench.example.com"))
        print(f"partners={args.partners}")
        print(f"database={connection.vendor}")
        for name, url in [
            ("list_50", "/manage/partners/"),
            ("list_200", "/manage/partners/?per_page=200"),
            ("list_filtered_sorted_50", "/manage/partners/?status=active&region=emea&sort=-created"),
            ("list_search_50", "/manage/partners/?q=Partner%200099"),
        ]:
            p50, p95, queries = measure(client, url, args.runs)
            print(f"{name}_queries={queries}")
            print(f"{name}_p50_ms={p50:.1f}")
            print(f"{name}_p95_ms={p95:.1f}")
        start = time.perf_counter()
        response = client.get("/manage/partners/export.csv")
        rows = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
        print(f"csv_export_rows={rows}")
        print(f"csv_export_ms={(time.perf_counter() - start) * 1000:.0f}")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
