"""Partner health kept (insights.models.HealthSnapshot): every scored partner's health computed nightly (and on
demand from the scorecard), stored with its reasons, one snapshot per partner per day.

- `compute_all(now=None)` scores every partner in a scored status, in batches of BATCH (insights.health gathers a
  batch's facts in a fixed number of queries), and upserts the day's snapshots in bulk; the newest snapshot of each
  partner carries `is_latest`, so the at-risk list and the digest read one indexed filter.
- `compute_for(partner, now=None)`: the same for one partner (the scorecard's "Recalculate" button).
- Movers: a partner whose previous snapshot was not at risk and whose new one is, is told to its owner (a
  channel manager) once, with the reasons (`notify_once`, keyed by partner and day); the weekly digest lists the
  week's movers too (insights.digest). Health is computed, not decided: nothing here is audited, and the partner
  is not notified (its own scorecard shows the score and the reasons, live).

A past `now` (the demo's history, a backfill) computes the score as of that day from the facts known then
(insights.health) and stores it under that day; `is_latest` stays on the newest day.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from insights.health import SCORED, Health, HealthInputs, Reason, health_inputs_for, score_health
from insights.models import HealthSnapshot

BATCH = 1000
AT_RISK = HealthSnapshot.Band.AT_RISK


@dataclass(frozen=True)
class Mover:
    """A partner that moved to at risk: its new snapshot and the band it came from."""

    partner_id: int
    snapshot: HealthSnapshot
    previous_band: str


def reasons_json(health: Health) -> list[dict]:
    return [{"points": r.points, "text": r.text, "key": r.key} for r in health.reasons]


def reasons_from_json(rows: list[dict]) -> list[Reason]:
    return [
        Reason(text=str(r.get("text", "")), points=int(r.get("points", 0)), key=str(r.get("key", "")))
        for r in rows or []
    ]


def _inputs_json(inputs: HealthInputs) -> dict:
    data = asdict(inputs)
    data["mdf_unspent"] = [[str(amount), currency, days] for amount, currency, days in inputs.mdf_unspent]
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in data.items()}


def scorable_partner_ids() -> list[int]:
    from partners.models import Partner

    return list(Partner.objects.filter(status__in=SCORED).order_by("pk").values_list("pk", flat=True))


def _store(partner_ids: list[int], *, now: datetime) -> tuple[int, list[Mover]]:
    """Score `partner_ids` as of `now` and upsert their snapshots of that day; returns (stored, movers)."""
    day = timezone.localdate(now)
    inputs = health_inputs_for(partner_ids, now=now)
    rows = []
    for pk, facts in inputs.items():
        health = score_health(facts)
        if health.score is None:
            continue  # not scored in its status at `now`
        rows.append(
            HealthSnapshot(
                partner_id=pk,
                day=day,
                computed_at=timezone.now() if day == timezone.localdate() else now,
                score=health.score,
                band=health.band,
                reasons=reasons_json(health),
                inputs=_inputs_json(facts),
            )
        )
    if not rows:
        return 0, []
    ids = [row.partner_id for row in rows]
    with transaction.atomic():
        # The band each partner had before this day (its latest snapshot of an earlier day), for the movers.
        previous = dict(
            HealthSnapshot.objects.filter(partner_id__in=ids, is_latest=True, day__lt=day).values_list(
                "partner_id", "band"
            )
        )
        newer = set(HealthSnapshot.objects.filter(partner_id__in=ids, day__gt=day).values_list("partner_id", flat=True))
        for row in rows:
            row.is_latest = row.partner_id not in newer
        HealthSnapshot.objects.filter(partner_id__in=[pk for pk in ids if pk not in newer], is_latest=True).exclude(
            day=day
        ).update(is_latest=False)
        HealthSnapshot.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["partner", "day"],
            update_fields=["computed_at", "score", "band", "reasons", "inputs", "is_latest"],
        )
    movers = [
        Mover(row.partner_id, row, previous[row.partner_id])
        for row in rows
        if row.band == AT_RISK and row.is_latest and previous.get(row.partner_id, AT_RISK) != AT_RISK
    ]
    return len(rows), movers


def compute_all(now: datetime | None = None, *, notify: bool = True) -> int:
    """Score every partner in a scored status as of `now` (default: now) and store the day's snapshots; tell the
    owners of partners that moved to at risk (unless `notify=False`: a backfill of past days). Returns how many
    snapshots were stored. Idempotent: running it twice the same day overwrites the day's snapshots."""
    now = now or timezone.now()
    ids = scorable_partner_ids()
    if timezone.localdate(now) < timezone.localdate():
        # A past day: the partners that were scored then include some that have left the program since.
        from partners.models import Partner

        ids = list(
            Partner.objects.exclude(status__in=("applied", "declined")).order_by("pk").values_list("pk", flat=True)
        )
    stored, movers = 0, []
    for start in range(0, len(ids), BATCH):
        count, moved = _store(ids[start : start + BATCH], now=now)
        stored += count
        movers += moved
    if notify:
        notify_movers(movers)
    return stored


