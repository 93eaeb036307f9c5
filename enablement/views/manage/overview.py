"""The enablement overview for the channel team: the catalogue and learning in numbers, the certifications about to
expire, and where to go next."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from enablement import selectors
from prm.access import manager_required

from .common import NAV

PREVIEW = 8


@manager_required
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    overview = selectors.manage_overview(today=today)
    expiring = list(selectors.expiring_awards(today=today)[:PREVIEW])
    for award in expiring:
        award.days = award.days_left(today)
    # Titles and counts only: not the tiers the library list prefetches.
    popular = selectors.assets_manage().prefetch_related(None).filter(view_count__gt=0).order_by("-view_count", "title")
    context = {
        "overview": overview,
        "expiring": expiring,
        "more_expiring": max(overview.expiring - len(expiring), 0),
        "popular": list(popular[:5]),
        "nav": NAV,
    }
    return render(request, "enablement/manage/index.html", context)
