"""One metrics module (DOMAIN.md "Governance and metrics"): every number the dashboard, scorecards, tier
requirements, the portal and the CSV exports show comes from here, with its definition and when it was computed.

    snap = program_snapshot(period=Period.named("this_quarter"), filters=Filters(type="var"))
    snap["sourced_revenue"].display   # "$48,000"
    snap["sourced_revenue"].money     # Converted: total, "converted at March 2026 rates", unconverted part
"""

from insights.metrics.catalogue import METRICS, MIX_GROUPS, STAGE_LEADS, Definition
from insights.metrics.charts import breakdown, funnel, partner_won_revenue, series, top_partners, won_by_partner
from insights.metrics.compute import Metric, Snapshot, partner_snapshot, program_snapshot, reporting_currency
from insights.metrics.period import PERIOD_CHOICES, Filters, Period, period_from_params

__all__ = [
    "METRICS",
    "MIX_GROUPS",
    "PERIOD_CHOICES",
    "STAGE_LEADS",
    "Definition",
    "Filters",
    "Metric",
    "Period",
    "Snapshot",
    "breakdown",
    "funnel",
    "partner_snapshot",
    "partner_won_revenue",
    "period_from_params",
    "program_snapshot",
    "reporting_currency",
    "series",
    "top_partners",
    "won_by_partner",
]
