"""Notification preferences: honoured by notify for every delivery (right away, daily summary, off), the program's
defaults, the daily summary task (one a day, idempotent, with its content), the unsubscribe link and headers, the
inbox as a reader of messages, and the preferences page for a manager and a partner user."""

import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from prm.models import Notification, NotificationCategory, NotificationPreference
from prm.notification_tasks import daily_summaries_send, send_daily_summaries
from prm.notifications import (
    notification_defaults_set,
    notification_delivery,
    notification_preferences_set,
    notify,
    unsubscribe_token,
)
from tests.factories import UserFactory

Delivery = NotificationPreference.Delivery
Status = Notification.EmailStatus


def tell_joined(user, key: str, *, partner=None, url: str = "/portal/team/", **kwargs) -> Notification:
    """A real notification of the "Partner program" category (a colleague joined)."""
    newcomer = UserFactory.build(first_name="Rosa", last_name="Diaz", email="rosa@northwind.example.com")
    return notify(
        key=key,
        template="invitation_accepted",
        recipient=user,
        partner=partner,
        url=url,
        context={"member": newcomer, "partner": partner, "role": "Sales"},
        **kwargs,
    )


def tell_role_changed(user, key: str, *, partner) -> Notification:
    """An account mail: always sent."""
    from types import SimpleNamespace

    return notify(
        key=key,
        template="membership_role_changed",
        recipient=user,
        partner=partner,
        url="/portal/team/",
        context={
            "actor": user,
            "membership": SimpleNamespace(partner=partner),
            "before": "Sales",
            "after": "Admin",
            "reason": "",
        },
    )


def choose(user, category=NotificationCategory.PROGRAM, delivery=Delivery.OFF) -> None:
    notification_preferences_set(user=user, choices={category: delivery})


# --- notify honours the preference ------------------------------------------------------------------------------


