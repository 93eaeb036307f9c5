"""`python manage.py eval_matcher [FILE]`: the account matcher's figures on labelled pairs, and its misses.

FILE is JSON lines as in dealreg/evaluation (the bundled set when omitted). Exits non-zero when a figure misses its
bar, so CI can run it."""

from django.core.management.base import BaseCommand, CommandError

from dealreg.evaluation import BARS, PAIRS_FILE, PairsError, evaluate, load

LABELS = {
    "recall": "recall (same pairs flagged same or possible)",
    "certain_same": "certain same (certain pairs judged same)",
    "false_same": "false same (different pairs judged same)",
    "flagged_different": "flagged different (different pairs flagged)",
}


def _rate(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = "Measure the account matcher on labelled company pairs (JSON lines); fail when a figure misses its bar."
    requires_system_checks = []  # touches no database

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", default=str(PAIRS_FILE), help="labelled pairs, JSON lines")
        parser.add_argument("--no-misses", action="store_true", help="print the figures only")

    def handle(self, *args, **options) -> None:
        try:
            pairs = load(options["file"])
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc.strerror or exc}") from None
        except (PairsError, UnicodeDecodeError) as exc:
            raise CommandError(f"{options['file']}: {exc}") from None
        if not pairs:
            raise CommandError(f"{options['file']}: no pairs")
        report = evaluate(pairs)
        total = report.total
        self.stdout.write(
            f"{len(pairs)} pairs from {options['file']}: {total.same} same ({total.certain} certain), "
            f"{total.different} different, {report.knowledge.same} only someone who knows the companies can tell"
        )
        rates = total.rates()
        counts = {
            "recall": (total.flagged_same, total.same),
            "certain_same": (total.certain_same, total.certain),
            "false_same": (total.false_same, total.different),
            "flagged_different": (total.flagged_different, total.different),
        }
        for key, label in LABELS.items():
            op, bar = BARS[key]
            value = rates[key]
            holds = value is None or (value >= bar if op == ">=" else value <= bar)
            part, whole = counts[key]
            self.stdout.write(
                f"  {label:<46} {_rate(value)}  ({part}/{whole})  bar {op} {bar:.2f}  {'ok' if holds else 'MISSED'}"
            )
        known = report.knowledge
        if known.same:
            self.stdout.write(
                f"  needs outside knowledge (not in the figures): {known.same} same pairs, {known.flagged_same} flagged"
            )
        self.stdout.write("\nby class                pairs  recall  certain  false same  flagged diff")
        for kind in sorted(report.by_class):
            tally = report.by_class[kind]
            r = tally.rates()
            self.stdout.write(
                f"  {kind:<21} {tally.same + tally.different:>5}  {_rate(r['recall']):>6}"
                f"  {_rate(r['certain_same']):>7}"
                f"  {_rate(r['false_same']):>10}  {_rate(r['flagged_different']):>12}"
            )
        if report.misses and not options["no_misses"]:
            self.stdout.write(f"\n{len(report.misses)} misses:")
            for pair, result, what in report.misses:
                a, b = pair.a, pair.b
                self.stdout.write(
                    f"  line {pair.line} [{pair.kind}] {what}: {a.name!r} {a.domain!r} {a.country!r} / "
                    f"{b.name!r} {b.domain!r} {b.country!r} → {result.verdict} {result.score}: "
                    + "; ".join(result.reasons)
                )
        if failed := report.failed_bars():
            raise CommandError("below the bar: " + ", ".join(failed))
        self.stdout.write(self.style.SUCCESS("every figure holds its bar"))
