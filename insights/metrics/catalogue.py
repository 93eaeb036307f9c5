"""Every metric of DOMAIN.md "Governance and metrics": its name, unit and definition in words, and which ones the
program's Partner Maturity Index stage puts first. Pages, exports and the API show these words next to the number."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    unit: str  # money | count | percent | days | hours | ratio
    definition: str
    period_bound: bool = True  # False: a snapshot of today, with no previous-period value
    # True: another app feeds its values (insights.hooks.register_metric_series); left out until one does.
    hooked: bool = False


_DEFS = [
    Definition(
        "sourced_pipeline",
        "Partner-sourced pipeline",
        "money",
        "Value of sourced registrations submitted in the period (drafts and rejected ones left out), converted to "
        "the reporting currency at the rates of the month each was submitted.",
    ),
    Definition(
        "influenced_pipeline",
        "Partner-influenced pipeline",
        "money",
        "Value of influenced, fulfilled and co-sell registrations submitted in the period (drafts and rejected ones "
        "left out), converted at the rates of the month each was submitted.",
    ),
    Definition(
        "sourced_revenue",
        "Partner-sourced revenue",
        "money",
        "Won amount of sourced registrations won in the period, converted at the rates of the month each was won.",
    ),
    Definition(
        "influenced_revenue",
        "Partner-influenced revenue",
        "money",
        "Won amount of influenced, fulfilled and co-sell registrations won in the period, converted at the rates of "
        "the month each was won.",
    ),
    Definition(
        "partner_revenue",
        "Won revenue through partners",
        "money",
        "Won amount of every registration won in the period (all involvement types), converted at the rates of the "
        "month each was won.",
    ),
    Definition(
        "open_pipeline",
        "Open pipeline today",
        "money",
        "Value of registrations open today (submitted, needing information or approved), converted at this month's "
        "rates.",
        period_bound=False,
    ),
    Definition(
        "win_rate",
        "Win rate",
        "percent",
        "Registrations won in the period / registrations closed (won or lost) in the period.",
    ),
    Definition(
        "registrations",
        "Registrations submitted",
        "count",
        "Registrations submitted in the period, whatever their status now (drafts are not submitted).",
    ),
    Definition(
        "decision_hours",
        "Decision time",
        "hours",
        "Mean hours from submission to the channel team's decision, for registrations decided in the period.",
    ),
    Definition(
        "decision_within_sla",
        "Decided within the SLA",
        "percent",
        "Registrations decided in the period before their decision was due / all decided in the period.",
    ),
    Definition(
        "activation_rate",
        "Activation rate",
        "percent",
        "Partners active (onboarding finished) by the end of the period / partners approved by then.",
    ),
    Definition(
        "time_to_activate",
        "Time to activate",
        "days",
        "Median days from approval to active, for partners that became active in the period.",
    ),
    Definition(
        "time_to_first_deal",
        "Time to first deal",
        "days",
        "Median days from approval to the first submitted registration, for partners whose first registration was "
        "in the period.",
    ),
    Definition(
        "active_partners",
        "Active partners",
        "count",
        "Partners with at least one registration, course completion or MDF request in the 90 days before the end "
        "of the period.",
    ),
    Definition("new_partners", "New partners", "count", "Partners approved in the period."),
    Definition(
        "pocs_initiated",
        "POCs initiated",
        "count",
        "Registrations submitted in the period that went through a POC or pilot.",
    ),
    Definition(
        "pocs_completed",
        "POCs completed",
        "count",
        "Registrations that went through a POC and closed (won or lost) in the period.",
    ),
    Definition(
        "poc_to_production",
        "POC → production",
        "percent",
        "Of the registrations that went through a POC and closed in the period, the share won (went live).",
    ),
    Definition(
        "partners_in_pilots",
        "Partners in pilots",
        "count",
        "Partners with an open registration at the POC / pilot stage today.",
        period_bound=False,
    ),
    Definition(
        "mdf_paid",
        "MDF paid",
        "money",
        "MDF paid out to partners in the period (payouts of the ledger), converted at the rates of the month paid.",
    ),
    Definition(
        "mdf_roi",
        "MDF ROI",
        "ratio",
        "Won amount of registrations attributed to MDF activities and won in the period / MDF paid in the period.",
    ),
    Definition(
        "incentives_accrued",
        "Incentives accrued",
        "money",
        "Partner earnings accrued in the period: the earning lines whose event (deal won, renewal, correction) fell "
        "in the period, summed as recorded (a correction is a negative line and subtracts), paid or not; held lines "
        "are left out until released. Converted at the rates of the month earned.",
        hooked=True,
    ),
    Definition(
        "incentives_paid",
        "Incentives paid",
        "money",
        "Partner earnings paid in the period: the amounts of the earning lines marked paid (by a payout run) in the "
        "period, whenever they were earned, corrections subtracting; converted at the rates of the month paid.",
        hooked=True,
    ),
    Definition(
        "lead_acceptance_rate",
        "Lead acceptance rate",
        "percent",
        "Lead offers accepted / lead offers answered in the period (accepted, declined, or left to expire past their "
        "deadline).",
        hooked=True,
    ),
    Definition(
        "lead_hours_to_accept",
        "Time to accept a lead",
        "hours",
        "Median hours from a lead's offer to its acceptance, of the offers accepted in the period.",
        hooked=True,
    ),
    Definition(
        "lead_win_rate",
        "Lead → won",
        "percent",
        "Leads won / leads closed (won or lost) in the period: how many of the leads partners took became customers.",
        hooked=True,
    ),
    Definition(
        "partner_roi",
        "Partner ROI",
        "ratio",
        "Won revenue through partners in the period / what the program spent on partners in it: MDF paid + "
        "incentives accrued (earnings partners earned in the period, held lines left out: the cost the program "
        "committed, paid or not yet) + enablement and other program costs recorded in the period. Each part is "
        "converted at the rates of its month.",
    ),
    Definition(
        "direct_revenue",
        "Direct revenue",
        "money",
        "Revenue the startup won without partners in the months of the period, as entered or imported.",
    ),
    Definition(
        "ecosystem_contribution",
        "Ecosystem contribution ratio",
        "percent",
        "Won revenue through partners (sourced + influenced) / total won revenue (partners' + direct) in the period.",
    ),
    Definition(
        "effective_sales_force",
        "Effective sales force",
        "count",
        "Your internal sellers (program settings) + the sellers of active partners, today.",
        period_bound=False,
    ),
    Definition(
        "certified_people",
        "Certified people",
        "count",
        "People holding at least one valid (unexpired, unrevoked) certification at the end of the period.",
    ),
    Definition(
        "retention_partner",
        "Retention, partner-acquired customers",
        "percent",
        "Contracts of customers that came through a partner that came up for renewal in the period and were "
        "renewed or expanded / those with a recorded outcome.",
    ),
    Definition(
        "retention_direct",
        "Retention, direct customers",
        "percent",
        "The same for customers the startup acquired directly, for comparison.",
    ),
]

METRICS: dict[str, Definition] = {d.key: d for d in _DEFS}

# DOMAIN.md's PMI table: the metrics that matter first at each stage of the startup.
STAGE_LEADS: dict[int, list[str]] = {
    1: ["pocs_initiated", "pocs_completed", "partners_in_pilots", "active_partners", "new_partners"],
    2: ["influenced_pipeline", "sourced_pipeline", "activation_rate", "poc_to_production", "active_partners"],
    3: [
        "sourced_revenue",
        "influenced_revenue",
        "retention_partner",
        "partner_roi",
        "ecosystem_contribution",
    ],
    4: [
        "partner_revenue",
        "sourced_revenue",
        "influenced_revenue",
        "retention_partner",
        "partner_roi",
        "ecosystem_contribution",
        "effective_sales_force",
    ],
}

# The blended scorecard's groups (DOMAIN.md): partner-led, partner-executed, hybrid.
MIX_GROUPS = [
    ("partner_led", "Partner-led (sourced)", ("sourced",)),
    ("partner_executed", "Partner-executed (fulfilled)", ("fulfilled",)),
    ("hybrid", "Hybrid (influenced, co-sell)", ("influenced", "cosell")),
]
INFLUENCED = ("influenced", "fulfilled", "cosell")
INVOLVEMENTS = ("sourced", "influenced", "fulfilled", "cosell")