def compute_for(partner, now: datetime | None = None) -> HealthSnapshot | None:
    """Score one partner now (or as of `now`) and store the day's snapshot; None when it is not scored in its
    status. Its owner is told if it moved to at risk."""
    now = now or timezone.now()
    _, movers = _store([partner.pk], now=now)
    notify_movers(movers)
    return HealthSnapshot.objects.filter(partner_id=partner.pk, day=timezone.localdate(now)).first()


def notify_movers(movers: list[Mover]) -> int:
    """Tell each mover's owner (a channel manager; the program's channel managers when it has none) once per
    partner and day. Returns how many notifications were created."""
    if not movers:
        return 0
    from partners.models import Partner
    from partners.selectors import owner_or_managers
    from prm.notifications import notify_once

    partners = Partner.objects.select_related("owner").in_bulk([m.partner_id for m in movers])
    sent = 0
    for mover in movers:
        partner = partners.get(mover.partner_id)
        if partner is None:
            continue
        snapshot = mover.snapshot
        for user in owner_or_managers(partner):
            sent += int(
                notify_once(
                    key=f"insights-health-at-risk:{partner.pk}:{snapshot.day.isoformat()}:{user.pk}",
                    template="insights_health_at_risk",
                    recipient=user,
                    partner=partner,
                    url=reverse("manage:partner_scorecard", args=[partner.pk]),
                    action_label="Open the scorecard",
                    context={
                        "partner": partner,
                        "score": snapshot.score,
                        "previous_band": dict(HealthSnapshot.Band.choices).get(mover.previous_band, "—"),
                        "reasons": snapshot.negative_reasons[:3],
                        "action": next_action_text(snapshot),
                    },
                )
            )
    return sent


# --- Reading --------------------------------------------------------------------------------------------------


def latest_for(partner_id: int) -> HealthSnapshot | None:
    return HealthSnapshot.objects.filter(partner_id=partner_id, is_latest=True).first()


def history_for(partner_id: int, *, days: int = 90, today: date | None = None) -> list[HealthSnapshot]:
    """The partner's snapshots of the last `days` days, oldest first (one query)."""
    from datetime import timedelta

    today = today or timezone.localdate()
    return list(
        HealthSnapshot.objects.filter(partner_id=partner_id, day__gt=today - timedelta(days=days), day__lte=today)
        .order_by("day")
        .only("day", "score", "band")
    )


@dataclass(frozen=True)
class NextAction:
    label: str
    url: str
    reason: str  # the reason it answers


