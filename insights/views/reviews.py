"""The review rhythm. For the channel team: upcoming reviews (next 30 days, overdue first) and overdue action items,
a partner's cadence and review history, a review's page (agenda, notes, action items, held, cancelled). For the
partner: its own reviews and action items, and marking its own items done."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from insights.forms.reviews import (
    ActionItemForm,
    CancelForm,
    RescheduleForm,
    ReviewNotesForm,
    ReviewPlanForm,
    ReviewScheduleForm,
)
from insights.models import ActionItem, Review, ReviewPlan
from insights.services import reviews as services
from partners.models import Partner, PartnerMembership
from prm.access import manager_required, partner_required
from prm.csv_export import csv_response, exports_csv
from prm.forms import attach_errors

NAV = "insights"

# --- Channel team -------------------------------------------------------------------------------------------------


@exports_csv("manage:reviews_export")
@manager_required
def review_list(request: HttpRequest) -> HttpResponse:
    """Reviews in the next 30 days (the overdue ones, never held, first) and the overdue action items."""
    today = timezone.localdate()
    context = {
        "reviews": list(services.upcoming_reviews(today=today)),
        "overdue_items": list(services.open_action_items(today=today, overdue_only=True)[:50]),
        "overdue_total": services.open_action_items(today=today, overdue_only=True).count(),
        "plan_count": ReviewPlan.objects.count(),
        "today": today,
        "days": services.UPCOMING_DAYS,
        "nav": NAV,
    }
    return render(request, "insights/reviews/list.html", context)


@manager_required
def review_export(request: HttpRequest) -> HttpResponse:
    """The upcoming reviews the page lists."""
    rows = (
        [
            review.scheduled_on.isoformat(),
            review.partner.name,
            review.partner_id,
            review.title,
            review.partner.owner.email if review.partner.owner else "",
            review.open_items,
        ]
        for review in services.upcoming_reviews(today=timezone.localdate()).iterator()
    )
    header = ["date", "partner", "partner id", "review", "owner email", "open actions"]
    return csv_response(name="upcoming-reviews", header=header, rows=rows)


def _action_items(request: HttpRequest):
    overdue = request.GET.get("overdue") == "1"
    return services.open_action_items(today=timezone.localdate(), overdue_only=overdue), overdue


@exports_csv("manage:review_actions_export")
@manager_required
def action_list(request: HttpRequest) -> HttpResponse:
    """Every open action item (or only the overdue ones, ?overdue=1), soonest due first."""
    today = timezone.localdate()
    items, overdue = _action_items(request)
    context = {
        "items": list(items[:200]),
        "total": items.count(),
        "overdue": overdue,
        "today": today,
        "nav": NAV,
    }
    return render(request, "insights/reviews/actions.html", context)


@manager_required
def action_export(request: HttpRequest) -> HttpResponse:
    """Every action item the page's filter matches (not only the first 200 it shows)."""
    items, _ = _action_items(request)
    rows = (
        [
            item.title,
            item.partner.name,
            item.partner_id,
            item.review.title,
            item.owner.email if item.owner else "",
            item.due_on.isoformat(),
        ]
        for item in items.iterator()
    )
    header = ["action", "partner", "partner id", "review", "owner email", "due"]
    return csv_response(name="action-items", header=header, rows=rows)


def _partner_page(request: HttpRequest, partner: Partner, *, plan_form=None, schedule_form=None, status=200):
    plan = ReviewPlan.objects.filter(partner=partner).first()
    scheduled = partner.reviews.filter(status=Review.Status.SCHEDULED).order_by("scheduled_on").first()
    plan_form = plan_form or ReviewPlanForm(
        initial={
            "cadence": plan.cadence if plan else ReviewPlan.Cadence.QUARTERLY,
            "next_on": scheduled.scheduled_on if scheduled else None,
        }
    )
    context = {
        "partner": partner,
        "plan": plan,
        "scheduled": scheduled,
        "plan_form": plan_form,
        "schedule_form": schedule_form or ReviewScheduleForm(),
        "reviews": list(services.partner_reviews(partner=partner)),
        "open_items": list(ActionItem.objects.filter(partner=partner, done_at__isnull=True).select_related("owner")),
        "today": timezone.localdate(),
        "nav": NAV,
    }
    return render(request, "insights/reviews/partner.html", context, status=status)


