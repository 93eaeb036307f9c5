"""A partner's scorecard (issue #13 §5): the same data for the channel manager's partner page and for the partner's
own "My performance" page in the portal.

Every number of the period comes from insights.metrics (`partner_snapshot`), with the previous period beside it;
health comes from insights.health (live), with its stored history of the last 90 days (insights.health_store) as a
sparkline; the deal counts by involvement are those of the deals list the links open, so
a click shows exactly the deals counted. The portal audience never sees a number that involves other partners:
no ranking, and none of the metrics that compare with the program (ecosystem contribution), nor the program's
costs (partner ROI, incentives accrued and paid: the portal's earnings page shows a partner its own earnings, each
viewer what they may see).
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from dealreg.models import Registration
from insights.health import THRESHOLDS_TEXT, Health, HealthInputs, bands_legend, health_inputs_for, score_health
from insights.health_store import history_for, sparkline
from insights.metrics import Metric, Period, Snapshot, partner_snapshot
from prm.money import Converted

# The metrics a scorecard shows, in this order after the PMI stage's lead metrics.
SCORECARD_METRICS = (
    "sourced_pipeline",
    "influenced_pipeline",
    "open_pipeline",
    "sourced_revenue",
    "influenced_revenue",
    "partner_revenue",
    "win_rate",
    "registrations",
    "decision_hours",
    "pocs_initiated",
    "pocs_completed",
    "poc_to_production",
    "certified_people",
    "mdf_paid",
    "mdf_roi",
    "incentives_accrued",
    "incentives_paid",
    "lead_acceptance_rate",
    "lead_hours_to_accept",
    "lead_win_rate",
    "partner_roi",
    "ecosystem_contribution",
    "retention_partner",
)
# Metrics that say something about the program as a whole or its costs: for the channel team only.
MANAGER_ONLY = frozenset({"ecosystem_contribution", "partner_roi", "incentives_accrued", "incentives_paid"})
# Headline numbers of the compact panel on the partner page.
PANEL_METRICS = ("open_pipeline", "partner_revenue", "win_rate", "registrations")

AUDIENCES = ("manage", "portal")
HISTORY_DAYS = 90  # the health sparkline's span


@dataclass
class DealRow:
    involvement: str
    label: str
    open: int = 0
    won: int = 0
    lost: int = 0
    open_url: str = ""
    won_url: str = ""
    lost_url: str = ""


@dataclass
class MixRow:
    key: str
    label: str
    money: Converted
    share: Decimal | None
    previous_money: Converted | None
    previous_share: Decimal | None


@dataclass
class Scorecard:
    partner: object
    audience: str
    snapshot: Snapshot
    metrics: list[Metric]
    deals: list[DealRow]
    deals_total: DealRow
    mix: list[MixRow]
    health: Health
    facts: HealthInputs
    health_history: object = None  # insights.health_store.Sparkline of the stored snapshots (last 90 days)
    health_stored: object = None  # the partner's latest stored snapshot (what the at-risk list shows)
    links: dict[str, str] = field(default_factory=dict)
    thresholds: str = THRESHOLDS_TEXT
    bands: list = field(default_factory=bands_legend)

    @property
    def as_of(self) -> datetime:
        return self.snapshot.computed_at

    @property
    def period(self) -> Period:
        return self.snapshot.period

    @property
    def panel_metrics(self) -> list[Metric]:
        return [self.snapshot[key] for key in PANEL_METRICS]

    @property
    def top_reasons(self):
        """Three reasons for the compact panel: what pulls the score down first (what to act on), then what
        lifts it, biggest first."""
        return sorted(self.health.reasons, key=lambda r: (r.points >= 0, -abs(r.points)))[:3]


def _short(label: str) -> str:
    """ "Sourced: we found it and lead it" -> "Sourced"."""
    return label.split(":", 1)[0]


def _deal_rows(partner, audience: str) -> tuple[list[DealRow], DealRow]:
    """Open (submitted, needs info, approved), won and lost deals by involvement, all time: one query."""
    counts: dict[tuple[str, str], int] = {}
    for row in (
        Registration.objects.filter(partner=partner, status__in=(*Registration.ACTIVE, "won", "lost"))
        .values("involvement", "status")
        .order_by()
        .annotate(n=Count("pk"))
    ):
        group = "open" if row["status"] in Registration.ACTIVE else row["status"]
        counts[(row["involvement"], group)] = counts.get((row["involvement"], group), 0) + row["n"]

    if audience == "manage":
        base, scope, open_status = reverse("manage:deals"), {"partner": partner.pk}, "active"
    else:
        # The portal's list has no "open" filter: the open count leads to every deal of that involvement.
        base, scope, open_status = reverse("portal:deals"), {}, ""

    def url(**params) -> str:
        query = {**scope, **{k: v for k, v in params.items() if v}}
        return f"{base}?{urlencode(query)}" if query else base

    rows = []
    for value, label in Registration.Involvement.choices:
        rows.append(
            DealRow(
                involvement=value,
                label=_short(str(label)),
                open=counts.get((value, "open"), 0),
                won=counts.get((value, "won"), 0),
                lost=counts.get((value, "lost"), 0),
                open_url=url(status=open_status, involvement=value),
                won_url=url(status="won", involvement=value),
                lost_url=url(status="lost", involvement=value),
            )
        )
    total = DealRow(
        involvement="",
        label="All",
        open=sum(r.open for r in rows),
        won=sum(r.won for r in rows),
        lost=sum(r.lost for r in rows),
        open_url=url(status=open_status),
        won_url=url(status="won"),
        lost_url=url(status="lost"),
    )
    return rows, total


def _links(partner, audience: str) -> dict[str, str]:
    if audience == "manage":
        return {
            "deals": f"{reverse('manage:deals')}?partner={partner.pk}",
            "certifications": reverse("manage:enablement_partner", args=[partner.pk]),
            "mdf": f"{reverse('manage:mdf_requests')}?partner={partner.pk}",
            "partner": reverse("manage:partner_detail", args=[partner.pk]),
            "self": reverse("manage:partner_scorecard", args=[partner.pk]),
        }
    return {
        "deals": reverse("portal:deals"),
        "certifications": reverse("portal:training_team"),
        "mdf": reverse("portal:mdf"),
        "self": reverse("portal:performance"),
    }


def partner_scorecard(*, partner, period: Period, audience: str = "manage", now: datetime | None = None) -> Scorecard:
    """The partner's scorecard for the period, for the channel team ("manage") or the partner itself ("portal")."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience is one of {AUDIENCES}")
    now = now or timezone.now()
    snapshot = partner_snapshot(partner=partner, period=period, today=timezone.localdate(now))
    allowed = [
        k
        for k in SCORECARD_METRICS
        if k in snapshot.metrics  # a metric another app feeds exists only once it does (insights.hooks)
        and (audience == "manage" or k not in MANAGER_ONLY)
    ]
    lead = [m.key for m in snapshot.lead_metrics() if m.key in allowed]
    metrics = [snapshot[k] for k in lead] + [snapshot[k] for k in allowed if k not in lead]
    previous_mix = {key: (money, share) for key, _, money, share in snapshot.previous_mix}
    mix = [
        MixRow(key, label, money, share, *previous_mix.get(key, (None, None)))
        for key, label, money, share in snapshot.mix
    ]
    # A `now` before the partner existed has no facts (health_inputs_for leaves it out): its current status, unscored.
    facts = health_inputs_for([partner.pk], now=now).get(partner.pk) or HealthInputs(status=partner.status)
    history = history_for(partner.pk, days=HISTORY_DAYS, today=timezone.localdate(now))
    deals, total = _deal_rows(partner, audience)
    return Scorecard(
        partner=partner,
        audience=audience,
        snapshot=snapshot,
        metrics=metrics,
        deals=deals,
        deals_total=total,
        mix=mix,
        health=score_health(facts),
        facts=facts,
        health_history=sparkline(history, days=HISTORY_DAYS, today=timezone.localdate(now)),
        health_stored=history[-1] if history else None,
        links=_links(partner, audience),
    )