# The first rule matching the partner's biggest negative reason suggests what to do, with the page to do it on.
# (reason key, label, URL name, query or fragment built from the partner id)
ACTIONS = {
    "inactive": ("Call them: find out what changed", "manage:partner_detail", "#people"),
    "no_deals": ("Book a pipeline review", "manage:partner_reviews", ""),
    "deals_down": ("Book a pipeline review", "manage:partner_reviews", ""),
    "win_rate_low": ("Go through the lost deals with them", "manage:deals", "?partner={pk}&status=lost"),
    "not_certified": ("Enrol their people in a certification", "manage:enablement_partner", ""),
    "certifications_expiring": ("Remind them to renew their certifications", "manage:enablement_partner", ""),
    "onboarding_stalled": ("Open onboarding and unblock the step", "manage:partner_detail", "#onboarding"),
    "claims_overdue": ("Chase the overdue MDF claim", "manage:mdf_requests", "?partner={pk}"),
    "mdf_unspent": ("Plan an MDF activity before the period ends", "manage:mdf_requests", "?partner={pk}"),
    "no_people": ("Invite their people to prm", "manage:partner_detail", "#people"),
    "no_logins": ("Get their people back into the portal", "manage:partner_detail", "#people"),
    "actions_overdue": ("Follow up the overdue review actions", "manage:partner_reviews", ""),
}


def next_action(reasons: list[dict], *, partner_id: int) -> NextAction | None:
    """The suggested next action (None when nothing pulls the score down): a stalled onboarding first (it is why a
    new partner does nothing yet), else the biggest negative reason that has a rule, a specific one before plain
    inactivity when they weigh the same (`reasons` as stored: HealthSnapshot.negative_reasons)."""
    ranked = [r for r in reasons if r.get("key", "") in ACTIONS and r.get("points", 0) < 0]
    if not ranked:
        return None
    stalled = [r for r in ranked if r["key"] == "onboarding_stalled"]
    reason = stalled[0] if stalled else min(ranked, key=lambda r: (r["points"], r["key"] == "inactive"))
    label, name, suffix = ACTIONS[reason["key"]]
    args = [] if name in ("manage:deals", "manage:mdf_requests") else [partner_id]
    return NextAction(label, reverse(name, args=args) + suffix.format(pk=partner_id), reason.get("text", ""))


def next_action_text(snapshot: HealthSnapshot) -> str:
    """The suggested next action in words."""
    action = next_action(snapshot.negative_reasons, partner_id=snapshot.partner_id)
    return action.label if action else ""


# --- The at-risk list -----------------------------------------------------------------------------------------

LIST_BANDS = {
    "at_risk": ("at_risk",),
    "watch": ("watch",),
    "both": ("at_risk", "watch"),
}
WEEK_BEFORE = 7


@dataclass
class RiskRow:
    snapshot: HealthSnapshot
    partner: object
    change: int | None  # points since the snapshot a week before (None: no snapshot then)
    top_reasons: list[Reason]
    action: NextAction | None


def at_risk_rows(*, band: str = "at_risk", owner_id: int | None = None, limit: int | None = None) -> list[RiskRow]:
    """Partners whose latest health is in `band` ("at_risk", "watch" or "both"), lowest score first, with the change
    since a week before, the top three negative reasons and the suggested next action (two queries)."""
    snapshots = (
        HealthSnapshot.objects.filter(
            is_latest=True, band__in=LIST_BANDS.get(band, LIST_BANDS["at_risk"]), partner__status__in=SCORED
        )
        .select_related("partner", "partner__owner", "partner__tier")
        .order_by("score", "partner__name", "pk")
    )
    if owner_id:
        snapshots = snapshots.filter(partner__owner_id=owner_id)
    rows = list(snapshots[:limit] if limit else snapshots)
    before = _week_before({s.partner_id: s.day for s in rows})
    out = []
    for s in rows:
        negative = s.negative_reasons
        previous = before.get(s.partner_id)
        out.append(
            RiskRow(
                snapshot=s,
                partner=s.partner,
                change=None if previous is None else s.score - previous,
                top_reasons=reasons_from_json(negative[:3]),
                action=next_action(negative, partner_id=s.partner_id),
            )
        )
    return out