@manager_required
def partner_reviews(request: HttpRequest, pk: int) -> HttpResponse:
    """One partner's cadence (setting it schedules the first review), a review by hand, and the history."""
    partner = get_object_or_404(Partner.objects.select_related("owner"), pk=pk)
    if request.method != "POST":
        return _partner_page(request, partner)
    if request.POST.get("form") == "schedule":
        form = ReviewScheduleForm(request.POST)
        if form.is_valid():
            try:
                review = services.review_schedule(
                    actor=request.user,
                    partner=partner,
                    scheduled_on=form.cleaned_data["scheduled_on"],
                    title=form.cleaned_data["title"],
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"Scheduled “{review.title}” on {review.scheduled_on:%b %-d, %Y}.")
                return redirect("manage:review_detail", pk=review.pk)
        return _partner_page(request, partner, schedule_form=form, status=400)
    form = ReviewPlanForm(request.POST)
    if form.is_valid():
        try:
            plan = services.review_plan_set(
                actor=request.user,
                partner=partner,
                cadence=form.cleaned_data["cadence"],
                next_on=form.cleaned_data["next_on"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            scheduled = partner.reviews.filter(status=Review.Status.SCHEDULED).order_by("scheduled_on").first()
            messages.success(
                request,
                f"{partner.name} is reviewed {plan.get_cadence_display().lower()}; "
                f"the next review is on {scheduled.scheduled_on:%b %-d, %Y}.",
            )
            return redirect("manage:partner_reviews", pk=partner.pk)
    return _partner_page(request, partner, plan_form=form, status=400)


def _get_review(pk: int) -> Review:
    return get_object_or_404(Review.objects.select_related("partner", "partner__owner"), pk=pk)


def _review_page(request: HttpRequest, review: Review, *, status: int = 200, **forms) -> HttpResponse:
    context = {
        "review": review,
        "items": list(services.review_items(review=review)),
        "notes_form": forms.get("notes_form")
        or ReviewNotesForm(initial={"title": review.title, "notes": review.notes}),
        "item_form": forms.get("item_form") or ActionItemForm(partner=review.partner),
        "reschedule_form": forms.get("reschedule_form")
        or RescheduleForm(initial={"scheduled_on": review.scheduled_on}),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "today": timezone.localdate(),
        "nav": NAV,
    }
    return render(request, "insights/reviews/detail.html", context, status=status)


@manager_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_page(request, _get_review(pk))


@manager_required
@require_POST
def review_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The review page's buttons: prepare (build the agenda), notes, hold, cancel, reschedule, add an action item."""
    review = _get_review(pk)
    actor = request.user
    form = None
    try:
        if action == "prepare":
            services.review_prepare(actor=actor, review=review)
            messages.success(request, "The agenda is built from the partner's numbers as they are now.")
        elif action == "hold":
            _, following = services.review_hold(actor=actor, review=review)
            after = f" The next one is on {following.scheduled_on:%b %-d, %Y}." if following else ""
            messages.success(request, f"Marked held; the partner's admins are told.{after}")
        elif action == "notes":
            form = ReviewNotesForm(request.POST)
            if not form.is_valid():
                return _review_page(request, review, notes_form=form, status=400)
            services.review_notes_save(
                actor=actor, review=review, notes=form.cleaned_data["notes"], title=form.cleaned_data["title"]
            )
            messages.success(request, "Saved the notes.")
        elif action == "cancel":
            form = CancelForm(request.POST)
            if not form.is_valid():
                return _review_page(request, review, cancel_form=form, status=400)
            _, following = services.review_cancel(actor=actor, review=review, reason=form.cleaned_data["reason"])
            after = f" The next one is on {following.scheduled_on:%b %-d, %Y}." if following else ""
            messages.success(request, f"Cancelled; the partner's admins are told.{after}")
        elif action == "reschedule":
            form = RescheduleForm(request.POST)
            if not form.is_valid():
                return _review_page(request, review, reschedule_form=form, status=400)
            services.review_reschedule(actor=actor, review=review, scheduled_on=form.cleaned_data["scheduled_on"])
            messages.success(request, f"Moved to {review.scheduled_on:%b %-d, %Y}.")
        elif action == "item":
            form = ActionItemForm(request.POST, partner=review.partner)
            if not form.is_valid():
                return _review_page(request, review, item_form=form, status=400)
            data = form.cleaned_data
            services.action_item_add(
                actor=actor, review=review, title=data["title"], owner=data["owner"], due_on=data["due_on"]
            )
            messages.success(request, "Added the action item; the partner's admins are told.")
        else:
            return redirect("manage:review_detail", pk=pk)
    except ValidationError as exc:
        if form is not None and hasattr(exc, "error_dict"):
            attach_errors(form, exc)
            key = {
                "notes": "notes_form",
                "cancel": "cancel_form",
                "reschedule": "reschedule_form",
                "item": "item_form",
            }[action]
            return _review_page(request, review, status=400, **{key: form})
        messages.error(request, " ".join(exc.messages))
    return redirect("manage:review_detail", pk=pk)


@manager_required
@require_POST
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ActionItem.objects.select_related("partner"), pk=pk)
    services.action_item_done(actor=request.user, item=item)
    messages.success(request, f"Done: {item.title}.")
    back = request.POST.get("next", "")
    if back.startswith("/manage/") and "//" not in back:
        return redirect(back)
    return redirect("manage:review_detail", pk=item.review_id)


# --- Partner portal -----------------------------------------------------------------------------------------------


def _member_ids(partner: Partner) -> set[int]:
    return set(PartnerMembership.objects.filter(partner=partner, is_active=True).values_list("user_id", flat=True))


def _markable(items: list[ActionItem], partner: Partner) -> None:
    members = _member_ids(partner)
    for item in items:
        item.can_mark = item.done_at is None and (item.owner_id is None or item.owner_id in members)


@partner_required
def portal_reviews(request: HttpRequest) -> HttpResponse:
    """The company's reviews with our channel team and its action items."""
    partner = request.partner
    reviews = [r for r in services.partner_reviews(partner=partner) if r.status != Review.Status.CANCELLED]
    items = list(services.partner_action_items(partner=partner)[:200])
    _markable(items, partner)
    context = {
        "reviews": reviews,
        "upcoming": [r for r in reviews if r.status == Review.Status.SCHEDULED],
        "held": [r for r in reviews if r.status == Review.Status.HELD],
        "open_items": [i for i in items if i.done_at is None],
        "done_items": [i for i in items if i.done_at is not None][:20],
        "plan": ReviewPlan.objects.filter(partner=partner).first(),
        "today": timezone.localdate(),
        "nav": "home",
    }
    return render(request, "insights/portal/reviews.html", context)


@partner_required
def portal_review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = services.access_review(partner=request.partner, pk=pk)
    items = list(services.review_items(review=review))
    _markable(items, request.partner)
    context = {"review": review, "items": items, "today": timezone.localdate(), "nav": "home"}
    return render(request, "insights/portal/reviews_detail.html", context)


@partner_required
@require_POST
def portal_action_done(request: HttpRequest, pk: int) -> HttpResponse:
    item = services.access_action_item(partner=request.partner, pk=pk)
    try:
        services.action_item_done(actor=request.user, item=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Done: {item.title}. Your channel manager sees it.")
    if request.POST.get("next") == "list":
        return redirect("portal:reviews")
    return redirect("portal:review_detail", pk=item.review_id)


manage_urlpatterns = [
    path("insights/reviews/", review_list, name="reviews"),
    path("insights/reviews/export.csv", review_export, name="reviews_export"),
    path("insights/reviews/actions/", action_list, name="review_actions"),
    path("insights/reviews/actions/export.csv", action_export, name="review_actions_export"),
    path("insights/reviews/actions/<id:pk>/done/", action_done, name="review_action_done"),
    path("insights/reviews/partner/<id:pk>/", partner_reviews, name="partner_reviews"),
    path("insights/reviews/<id:pk>/", review_detail, name="review_detail"),
    path("insights/reviews/<id:pk>/<slug:action>/", review_act, name="review_act"),
]
portal_urlpatterns = [
    path("reviews/", portal_reviews, name="reviews"),
    path("reviews/<id:pk>/", portal_review_detail, name="review_detail"),
    path("reviews/actions/<id:pk>/done/", portal_action_done, name="review_action_done"),
]
