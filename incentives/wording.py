"""The plan in plain words: one sentence per rule, generated from the rules themselves (so the page partners read
and what the ledger pays cannot drift apart), and the plain-words difference between two versions.

Each sentence has a key naming the rule it describes, so a diff can say "changed" rather than "removed + added".
"""

from dataclasses import dataclass

from incentives.engine import INVOLVEMENT_VERB, pct, times
from prm.money import format_money

INVOLVEMENT_ORDER = ("sourced", "cosell", "influenced", "fulfilled")


@dataclass(frozen=True)
class Sentence:
    key: str
    text: str
    section: str  # "margin", "deals", "bonus", "renewals", "boosts", "payment"
    group: str = ""  # rules that replace one another (a payout of one involvement in another currency)


def _payout_text(rule) -> str:
    verb = INVOLVEMENT_VERB.get(rule.involvement, rule.involvement)
    if rule.kind == "fixed":
        text = f"On a deal {verb}: a fee of {format_money(rule.fixed_amount, rule.currency)}"
    else:
        text = f"On a deal {verb}: {pct(rule.percent)} of the won amount"
        if rule.cap_amount is not None:
            text += f", up to {format_money(rule.cap_amount, rule.currency)}"
    if rule.min_deal_amount is not None:
        text += f", on deals of {format_money(rule.min_deal_amount, rule.currency)} or more"
    if rule.currency and rule.kind == "percent":
        text += f" (deals in {rule.currency})"
    return text + "."


def _scope_words(boost, labels: dict[str, dict]) -> str:
    parts = []
    if boost.region:
        parts.append(f"partners in {labels['region'].get(boost.region, boost.region)}")
    if boost.country:
        parts.append(f"customers in {labels['country'].get(boost.country, boost.country)}")
    if boost.product:
        parts.append(f"deals including “{boost.product}”")
    if boost.segment:
        parts.append(f"{labels['segment'].get(boost.segment, boost.segment)} partners")
    if boost.partner_type:
        parts.append(f"{labels['type'].get(boost.partner_type, boost.partner_type)} partners")
    if boost.tier_id:
        parts.append(f"{boost.tier.name} partners")
    return ", ".join(parts) if parts else "every deal"


def boost_text(boost, labels: dict[str, dict] | None = None) -> str:
    labels = labels or scope_labels()
    extra = (
        f"+{pct(boost.value)} of the won amount"
        if boost.kind == "extra_percent"
        else f"{times(boost.value)} the deal payout"
    )
    return (
        f"{boost.name}: {extra} on deals won from {boost.starts_on:%b %-d, %Y} to {boost.ends_on:%b %-d, %Y}, "
        f"for {_scope_words(boost, labels)}."
    )


def scope_labels() -> dict[str, dict]:
    from django_countries import countries

    from partners.models import Partner

    return {
        "region": dict(Partner.Region.choices),
        "segment": dict(Partner.Segment.choices),
        "type": dict(Partner.Type.choices),
        "country": dict(countries),
    }


def plan_sentences(version, *, tiers=(), payable_after_days: int | None = None) -> list[Sentence]:
    """Every rule of `version` as a sentence, in the order partners read them. `tiers`: the program's tiers (the
    margin is read from them, not from the version)."""
    sentences: list[Sentence] = []
    for tier in tiers:
        if tier.discount_percent is not None:
            sentences.append(
                Sentence(
                    f"margin:{tier.pk}",
                    f"As a {tier.name} partner you buy at a {pct(tier.discount_percent)} discount.",
                    "margin",
                )
            )
    rules = sorted(
        version.payout_rules.all(),
        key=lambda r: (INVOLVEMENT_ORDER.index(r.involvement) if r.involvement in INVOLVEMENT_ORDER else 9, r.currency),
    )
    for rule in rules:
        sentences.append(
            Sentence(
                f"payout:{rule.involvement}:{rule.currency}", _payout_text(rule), "deals", f"payout:{rule.involvement}"
            )
        )
    if version.first_win_bonus:
        sentences.append(
            Sentence(
                "first_win",
                f"Your first won deal: a bonus of {format_money(version.first_win_bonus, version.first_win_currency)}.",
                "bonus",
            )
        )
    if version.renewal_rebate_percent:
        sentences.append(
            Sentence(
                "renewal",
                f"When a customer you brought renews: {pct(version.renewal_rebate_percent)} of the renewed amount.",
                "renewals",
            )
        )
    labels = scope_labels()
    for boost in version.boosts.all():
        sentences.append(Sentence(f"boost:{boost.name.casefold()}", boost_text(boost, labels), "boosts"))
    if payable_after_days is not None:
        sentences.append(
            Sentence(
                "payment",
                f"Earnings are approved for payment {payable_after_days} days after they accrue, then paid in the next "
                "payout run.",
                "payment",
            )
        )
    return sentences


def plan_diff(old: list[Sentence] | None, new: list[Sentence]) -> list[str]:
    """What changed from `old` to `new`, in plain words ("New: …", "Changed: … (was: …)", "Removed: …")."""
    if old is None:
        return [f"New: {s.text}" for s in new]
    before = {s.key: s.text for s in old}
    after = {s.key: s.text for s in new}
    added = [s for s in new if s.key not in before]
    removed = [s for s in old if s.key not in after]
    # One rule of a group replaced by one other (the sourced payout now in USD only): a change, not two lines.
    replaced: dict[str, Sentence] = {}
    for s in added:
        if not s.group:
            continue
        gone = [r for r in removed if r.group == s.group]
        if len(gone) == 1 and len([a for a in added if a.group == s.group]) == 1:
            replaced[s.key] = gone[0]
    replaced_keys = {r.key for r in replaced.values()}
    lines = []
    for s in new:
        if s.key in replaced:
            lines.append(f"Changed: {s.text} (was: {replaced[s.key].text})")
        elif s.key not in before:
            lines.append(f"New: {s.text}")
        elif before[s.key] != s.text:
            lines.append(f"Changed: {s.text} (was: {before[s.key]})")
    lines.extend(f"Removed: {s.text}" for s in removed if s.key not in replaced_keys)
    return lines
