"""How good the account matcher is, measured on labelled pairs of real companies (`company_pairs.jsonl` here).

Each line: {"class": ..., "label": "same" | "different", "certain": bool, "a": {name, domain, country}, "b": {...},
"knowledge": bool, "note": ...}. "certain" marks same pairs whose records alone leave no doubt (one company domain,
or names equal once legal forms, "and", accents and script are normalised): those the matcher must call `same`;
the others it must at least flag (`same` or `possible`), so that a human looks. "knowledge" marks same pairs whose
records carry no evidence at all, only someone who knows the company can tell (a rebrand to an unrelated name:
Facebook / Meta Platforms; a translation: Εθνική Τράπεζα της Ελλάδος / National Bank of Greece; a brand that is
not the native name's reading: 腾讯 / Tencent): they are counted and shown apart ("needs outside knowledge"), not
in the four figures, since no name-and-domain matcher can find them (the tags were set from the records alone,
without running the matcher).

The four figures and their bars (`python manage.py eval_matcher FILE` prints them and fails below a bar):
- recall: same pairs flagged (`same` or `possible`), at least 0.97: a missed conflict is a customer taken twice;
- certain same: certain pairs judged `same`, at least 0.95;
- false same: different pairs judged `same`, at most 0.02: a partner wrongly told the customer is taken;
- flagged different: different pairs flagged, at most 0.10: the review queue's noise.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from dealreg.matching import Company, MatchResult, match

PAIRS_FILE = Path(__file__).with_name("company_pairs.jsonl")
FIELDS = ("name", "domain", "country")
BARS = {
    "recall": (">=", 0.97),
    "certain_same": (">=", 0.95),
    "false_same": ("<=", 0.02),
    "flagged_different": ("<=", 0.10),
}
LABELS = ("same", "different")


class PairsError(ValueError):
    """A line of the pairs file that is not a labelled pair; the message names the line."""


@dataclass(frozen=True)
class Pair:
    line: int
    kind: str  # the class of pair: acronym, typo, rebrand...
    label: str
    certain: bool
    knowledge: bool
    a: Company
    b: Company
    note: str = ""


@dataclass
class Tally:
    same: int = 0
    flagged_same: int = 0
    certain: int = 0
    certain_same: int = 0
    different: int = 0
    false_same: int = 0
    flagged_different: int = 0

    def add(self, pair: Pair, result: MatchResult) -> None:
        if pair.label == "same":
            self.same += 1
            self.flagged_same += result.verdict != "different"
            if pair.certain:
                self.certain += 1
                self.certain_same += result.verdict == "same"
        else:
            self.different += 1
            self.false_same += result.verdict == "same"
            self.flagged_different += result.verdict != "different"

    def rates(self) -> dict[str, float | None]:
        def rate(part: int, whole: int) -> float | None:
            return part / whole if whole else None

        return {
            "recall": rate(self.flagged_same, self.same),
            "certain_same": rate(self.certain_same, self.certain),
            "false_same": rate(self.false_same, self.different),
            "flagged_different": rate(self.flagged_different, self.different),
        }


@dataclass
class Report:
    total: Tally = field(default_factory=Tally)
    knowledge: Tally = field(default_factory=Tally)  # same pairs only someone who knows the company can tell
    by_class: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    misses: list[tuple[Pair, MatchResult, str]] = field(default_factory=list)  # (pair, result, what went wrong)

    def failed_bars(self) -> list[str]:
        """The figures below (or above) their bar, in words; empty when all hold."""
        failed = []
        for key, value in self.total.rates().items():
            op, bar = BARS[key]
            if value is not None and (value < bar if op == ">=" else value > bar):
                failed.append(f"{key.replace('_', ' ')} {value:.3f} (bar {op} {bar})")
        return failed


def _company(value: object, where: str) -> Company:
    if not isinstance(value, dict) or any(not isinstance(value.get(k, ""), str) for k in FIELDS):
        raise PairsError(f"{where} must be an object of strings name, domain and country")
    return Company(**{k: value.get(k, "") for k in FIELDS})


def parse(lines) -> list[Pair]:
    """The labelled pairs of JSON lines (blank lines skipped); PairsError names the first bad line."""
    pairs = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as exc:
            raise PairsError(f"line {number}: invalid JSON ({exc})") from None
        if not isinstance(data, dict) or data.get("label") not in LABELS:
            raise PairsError(f'line {number}: expected an object with "label": "same" or "different"')
        pairs.append(
            Pair(
                line=number,
                kind=str(data.get("class") or "unclassified"),
                label=data["label"],
                certain=data["label"] == "same" and data.get("certain") is True,
                knowledge=data["label"] == "same" and data.get("knowledge") is True,
                a=_company(data.get("a"), f'line {number}: "a"'),
                b=_company(data.get("b"), f'line {number}: "b"'),
                note=str(data.get("note") or ""),
            )
        )
    return pairs


def load(path: Path | str = PAIRS_FILE) -> list[Pair]:
    with open(path, encoding="utf-8") as handle:
        return parse(handle)


def evaluate(pairs: list[Pair]) -> Report:
    report = Report()
    for pair in pairs:
        result = match(pair.a, pair.b)
        if pair.knowledge:
            report.knowledge.add(pair, result)
            continue
        report.total.add(pair, result)
        report.by_class[pair.kind].add(pair, result)
        if pair.label == "same" and result.verdict == "different":
            report.misses.append((pair, result, "same company judged different"))
        elif pair.certain and result.verdict != "same":
            report.misses.append((pair, result, f"certain pair judged {result.verdict}"))
        elif pair.label == "different" and result.verdict == "same":
            report.misses.append((pair, result, "different companies judged same"))
        elif pair.label == "different" and result.verdict == "possible":
            report.misses.append((pair, result, "different companies flagged possible"))
    return report
