"""`python manage.py backtest_health`: does the health score tell which partners will do well?

Replays history: for dates T every `--every` days (default 30) from the first activity on, up to `--horizon`
days (default 90) before today (so the outcome window is fully known), scores every partner AS OF T
(insights.health uses only facts known at T) and labels it positive when, in T..T+horizon, the partner won at least
one deal (a registration closed won in that window) and was still in the program at T+horizon (not offboarded).
Prints one `name=value` per line:

- `auc`: the probability that a random positive (partner, T) scores higher than a random negative one (ties count
  half): 0.5 is a coin toss, 1.0 a perfect ranking;
- `at_risk_precision`: of the partners in the at-risk band, the share that were NOT positive (the band's warnings
  that proved right), beside `base_negative_rate` (the share of all samples that were not positive: what a random
  list would score);
- counts: dates, samples, positives, and per band the samples and the positive rate.

By default it reads the current database (the demo: `seed_demo` builds a year of history). `--bench` generates the
insights benchmark's program (benchmarks/insights_data.py through bench_insights' loader: 10,000 partners, a year
of registrations, certifications, MDF) in a throwaway database, times `compute_all` there (`compute_all_s`), and
backtests on it.
"""

import os
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Min
from django.utils import timezone


def auc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """Area under the ROC curve of `scores` for `labels` (higher score → more likely positive), by ranks
    (Mann–Whitney U, ties counted half); None when one class is empty."""
    if len(scores) != len(labels):
        raise ValueError("scores and labels differ in length")
    positives = sum(1 for label in labels if label)
    negatives = len(labels) - positives
    if not positives or not negatives:
        return None
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        average = (i + j) / 2 + 1  # ranks start at 1; tied scores share the average rank
        for k in range(i, j + 1):
            ranks[order[k]] = average
        i = j + 1
    rank_sum = sum(rank for rank, label in zip(ranks, labels, strict=True) if label)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def at_risk_precision(bands: Sequence[str], labels: Sequence[bool]) -> float | None:
    """Of the samples in the at-risk band, the share that were not positive; None when the band is empty."""
    flagged = [label for band, label in zip(bands, labels, strict=True) if band == "at_risk"]
    if not flagged:
        return None
    return sum(1 for label in flagged if not label) / len(flagged)


def backtest_dates(first: datetime, last: datetime, every: int) -> list[datetime]:
    """T = first, first + every days, … while T <= last."""
    dates, day = [], first
    while day <= last:
        dates.append(day)
        day += timedelta(days=every)
    return dates


def backtest(*, every: int = 30, horizon: int = 90, now: datetime | None = None) -> dict:
    """Score every partner at each date and label it by what followed; returns the figures (see the module)."""
    from dealreg.models import Registration
    from insights.health import health_inputs_for, score_health, status_as_of
    from partners.models import Partner

    now = now or timezone.now()
    last = now - timedelta(days=horizon)
    first_deal = Registration.objects.filter(submitted_at__isnull=False).aggregate(first=Min("submitted_at"))["first"]
    first_partner = Partner.objects.aggregate(first=Min("created_at"))["first"]
    known = [moment for moment in (first_deal, first_partner) if moment is not None]
    if not known:
        return {"dates": 0, "samples": 0}
    start = min(known) + timedelta(days=every)  # a first date with some history behind it
    dates = backtest_dates(start, last, every)
    partners = {
        p.pk: p
        for p in Partner.objects.exclude(status__in=("applied", "declined")).only(
            "pk", "status", "created_at", "applied_at", "approved_at", "activated_at", "status_changed_at"
        )
    }
    ids = sorted(partners)
    scores: list[int] = []
    bands: list[str] = []
    labels: list[bool] = []
    per_date = []
    for day in dates:
        end = day + timedelta(days=horizon)
        winners = set(
            Registration.objects.filter(
                partner_id__in=ids, status=Registration.Status.WON, closed_at__gt=day, closed_at__lte=end
            )
            .values_list("partner_id", flat=True)
            .distinct()
        )
        date_scores, date_labels = [], []
        for start_at in range(0, len(ids), 2000):
            for pk, facts in health_inputs_for(ids[start_at : start_at + 2000], now=day).items():
                health = score_health(facts)
                if health.score is None:
                    continue
                still_in = status_as_of(partners[pk], end) not in ("offboarded", "declined", "")
                label = pk in winners and still_in
                scores.append(health.score)
                bands.append(health.band)
                labels.append(label)
                date_scores.append(health.score)
                date_labels.append(label)
        per_date.append((day, len(date_scores), sum(date_labels), auc(date_scores, date_labels)))

    figures: dict = {
        "dates": len(dates),
        "first_date": dates[0].date().isoformat() if dates else "",
        "last_date": dates[-1].date().isoformat() if dates else "",
        "horizon_days": horizon,
        "samples": len(scores),
        "positives": sum(labels),
        "auc": auc(scores, labels),
        "at_risk_precision": at_risk_precision(bands, labels),
        "base_negative_rate": (1 - sum(labels) / len(labels)) if labels else None,
    }
    by_band: dict[str, list[bool]] = defaultdict(list)
    for band, label in zip(bands, labels, strict=True):
        by_band[band].append(label)
    for band in ("healthy", "watch", "at_risk"):
        found = by_band.get(band, [])
        figures[f"{band}_samples"] = len(found)
        figures[f"{band}_positive_rate"] = (sum(found) / len(found)) if found else None
    figures["per_date"] = per_date
    return figures