def last_computed_at() -> datetime | None:
    """When the newest stored health was computed (the list says how fresh it is)."""
    return (
        HealthSnapshot.objects.filter(is_latest=True)
        .order_by("-computed_at")
        .values_list("computed_at", flat=True)
        .first()
    )


def at_risk_count(*, band: str = "at_risk", owner_id: int | None = None) -> int:
    snapshots = HealthSnapshot.objects.filter(
        is_latest=True, band__in=LIST_BANDS.get(band, LIST_BANDS["at_risk"]), partner__status__in=SCORED
    )
    if owner_id:
        snapshots = snapshots.filter(partner__owner_id=owner_id)
    return snapshots.count()


def _week_before(days: dict[int, date]) -> dict[int, int]:
    """{partner id: score} of each partner's snapshot a week before its latest (the newest one 7 to 13 days
    before it), in one query."""
    from datetime import timedelta

    if not days:
        return {}
    newest = max(days.values())
    found: dict[int, tuple[date, int]] = {}
    for partner_id, day, score in HealthSnapshot.objects.filter(
        partner_id__in=list(days),
        day__lte=newest - timedelta(days=WEEK_BEFORE),
        day__gte=min(days.values()) - timedelta(days=2 * WEEK_BEFORE - 1),
    ).values_list("partner_id", "day", "score"):
        latest = days[partner_id]
        if not (latest - timedelta(days=2 * WEEK_BEFORE - 1) <= day <= latest - timedelta(days=WEEK_BEFORE)):
            continue
        if partner_id not in found or day > found[partner_id][0]:
            found[partner_id] = (day, score)
    return {pk: score for pk, (_, score) in found.items()}


# --- The scorecard's sparkline ------------------------------------------------------------------------------------

SPARK_W, SPARK_H = 300, 60


@dataclass(frozen=True)
class Sparkline:
    """An SVG sparkline's geometry (drawn server-side by the scorecard template), with the numbers it draws."""

    points: str  # "x,y x,y …" for a polyline
    last: tuple[float, float] | None
    bands: list[tuple[str, float, float]]  # (css class, y, height) of the healthy, watch and at-risk areas
    values: list[HealthSnapshot]
    days: int
    width: int = SPARK_W
    height: int = SPARK_H

    @property
    def first(self) -> HealthSnapshot | None:
        return self.values[0] if self.values else None

    @property
    def latest(self) -> HealthSnapshot | None:
        return self.values[-1] if self.values else None

    @property
    def changes(self) -> list[HealthSnapshot]:
        """The first day, each day the score changed, and the last day: the numbers behind the line, short."""
        out = []
        for n, s in enumerate(self.values):
            if n == 0 or n == len(self.values) - 1 or s.score != self.values[n - 1].score:
                out.append(s)
        return out


def sparkline(history: list[HealthSnapshot], *, days: int = 90, today: date | None = None) -> Sparkline:
    """The last `days` days of snapshots as a line over the three bands (x: the day, y: the score 0–100)."""
    from datetime import timedelta

    from insights.health import HEALTHY_FROM, WATCH_FROM

    today = today or timezone.localdate()
    start = today - timedelta(days=days - 1)

    def y(score: float) -> float:
        return round(SPARK_H - score * SPARK_H / 100, 1)

    coords = [
        (round((s.day - start).days * SPARK_W / max(days - 1, 1), 1), y(s.score)) for s in history if s.day >= start
    ]
    bands = [
        ("spark-band-healthy", 0.0, y(HEALTHY_FROM)),
        ("spark-band-watch", y(HEALTHY_FROM), round(y(WATCH_FROM) - y(HEALTHY_FROM), 1)),
        ("spark-band-risk", y(WATCH_FROM), round(SPARK_H - y(WATCH_FROM), 1)),
    ]
    return Sparkline(
        points=" ".join(f"{x},{yy}" for x, yy in coords),
        last=coords[-1] if coords else None,
        bands=bands,
        values=[s for s in history if s.day >= start],
        days=days,
    )
