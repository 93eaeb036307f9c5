""" "How leads are assigned", in plain words, written from the distribution settings: the page partners read and the
manager's preview of it say exactly what the program does."""

from leads.models import DistributionSettings
from leads.ranking import FAST_HOURS, POINTS, SLOW_HOURS


def _hour(hour: int) -> str:
    return f"{hour:02d}:00"


def assignment_rules(settings: DistributionSettings) -> list[str]:
    """The rules as paragraphs, in the order a partner needs them."""
    Mode = DistributionSettings.Mode
    paragraphs = [
        "Leads are prospects who came to us (our website, events, the partner locator). Before anyone is offered a "
        "lead, we check that the company is not already our customer and that no partner holds a protected "
        "registration for it.",
        "We rank the partners who could take a lead by how well they fit it: whether you cover the customer's "
        f"country ({POINTS['country']} points) or region ({POINTS['region']}), sell into its industry "
        f"({POINTS['vertical']}), serve companies of its size ({POINTS['segment']}), have people certified on the "
        f"products it is interested in ({POINTS['certified_product']} per product, up to {POINTS['certified_max']}), "
        f"your tier (up to {POINTS['tier_max']}), how many leads you already hold (up to {POINTS['capacity_free']}; "
        f"{abs(POINTS['capacity_full'])} off from {settings.max_open_leads} open leads), how quickly you accepted "
        f"leads in the last year ({POINTS['fast']} when most were accepted within {FAST_HOURS} hours, "
        f"{abs(POINTS['slow'])} off when most took over {SLOW_HOURS // 24} days) and how many of your leads "
        f"closed in the last year you won (up to {POINTS['win_high']}). "
        "Every offer shows you the reasons behind your score.",
    ]
    if settings.mode == Mode.MANUAL:
        paragraphs.append(
            "A channel manager reads the ranked list and offers each lead to one partner, usually the best fit."
        )
    elif settings.mode == Mode.AUTO:
        paragraphs.append(
            "Each lead is offered automatically to the best-ranked partner. If it declines or does not answer in "
            "time, the lead is offered to the next one."
        )
    else:
        paragraphs.append(
            f"Each lead is offered to the {settings.top_n} best-ranked partners at the same time. The first to "
            "accept gets it; the others are told the lead has been taken. If all of them decline or do not answer "
            f"in time, the next {settings.top_n} are asked."
        )
    paragraphs += [
        "A customer who picks you on our public partner locator is offered to you directly.",
        "Until you accept, an offer shows only the customer's industry, size, country and what it is interested "
        "in: not its name or contact. Accept it or decline it with a reason within "
        f"{settings.response_hours} business hours (Monday to Friday, {_hour(settings.day_starts_at)} to "
        f"{_hour(settings.day_ends_at)}). After that the offer expires and the lead moves on; you and we are both "
        "told.",
        "When you accept, the lead becomes a deal registration of yours, with the customer's details filled in and "
        "protected like any approved registration (unless it collides with another registration, which a channel "
        "manager then decides as usual).",
    ]
    if settings.note:
        paragraphs.append(settings.note)
    return paragraphs