def _fmt(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


class Command(BaseCommand):
    help = "Backtest the partner health score: AUC and at-risk precision against wins in the following 90 days."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--every", type=int, default=30, help="days between two replayed dates (default 30)")
        parser.add_argument("--horizon", type=int, default=90, help="days of outcome after each date (default 90)")
        parser.add_argument("--bench", action="store_true", help="generate the benchmark program in a throwaway DB")
        parser.add_argument("--partners", type=int, default=10_000, help="--bench: partners")
        parser.add_argument("--registrations", type=int, default=100_000, help="--bench: registrations")
        parser.add_argument("--certifications", type=int, default=100_000, help="--bench: certification awards")
        parser.add_argument("--mdf-requests", type=int, default=50_000, help="--bench: MDF requests")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--per-date", action="store_true", help="also print each date's samples and AUC")

    def handle(self, *args, **options) -> None:
        if options["every"] < 1 or options["horizon"] < 1:
            raise CommandError("--every and --horizon must be positive.")
        self.options = options
        if not options["bench"]:
            self.emit("data", "current database")
            self.report(options)
            return
        from django.test.utils import setup_databases, setup_test_environment, teardown_databases

        settings_dict = connection.settings_dict
        settings_dict.setdefault("TEST", {})["NAME"] = (
            f"test_prm_backtest_health_{os.getpid()}" if connection.vendor == "postgresql" else None
        )
        setup_test_environment()
        old = setup_databases(verbosity=0, interactive=False)
        try:
            self.load_bench(options)
            self.report(options)
        finally:
            connection.close()
            teardown_databases(old, verbosity=0)

    def emit(self, key: str, value) -> None:
        self.stdout.write(f"{key}={_fmt(value)}")
        self.stdout.flush()

    def load_bench(self, options: dict) -> None:
        """The insights benchmark's program (bench_insights' loader), then today's health stored for all."""
        from benchmarks import dealreg_data
        from benchmarks import insights_data as data
        from insights.health_store import compute_all
        from insights.management.commands import bench_insights

        loader = bench_insights.Command(stdout=self.stderr, stderr=self.stderr)
        loader.now, loader.seed, loader.verbosity = timezone.now(), options["seed"], 0
        loader.show_slowest, loader.clock = 0, time.perf_counter()
        self.emit("data", f"bench ({connection.vendor})")
        start = time.perf_counter()
        with data.without_fk_triggers():
            loader._load_program(
                {
                    "partners": options["partners"],
                    "certifications": options["certifications"],
                    "mdf_requests": options["mdf_requests"],
                }
            )
        universe, keys = dealreg_data.Universe(seed=options["seed"]), dealreg_data.KeyCache()
        total = options["registrations"]
        loader._load_registrations(universe, keys, 0, total, total)
        self.emit("load_s", f"{time.perf_counter() - start:.1f}")
        self.emit("partners", options["partners"])
        self.emit("registrations", total)
        start = time.perf_counter()
        stored = compute_all(notify=False)
        self.emit("compute_all_s", f"{time.perf_counter() - start:.1f}")
        self.emit("snapshots_stored", stored)
        start = time.perf_counter()
        compute_all(notify=False)
        self.emit("compute_all_again_s", f"{time.perf_counter() - start:.1f}")

    def report(self, options: dict) -> None:
        start = time.perf_counter()
        figures = backtest(every=options["every"], horizon=options["horizon"])
        per_date = figures.pop("per_date", [])
        for key, value in figures.items():
            self.emit(key, value)
        if options["per_date"]:
            for day, samples, positives, value in per_date:
                self.emit(f"auc_{day.date().isoformat()}", f"{_fmt(value)} ({positives}/{samples} positive)")
        self.emit("backtest_s", f"{time.perf_counter() - start:.1f}")
