"""The review rhythm: cadence and scheduling, the agenda, holding and cancelling (the partner is told, the next one
is scheduled), action items, reminders (idempotent), the manager's pages and the partner's portal (its own only)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dealreg.models import Registration
from insights.models import ActionItem, Review, ReviewPlan
from insights.reminders import remind_overdue_actions, remind_reviews
from insights.services import reviews as services
from partners.models import Program
from prm.models import AuditEvent, Notification
from tests.dealreg.factories_registrations import RegistrationFactory

pytestmark = pytest.mark.django_db


def _review(partner, *, on=None, **kwargs) -> Review:
    return Review.objects.create(partner=partner, scheduled_on=on or timezone.localdate(), title="Q review", **kwargs)


def test_next_review_dates():
    assert services.next_review_on(date(2026, 1, 31), "weekly") == date(2026, 2, 7)
    assert services.next_review_on(date(2026, 1, 31), "monthly") == date(2026, 2, 28)
    assert services.next_review_on(date(2026, 11, 15), "quarterly") == date(2027, 2, 15)


def test_setting_a_cadence_schedules_the_first_review(channel_manager, partner_a):
    plan = services.review_plan_set(actor=channel_manager, partner=partner_a, cadence="monthly")
    assert plan.cadence == "monthly"
    review = Review.objects.get(partner=partner_a)
    today = timezone.localdate()
    assert review.status == "scheduled"
    assert review.scheduled_on == services.next_review_on(today, "monthly")
    # Changing the cadence keeps the scheduled review; a date moves it.
    moved = today + timedelta(days=3)
    services.review_plan_set(actor=channel_manager, partner=partner_a, cadence="weekly", next_on=moved)
    review.refresh_from_db()
    assert Review.objects.filter(partner=partner_a).count() == 1
    assert review.scheduled_on == moved
    assert ReviewPlan.objects.get(partner=partner_a).cadence == "weekly"
    verbs = list(AuditEvent.objects.filter(partner=partner_a).values_list("verb", flat=True))
    assert verbs.count("review_plan.set") == 2
    assert "review.scheduled" in verbs
    assert "review.rescheduled" in verbs


def test_plan_refusals(channel_manager, partner_a, partner_a_admin):
    with pytest.raises(ValidationError):
        services.review_plan_set(actor=channel_manager, partner=partner_a, cadence="daily")
    with pytest.raises(ValidationError):
        services.review_plan_set(actor=channel_manager, partner=partner_a, cadence="weekly", next_on=date(2000, 1, 1))
    with pytest.raises(ValidationError):
        services.review_plan_set(actor=partner_a_admin, partner=partner_a, cadence="weekly")


def test_agenda_from_the_scorecard_and_the_last_review(channel_manager, partner_a):
    RegistrationFactory(partner=partner_a, status=Registration.Status.SUBMITTED, currency="EUR")
    last = _review(partner_a, on=timezone.localdate() - timedelta(days=90), status="held")
    ActionItem.objects.create(review=last, partner=partner_a, title="Train two sellers", due_on=date(2020, 1, 1))
    review = _review(partner_a)
    services.review_prepare(actor=channel_manager, review=review)
    review.refresh_from_db()
    titles = [section["title"] for section in review.agenda]
    assert titles[0].startswith(("Scorecard", "Deals"))
    assert any(title.startswith("Agreed at the last review") for title in titles)
    last_section = next(s for s in review.agenda if s["title"].startswith("Agreed"))
    assert "Train two sellers" in last_section["lines"][0]
    assert "overdue" in last_section["lines"][0]
    assert review.agenda_built_at is not None
    flat = " ".join(line for section in review.agenda for line in section["lines"])
    assert "Registrations" in flat or "Open registrations" in flat


def test_agenda_falls_back_to_simple_facts(monkeypatch, channel_manager, partner_a):
    def broken(**kwargs):
        raise RuntimeError("metrics down")

    monkeypatch.setattr("insights.metrics.partner_snapshot", broken)
    RegistrationFactory(partner=partner_a, status=Registration.Status.APPROVED, currency="EUR")
    review = _review(partner_a)
    services.review_prepare(actor=channel_manager, review=review)
    deals = review.agenda[0]
    assert deals["title"] == "Deals"
    assert deals["lines"][0] == "Open registrations: 1 (€25,000)"


def test_holding_tells_the_partner_and_schedules_the_next(channel_manager, partner_a, partner_a_admin):
    services.review_plan_set(actor=channel_manager, partner=partner_a, cadence="quarterly")
    review = Review.objects.get(partner=partner_a)
    Review.objects.filter(pk=review.pk).update(scheduled_on=timezone.localdate() - timedelta(days=1))
    review.refresh_from_db()
    services.action_item_add(
        actor=channel_manager, review=review, title="Send the logo", owner=partner_a_admin, due_on=date(2030, 1, 1)
    )
    held, following = services.review_hold(actor=channel_manager, review=review)
    assert held.status == "held"
    assert held.held_at is not None
    assert held.agenda  # built when held without preparation
    assert following.status == "scheduled"
    assert following.scheduled_on == services.next_review_on(review.scheduled_on, "quarterly")
    told = Notification.objects.get(idempotency_key=f"insights-review-held:{review.pk}:{partner_a_admin.pk}")
    assert "Send the logo" in told.body_text
    assert AuditEvent.objects.filter(verb="review.held", target_id=str(review.pk)).exists()
    with pytest.raises(ValidationError):  # a double click holds once
        services.review_hold(actor=channel_manager, review=review)
    assert Review.objects.filter(partner=partner_a, status="scheduled").count() == 1


def test_cancelling_tells_the_partner(channel_manager, partner_a, partner_a_admin):
    review = _review(partner_a)
    _, following = services.review_cancel(actor=channel_manager, review=review, reason="Holiday")
    assert following is None  # no cadence: nothing more is scheduled
    review.refresh_from_db()
    assert review.status == "cancelled"
    note = Notification.objects.get(recipient=partner_a_admin, template="insights_review_cancelled")
    assert "Holiday" in note.body_text


def test_action_items(channel_manager, partner_a, partner_a_admin, partner_a_seller, partner_b_user):
    review = _review(partner_a)
    with pytest.raises(ValidationError) as exc:
        services.action_item_add(actor=channel_manager, review=review, title="", owner=partner_b_user, due_on=None)
    assert set(exc.value.message_dict) == {"title", "owner", "due_on"}
    theirs = services.action_item_add(
        actor=channel_manager, review=review, title="Register 3 deals", owner=partner_a_seller, due_on=date(2030, 1, 1)
    )
    ours = services.action_item_add(
        actor=channel_manager, review=review, title="Send the deck", owner=channel_manager, due_on=date(2030, 1, 1)
    )
    recipients = set(
        Notification.objects.filter(idempotency_key__startswith=f"insights-action-added:{theirs.pk}:").values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {partner_a_admin.pk, partner_a_seller.pk}
    assert AuditEvent.objects.filter(verb="review.action_added").count() == 2
    # The partner closes its own items, not the channel team's.
    with pytest.raises(ValidationError):
        services.action_item_done(actor=partner_a_admin, item=ours)
    with pytest.raises(ValidationError):
        services.action_item_done(actor=partner_b_user, item=theirs)
    services.action_item_done(actor=partner_a_admin, item=theirs)
    services.action_item_done(actor=partner_a_admin, item=theirs)  # twice: once
    theirs.refresh_from_db()
    assert theirs.done_by == partner_a_admin
    assert AuditEvent.objects.filter(verb="review.action_done").count() == 1


# --- Reminders ------------------------------------------------------------------------------------------------


def test_review_reminders_once(channel_manager, partner_a, partner_a_admin, partner_a_seller):
    Program.objects.filter(pk=1).update(review_reminder_days=3)
    partner_a.owner = channel_manager
    partner_a.save()
    now = timezone.now()
    today = timezone.localdate(now)
    soon = _review(partner_a, on=today + timedelta(days=2))
    _review(partner_a, on=today + timedelta(days=4))  # not yet
    _review(partner_a, on=today + timedelta(days=1), status="cancelled")
    assert remind_reviews(now) == 2  # the owner and the partner's admin (not the seller)
    assert remind_reviews(now) == 0
    assert set(Notification.objects.values_list("recipient", flat=True)) == {channel_manager.pk, partner_a_admin.pk}
    manager_note = Notification.objects.get(recipient=channel_manager)
    assert manager_note.url == reverse("manage:review_detail", args=[soon.pk])
    assert Notification.objects.get(recipient=partner_a_admin).url == reverse("portal:review_detail", args=[soon.pk])


def test_overdue_action_reminders_once_per_day_count(channel_manager, partner_a, partner_a_seller):
    now = timezone.now()
    today = timezone.localdate(now)
    review = _review(partner_a, on=today - timedelta(days=10))
    item = ActionItem.objects.create(
        review=review,
        partner=partner_a,
        title="Book the demo",
        owner=partner_a_seller,
        due_on=today - timedelta(days=1),
    )
    ActionItem.objects.create(review=review, partner=partner_a, title="Not yet", due_on=today)
    ActionItem.objects.create(
        review=review, partner=partner_a, title="Done", due_on=today - timedelta(days=5), done_at=now
    )
    assert remind_overdue_actions(now) == 1
    assert remind_overdue_actions(now) == 0
    note = Notification.objects.get()
    assert note.recipient == partner_a_seller
    assert note.url == reverse("portal:review_detail", args=[review.pk])
    # 3 days on: the item is 4 days late (still its 1-day count: nothing); "Not yet" is now late (its first one).
    assert remind_overdue_actions(now + timedelta(days=3)) == 1
    assert remind_overdue_actions(now + timedelta(days=6)) == 1  # 7 days late
    assert Notification.objects.filter(idempotency_key__startswith=f"insights-action-overdue:{item.pk}:").count() == 2


# --- Manager pages --------------------------------------------------------------------------------------------


def test_upcoming_reviews_overdue_first(manager_client, partner_a, partner_b, django_assert_max_num_queries):
    today = timezone.localdate()
    later = _review(partner_a, on=today + timedelta(days=20))
    overdue = _review(partner_b, on=today - timedelta(days=2))
    _review(partner_a, on=today + timedelta(days=40))  # beyond 30 days
    for n in range(8):
        ActionItem.objects.create(
            review=overdue, partner=partner_b, title=f"Late {n}", due_on=today - timedelta(days=n + 1)
        )
    with django_assert_max_num_queries(12):
        response = manager_client.get(reverse("manage:reviews"))
    assert response.status_code == 200
    assert [r.pk for r in response.context["reviews"]] == [overdue.pk, later.pk]
    assert response.context["overdue_total"] == 8
    assert "Late 7" in response.content.decode()
    actions = manager_client.get(reverse("manage:review_actions"), {"overdue": "1"})
    assert actions.status_code == 200
    assert actions.context["total"] == 8


def test_review_page_flow(manager_client, channel_manager, partner_a, partner_a_admin):
    url = reverse("manage:partner_reviews", args=[partner_a.pk])
    assert manager_client.get(url).status_code == 200
    bad = manager_client.post(url, {"form": "plan", "cadence": "yearly"})
    assert bad.status_code == 400
    assert manager_client.post(url, {"form": "plan", "cadence": "monthly"}).status_code == 302
    review = Review.objects.get(partner=partner_a)
    detail = reverse("manage:review_detail", args=[review.pk])
    act = lambda action: reverse("manage:review_act", args=[review.pk, action])  # noqa: E731
    assert manager_client.get(detail).status_code == 200
    assert manager_client.post(act("prepare")).status_code == 302
    assert manager_client.post(act("notes"), {"title": "March review", "notes": "Good quarter."}).status_code == 302
    bad_item = manager_client.post(act("item"), {"title": "", "due_on": "not a date"})
    assert bad_item.status_code == 400
    ok = manager_client.post(
        act("item"), {"title": "Send pricing", "owner": partner_a_admin.pk, "due_on": "2030-01-01"}
    )
    assert ok.status_code == 302
    assert manager_client.post(act("hold")).status_code == 302
    review.refresh_from_db()
    assert (review.status, review.title, review.notes) == ("held", "March review", "Good quarter.")
    again = manager_client.post(act("hold"), follow=True)
    assert "not scheduled any more" in again.content.decode()
    assert Review.objects.filter(partner=partner_a, status="scheduled").count() == 1
    assert manager_client.get(detail).status_code == 200
    history = manager_client.get(url)
    assert "March review" in history.content.decode()


def test_manager_pages_are_not_for_partners(admin_client_a, partner_a):
    review = _review(partner_a)
    for url in (
        reverse("manage:reviews"),
        reverse("manage:review_detail", args=[review.pk]),
        reverse("manage:partner_reviews", args=[partner_a.pk]),
    ):
        assert admin_client_a.get(url).status_code == 404


# --- Portal ---------------------------------------------------------------------------------------------------


def test_portal_reviews_are_the_partners_own(
    admin_client_a, outsider_client, channel_manager, partner_a, partner_a_admin, django_assert_max_num_queries
):
    review = _review(partner_a, notes="We agreed on three things.", status="held")
    upcoming = _review(partner_a, on=timezone.localdate() + timedelta(days=10))
    mine = ActionItem.objects.create(
        review=review, partner=partner_a, title="Mine", owner=partner_a_admin, due_on=date(2030, 1, 1)
    )
    ours = ActionItem.objects.create(
        review=review, partner=partner_a, title="Channel team task", owner=channel_manager, due_on=date(2030, 1, 1)
    )
    with django_assert_max_num_queries(14):
        response = admin_client_a.get(reverse("portal:reviews"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Mine" in content
    assert "Channel team task" in content
    assert upcoming.title in content
    detail = admin_client_a.get(reverse("portal:review_detail", args=[review.pk]))
    assert detail.status_code == 200
    assert "We agreed on three things." in detail.content.decode()
    # The outsider sees none of it.
    assert outsider_client.get(reverse("portal:review_detail", args=[review.pk])).status_code == 404
    assert outsider_client.post(reverse("portal:review_action_done", args=[mine.pk])).status_code == 404
    assert "Mine" not in outsider_client.get(reverse("portal:reviews")).content.decode()
    # The partner marks its own item done, not the channel team's.
    assert admin_client_a.post(reverse("portal:review_action_done", args=[mine.pk])).status_code == 302
    admin_client_a.post(reverse("portal:review_action_done", args=[ours.pk]))
    mine.refresh_from_db()
    ours.refresh_from_db()
    assert mine.done_at is not None
    assert ours.done_at is None


def test_partner_page_summaries(channel_manager, partner_a, django_assert_max_num_queries):
    from insights.signals import customers_summary, reviews_summary

    empty = reviews_summary(partner_a)
    assert empty.facts == ["No review rhythm yet"]
    assert empty.url == reverse("manage:partner_reviews", args=[partner_a.pk])
    assert customers_summary(partner_a) is None
    services.review_plan_set(actor=channel_manager, partner=partner_a, cadence="monthly")
    review = Review.objects.get(partner=partner_a)
    ActionItem.objects.create(review=review, partner=partner_a, title="Late", due_on=date(2020, 1, 1))
    ActionItem.objects.create(review=review, partner=partner_a, title="Later", due_on=date(2030, 1, 1))
    with django_assert_max_num_queries(1):
        summary = reviews_summary(partner_a)
    assert summary.facts[0] == "Reviewed monthly"
    assert summary.facts[1].startswith("Next review ")
    assert summary.facts[2] == "2 open action items, 1 overdue"