def test_right_away_is_emailed_now_with_unsubscribe_headers(
    partner_a_admin, partner_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        n = tell_joined(partner_a_admin, "j1", partner=partner_a)
    n.refresh_from_db()
    assert n.email_status == Status.SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message.extra_headers["List-Unsubscribe"]
    assert link.startswith("<http://127.0.0.1:8000/notifications/unsubscribe/")
    # The header's link works: a one-click POST turns the category off.
    path = link.strip("<>").removeprefix("http://127.0.0.1:8000")
    assert Client().post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert notification_delivery(user=partner_a_admin, category="program") == Delivery.OFF
    assert "Stop emails about Partner program: http" in message.body
    assert "Stop emails about Partner program</a>" in message.alternatives[0][0]


def test_daily_summary_means_no_email_now(partner_a_admin, partner_a, django_capture_on_commit_callbacks):
    choose(partner_a_admin, delivery=Delivery.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        n = tell_joined(partner_a_admin, "j1", partner=partner_a)
    assert n.email_status == Status.DIGEST
    assert mail.outbox == []
    assert n.sent_now  # the inbox has it


def test_off_means_no_email_but_the_inbox_has_it(
    partner_a_admin, partner_a, admin_client_a, django_capture_on_commit_callbacks
):
    choose(partner_a_admin, delivery=Delivery.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        n = tell_joined(partner_a_admin, "j1", partner=partner_a)
    assert n.email_status == Status.OFF
    assert mail.outbox == []
    page = admin_client_a.get(f"/inbox/{n.pk}/message/").content.decode()
    assert "Not emailed: you turned off emails about Partner program." in page
    assert "Rosa Diaz joined" in admin_client_a.get("/inbox/").content.decode()


def test_other_categories_are_not_affected(partner_a_admin, partner_a):
    choose(partner_a_admin, category=NotificationCategory.DEALS, delivery=Delivery.OFF)
    assert tell_joined(partner_a_admin, "j1", partner=partner_a).email_status == Status.PENDING


def test_account_mails_are_always_sent(partner_a_admin, partner_a, django_capture_on_commit_callbacks):
    for category in NotificationCategory.values:
        choose(partner_a_admin, category=category, delivery=Delivery.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        n = tell_role_changed(partner_a_admin, "r1", partner=partner_a)
    assert Notification.objects.get(pk=n.pk).email_status == Status.SENT
    assert "It is about your account or its security, so it is always sent." in mail.outbox[0].body
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers


def test_an_invitation_has_no_account_to_unsubscribe(partner_a, partner_a_admin, django_capture_on_commit_callbacks):
    from partners.services.people import invitation_create

    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(actor=partner_a_admin, partner=partner_a, email="new@northwind.example.com", role="sales")
    message = mail.outbox[-1]
    assert message.to == ["new@northwind.example.com"]
    assert "You have no account there, so there is nothing to unsubscribe from" in message.body
    assert "List-Unsubscribe" not in message.extra_headers


def test_send_email_false_is_still_not_emailed(partner_a_admin, partner_a):
    assert tell_joined(partner_a_admin, "j1", partner=partner_a, send_email=False).email_status == Status.SKIPPED


# --- Defaults -----------------------------------------------------------------------------------------------------


def test_the_programs_default_applies_to_its_audience_until_someone_chooses(
    partner_a_admin, channel_manager, program_admin, partner_a
):
    notification_defaults_set(
        actor=program_admin, audience="partners", choices={NotificationCategory.PROGRAM: Delivery.DAILY}
    )
    assert notification_delivery(user=partner_a_admin, category=NotificationCategory.PROGRAM) == Delivery.DAILY
    assert notification_delivery(user=channel_manager, category=NotificationCategory.PROGRAM) == Delivery.IMMEDIATELY
    assert tell_joined(partner_a_admin, "j1", partner=partner_a).email_status == Status.DIGEST
    assert tell_joined(channel_manager, "m1", url="/manage/").email_status == Status.PENDING

    choose(partner_a_admin, delivery=Delivery.IMMEDIATELY)  # their own choice wins
    assert tell_joined(partner_a_admin, "j2", partner=partner_a).email_status == Status.PENDING
    choose(partner_a_admin, delivery="")  # back to the default
    assert tell_joined(partner_a_admin, "j3", partner=partner_a).email_status == Status.DIGEST


def test_defaults_for_managers(channel_manager, program_admin):
    notification_defaults_set(
        actor=program_admin, audience="managers", choices={NotificationCategory.PROGRAM: Delivery.OFF}
    )
    assert tell_joined(channel_manager, "m1", url="/manage/").email_status == Status.OFF


# --- The daily summary ----------------------------------------------------------------------------------------------


def test_daily_summary_lists_the_days_messages_once(
    partner_a_admin, partner_a_seller, partner_a, django_capture_on_commit_callbacks
):
    choose(partner_a_admin, delivery=Delivery.DAILY)
    choose(partner_a_admin, category=NotificationCategory.DEALS, delivery=Delivery.DAILY)
    first = tell_joined(partner_a_admin, "j1", partner=partner_a)
    second = tell_joined(partner_a_admin, "j2", partner=partner_a, url="/portal/team/?second")
    tell_joined(partner_a_seller, "s1", partner=partner_a)  # the seller gets it right away: no summary
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        assert send_daily_summaries() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [partner_a_admin.email]
    assert message.subject.startswith("[prm] Your daily summary for ")
    assert message.subject.endswith(": 2 notifications")
    assert message.body.count("Rosa Diaz joined Northwind Solutions") == 2
    assert "Partner program" in message.body
    assert "http://127.0.0.1:8000/portal/team/?second" in message.body
    # The same footer as every email: here it turns off what comes as a summary.
    assert "Stop emails about daily summaries: http" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert "Rosa Diaz joined Northwind Solutions</a>" in html
    for n in (first, second):
        n.refresh_from_db()
        assert n.email_status == Status.DIGESTED

    # Run again the same day (a retry, a second beat): nothing more, even with a new message waiting.
    third = tell_joined(partner_a_admin, "j3", partner=partner_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert daily_summaries_send() == 0
    assert len(mail.outbox) == 1
    third.refresh_from_db()
    assert third.email_status == Status.DIGEST  # it waits for tomorrow's

    with django_capture_on_commit_callbacks(execute=True):
        assert daily_summaries_send(now=timezone.now() + timedelta(days=1)) == 1
    assert len(mail.outbox) == 2
    assert "1 notification" in mail.outbox[1].subject
    assert Notification.objects.filter(template="daily_summary", recipient=partner_a_admin).count() == 2


def test_nothing_waiting_sends_no_summary(partner_a_admin, partner_a):
    tell_joined(partner_a_admin, "j1", partner=partner_a)
    assert daily_summaries_send() == 0
    assert not Notification.objects.filter(template="daily_summary").exists()


def test_the_summary_is_not_in_the_inbox(partner_a_admin, partner_a, admin_client_a):
    choose(partner_a_admin, delivery=Delivery.DAILY)
    tell_joined(partner_a_admin, "j1", partner=partner_a)
    daily_summaries_send()
    page = admin_client_a.get("/inbox/")
    assert [n.template for n in page.context["notifications"]] == ["invitation_accepted"]


# --- Unsubscribing --------------------------------------------------------------------------------------------------


def test_unsubscribe_link_confirms_then_turns_the_category_off(partner_a_admin):
    token = unsubscribe_token(user=partner_a_admin, category=NotificationCategory.MDF)
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(f"/notifications/unsubscribe/{token}/")
    assert page.status_code == 200
    assert "Stop emails about MDF?" in page.content.decode()
    assert notification_delivery(user=partner_a_admin, category="mdf") == Delivery.IMMEDIATELY  # a GET changes nothing

    done = anonymous.post(f"/notifications/unsubscribe/{token}/")
    assert done.status_code == 200
    assert "no more emails about MDF" in done.content.decode()
    assert notification_delivery(user=partner_a_admin, category="mdf") == Delivery.OFF
    assert notification_delivery(user=partner_a_admin, category="deals") == Delivery.IMMEDIATELY


def test_one_click_unsubscribe_from_a_mail_provider(partner_a_admin):
    """RFC 8058: the provider posts List-Unsubscribe=One-Click without a CSRF token."""
    token = unsubscribe_token(user=partner_a_admin, category=NotificationCategory.DEALS)
    response = Client(enforce_csrf_checks=True).post(
        f"/notifications/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert notification_delivery(user=partner_a_admin, category="deals") == Delivery.OFF


def test_the_summarys_link_turns_off_what_comes_as_a_summary(partner_a_admin):
    choose(partner_a_admin, category=NotificationCategory.DEALS, delivery=Delivery.DAILY)
    choose(partner_a_admin, category=NotificationCategory.MDF, delivery=Delivery.DAILY)
    token = unsubscribe_token(user=partner_a_admin, category="daily")
    assert "Deal registration, MDF" in Client().get(f"/notifications/unsubscribe/{token}/").content.decode()
    Client().post(f"/notifications/unsubscribe/{token}/")
    assert notification_delivery(user=partner_a_admin, category="deals") == Delivery.OFF
    assert notification_delivery(user=partner_a_admin, category="mdf") == Delivery.OFF
    assert notification_delivery(user=partner_a_admin, category="program") == Delivery.IMMEDIATELY


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_token_gets_a_clear_page(partner_a_admin, method):
    token = unsubscribe_token(user=partner_a_admin, category=NotificationCategory.MDF)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = getattr(Client(), method)(f"/notifications/unsubscribe/{tampered}/")
    assert response.status_code == 400
    page = response.content.decode()
    assert "This unsubscribe link does not work" in page
    assert "Nothing was changed." in page
    assert notification_delivery(user=partner_a_admin, category="mdf") == Delivery.IMMEDIATELY


def test_a_token_for_someone_else_cannot_be_forged(partner_a_admin, partner_b_user):
    """Changing the user id inside the token breaks its signature."""
    token = unsubscribe_token(user=partner_a_admin, category=NotificationCategory.MDF)
    forged = signing.dumps({"u": partner_b_user.pk, "c": "mdf"}, salt="another-salt", compress=True)
    for bad in (forged, "junk", token.replace(":", ";", 1)):
        assert Client().post(f"/notifications/unsubscribe/{bad}/").status_code == 400
    assert notification_delivery(user=partner_b_user, category="mdf") == Delivery.IMMEDIATELY


def test_an_expired_token_gets_a_clear_page(partner_a_admin, monkeypatch):
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - 400 * 24 * 3600)
    token = unsubscribe_token(user=partner_a_admin, category=NotificationCategory.MDF)
    monkeypatch.setattr(signing.time, "time", real_time)
    response = Client().post(f"/notifications/unsubscribe/{token}/")
    assert response.status_code == 400
    assert "This unsubscribe link is too old" in response.content.decode()
    assert notification_delivery(user=partner_a_admin, category="mdf") == Delivery.IMMEDIATELY


def test_a_token_for_an_unknown_category_or_a_removed_user(partner_a_admin):
    bad_category = signing.dumps({"u": partner_a_admin.pk, "c": "nonsense"}, salt="prm.notifications.unsubscribe")
    assert Client().get(f"/notifications/unsubscribe/{bad_category}/").status_code == 400
    token = unsubscribe_token(user=partner_a_admin, category="mdf")
    partner_a_admin.is_active = False
    partner_a_admin.save(update_fields=["is_active"])
    assert Client().get(f"/notifications/unsubscribe/{token}/").status_code == 400


# --- The inbox ------------------------------------------------------------------------------------------------------


def test_inbox_lists_subject_excerpt_time_category_and_unread_state(partner_a_admin, partner_a, admin_client_a):
    tell_joined(partner_a_admin, "j1", partner=partner_a)
    page = admin_client_a.get("/inbox/").content.decode()
    assert "Rosa Diaz joined Northwind Solutions" in page
    assert "Rosa Diaz (rosa@northwind.example.com) accepted your invitation" in page  # the excerpt, plain
    assert "Partner program" in page
    assert "<time datetime=" in page
    assert "Unread: " in page
    assert "Notification settings" in page
    assert "Stop emails" not in page  # the footer is for the email


def test_opening_a_message_shows_it_rendered_and_safe(partner_a_admin, partner_a, admin_client_a):
    n = tell_joined(partner_a_admin, "j1", partner=partner_a)
    Notification.objects.filter(pk=n.pk).update(
        body_html=n.body_html.replace(
            "<!-- /message -->",
            '<p onclick="x()">Hi<script>alert(1)</script><img src=x onerror=y></p><!-- /message -->',
        )
    )
    response = admin_client_a.post(f"/inbox/{n.pk}/read/")
    assert response["Location"] == f"/inbox/{n.pk}/message/"
    n.refresh_from_db()
    assert not n.is_unread
    page = admin_client_a.get(f"/inbox/{n.pk}/message/").content.decode()
    assert "<strong>Rosa Diaz</strong>" in page  # rendered, not the raw email text
    assert "<script>alert" not in page
    assert "onclick" not in page
    assert "onerror" not in page
    assert "Stop emails about" not in page
    # The button to the object goes through inbox_open (a POST), which follows the link.
    assert f'action="/inbox/{n.pk}/"' in page
    assert "Open it in prm" in page
    assert admin_client_a.post(f"/inbox/{n.pk}/")["Location"] == "/portal/team/"


def test_the_deal_button_says_what_it_opens(partner_a_admin, partner_a, admin_client_a):
    from tests.dealreg.factories_registrations import RegistrationFactory

    registration = RegistrationFactory(partner=partner_a, name="Globex")
    n = notify(
        key="d1",
        template="deal_rejected",
        recipient=partner_a_admin,
        partner=partner_a,
        url=f"/portal/deals/{registration.pk}/",
        context={"registration": registration, "reason": "Named account."},
    )
    page = admin_client_a.get(f"/inbox/{n.pk}/message/").content.decode()
    assert "Open the deal registration" in page
    assert "Deal registration" in page


def test_someone_elses_message_is_not_found(partner_a_admin, partner_a, outsider_client):
    n = tell_joined(partner_a_admin, "j1", partner=partner_a)
    assert outsider_client.get(f"/inbox/{n.pk}/message/").status_code == 404
    assert outsider_client.post(f"/inbox/{n.pk}/read/")["Location"] == "/inbox/"
    n.refresh_from_db()
    assert n.is_unread


def test_reading_needs_a_post(partner_a_admin, partner_a, admin_client_a):
    n = tell_joined(partner_a_admin, "j1", partner=partner_a)
    assert admin_client_a.get(f"/inbox/{n.pk}/read/").status_code == 405
    admin_client_a.get(f"/inbox/{n.pk}/message/")
    n.refresh_from_db()
    assert n.is_unread


# --- The preferences page ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager_client", "admin_client_a", "seller_client_a"])
def test_preferences_page_for_every_signed_in_user(request, who):
    client = request.getfixturevalue(who)
    page = client.get("/notifications/settings/")
    assert page.status_code == 200
    html = page.content.decode()
    for label in NotificationCategory.labels:
        assert label in html
    assert "The program's default (right away)" in html
    assert "Always sent, whatever you choose" in html
    home = client.get("/inbox/").content.decode()
    assert 'href="/notifications/settings/"' in home  # linked from the user menu and the inbox


def test_saving_preferences(partner_a_seller, seller_client_a):
    response = seller_client_a.post("/notifications/settings/", {"deals": "daily", "mdf": "off", "program": ""})
    assert response.status_code == 302
    assert notification_delivery(user=partner_a_seller, category="deals") == Delivery.DAILY
    assert notification_delivery(user=partner_a_seller, category="mdf") == Delivery.OFF
    page = seller_client_a.get("/notifications/settings/").content.decode()
    assert 'name="deals" value="daily" checked' in page
    assert 'name="program" value="" checked' in page


def test_a_bad_choice_gets_a_message_not_a_500(partner_a_seller, seller_client_a):
    response = seller_client_a.post("/notifications/settings/", {"deals": "weekly", "mdf": "off"})
    assert response.status_code == 200
    assert "Choose right away, daily summary or off." in response.content.decode()
    assert not NotificationPreference.objects.filter(user=partner_a_seller).exists()


def test_a_partner_cannot_see_or_change_another_users_preferences(partner_a_admin, partner_a_seller, outsider_client):
    choose(partner_a_admin, category=NotificationCategory.MDF, delivery=Delivery.OFF)
    # There is no user in the URL; a user id in the query or the form is ignored.
    page = outsider_client.get(f"/notifications/settings/?user={partner_a_admin.pk}")
    assert 'name="mdf" value="off" checked' not in page.content.decode()
    outsider_client.post("/notifications/settings/", {"user": partner_a_admin.pk, "mdf": "daily"})
    assert notification_delivery(user=partner_a_admin, category="mdf") == Delivery.OFF


def test_preferences_need_a_sign_in(db):
    response = Client().get("/notifications/settings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
