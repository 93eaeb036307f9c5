"""The calculation of what a deal or a renewal earns, as pure functions over a version's rules and a deal's facts
(no writes). The ledger (services) stores what this returns; the calculator shows it; the plain-words page
describes the same rules (wording.py).

Worked example: a USD 48,000 sourced deal under "10% of the won amount, up to USD 5,000" earns USD 4,800; with a
"+2% EMEA push" boost active on the win date, a second part of USD 960. A multiplier boost (x1.5) adds half the
payout (after its cap). The first-win bonus is its own part. Amounts round half up to the cent, once per part.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from prm.money import ZERO, format_money, to_cents

INVOLVEMENT_VERB = {
    "sourced": "you source",
    "influenced": "you influence",
    "fulfilled": "you fulfil",
    "cosell": "you co-sell",
}
INVOLVEMENT_ADJ = {"sourced": "sourced", "influenced": "influenced", "fulfilled": "fulfilled", "cosell": "co-sell"}


@dataclass(frozen=True)
class Deal:
    """The facts of a won (or hypothetical) deal that rules look at."""

    amount: Decimal
    currency: str
    involvement: str
    won_on: date
    name: str = ""
    products: str = ""
    country: str = ""
    partner_regions: tuple[str, ...] = ()
    partner_segments: tuple[str, ...] = ()
    partner_type: str = ""
    partner_tier_id: int | None = None


@dataclass
class Part:
    """One line a deal earns: its rule kind, amount, currency and the calculation in words."""

    kind: str
    amount: Decimal
    currency: str
    words: str
    boost: object = None  # the Boost, for a boost part


@dataclass
class Result:
    parts: list[Part] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why something did not apply

    def totals(self):
        from prm.money import Totals

        return Totals((p.amount, p.currency) for p in self.parts)


def pct(value: Decimal) -> str:
    """10 -> "10%", 2.5 -> "2.5%"."""
    return f"{Decimal(value).normalize():f}%"


def times(value: Decimal) -> str:
    return f"×{Decimal(value).normalize():f}"


def payout_rule_for(rules, deal: Deal):
    """The payout rule for the deal's involvement: the one in the deal's currency first, else one without a
    currency (a percent rule that fits every currency), else a fixed fee without a minimum (its fee is in its own
    currency). None when the plan pays nothing for this involvement in this currency."""
    candidates = [r for r in rules if r.involvement == deal.involvement]
    for rule in candidates:
        if rule.currency == deal.currency:
            return rule
    for rule in candidates:
        if not rule.currency:
            return rule
    for rule in candidates:
        if rule.kind == "fixed" and rule.min_deal_amount is None:
            return rule
    return None


def boost_matches(boost, deal: Deal) -> bool:
    """Whether the boost's scope covers the deal (blank scope fields cover every deal) and the deal was won
    between its first and last day, both included."""
    if not (boost.starts_on <= deal.won_on <= boost.ends_on):
        return False
    if boost.region and boost.region not in deal.partner_regions:
        return False
    if boost.country and boost.country != deal.country:
        return False
    if boost.product and boost.product.casefold() not in (deal.products or "").casefold():
        return False
    if boost.segment and boost.segment not in deal.partner_segments:
        return False
    if boost.partner_type and boost.partner_type != deal.partner_type:
        return False
    return not (boost.tier_id and boost.tier_id != deal.partner_tier_id)


def deal_payout(rule, deal: Deal, *, version_label: str) -> Part | None:
    what = f"{INVOLVEMENT_ADJ.get(deal.involvement, deal.involvement)} deal"
    if deal.name:
        what += f" “{deal.name}”"
    won = format_money(deal.amount, deal.currency)
    if rule.min_deal_amount is not None and deal.amount < rule.min_deal_amount:
        return None
    if rule.kind == "fixed":
        amount = to_cents(rule.fixed_amount)
        words = f"Fixed fee of {format_money(amount, rule.currency)} for the {won} {what} under plan {version_label}"
        return Part("deal_payout", amount, rule.currency, words)
    amount = to_cents(deal.amount * rule.percent / 100)
    words = f"{pct(rule.percent)} of {won} {what} under plan {version_label}"
    if rule.cap_amount is not None and amount > rule.cap_amount:
        words += f" = {format_money(amount, deal.currency)}, capped at {format_money(rule.cap_amount, deal.currency)}"
        amount = to_cents(rule.cap_amount)
    return Part("deal_payout", amount, deal.currency, words)


def calculate_deal(*, version, payout_rules, boosts, deal: Deal, first_win: bool) -> Result:
    """What a won deal earns under `version` (its payout rules and boosts given, so callers load them once)."""
    label = f"v{version.number}"
    result = Result()
    rule = payout_rule_for(payout_rules, deal)
    payout = None
    if rule is None:
        result.notes.append(
            f"Plan {label} pays nothing on {INVOLVEMENT_ADJ.get(deal.involvement, deal.involvement)} deals "
            f"in {deal.currency}."
        )
    else:
        payout = deal_payout(rule, deal, version_label=label)
        if payout is None:
            result.notes.append(
                f"Deals under {format_money(rule.min_deal_amount, rule.currency or deal.currency)} earn no payout."
            )
        else:
            result.parts.append(payout)
    if payout is not None:
        for boost in boosts:
            if not boost_matches(boost, deal):
                continue
            ends = f"{boost.ends_on:%b %-d, %Y}"
            if boost.kind == "extra_percent":
                amount = to_cents(deal.amount * boost.value / 100)
                words = (
                    f"+{pct(boost.value)} {boost.name} boost on {format_money(deal.amount, deal.currency)} "
                    f"(boost runs until {ends})"
                )
                result.parts.append(Part("boost", amount, deal.currency, words, boost))
            else:
                amount = to_cents(payout.amount * (boost.value - 1))
                if amount <= ZERO:
                    continue
                words = (
                    f"{boost.name} boost {times(boost.value)} on the {format_money(payout.amount, payout.currency)} "
                    f"payout (boost runs until {ends})"
                )
                result.parts.append(Part("boost", amount, payout.currency, words, boost))
    if first_win and version.first_win_bonus:
        amount = to_cents(version.first_win_bonus)
        result.parts.append(
            Part(
                "first_win",
                amount,
                version.first_win_currency,
                f"First-win bonus of {format_money(amount, version.first_win_currency)} under plan {label}",
            )
        )
    return result


def calculate_renewal(*, version, amount: Decimal, currency: str, customer: str) -> Part | None:
    if not version.renewal_rebate_percent:
        return None
    earned = to_cents(amount * version.renewal_rebate_percent / 100)
    words = (
        f"{pct(version.renewal_rebate_percent)} renewal rebate on {format_money(amount, currency)} renewed by "
        f"“{customer}” under plan v{version.number}"
    )
    return Part("renewal_rebate", earned, currency, words)
