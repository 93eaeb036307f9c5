"""The health check, and the in-app inbox behind the bell."""

import re

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from prm.models import Notification
from prm.notifications import inbox_unread_count, notify
from tests.factories import UserFactory

# --- /healthz ---------------------------------------------------------------------------------------------------


def test_healthz_reports_database_and_broker(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    expected_broker = "ok" if settings.REDIS_URL else "eager"
    assert response.json() == {"status": "ok", "database": "ok", "broker": expected_broker}


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_healthz_reports_an_unreachable_broker(db):
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error: ")
    assert "ConnectionError" in body["broker"]


def test_healthz_is_get_only(db):
    assert Client().post("/healthz").status_code == 405


# --- The inbox --------------------------------------------------------------------------------------------------


def tell(user, key: str, *, url: str = "/portal/team/", read: bool = False) -> Notification:
    notification = notify(
        key=key,
        template="invitation_accepted",
        recipient=user,
        url=url,
        send_email=False,
        context={"member": user, "partner": None, "role": "Sales"},
    )
    if read:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    return notification


def bell(response) -> str | None:
    match = re.search(r'data-testid="unread-count">(\d+)<', response.content.decode())
    return match.group(1) if match else None


def test_bell_shows_the_unread_count_on_portal_pages(admin_client_a, partner_a_admin, partner_a_seller):
    assert bell(admin_client_a.get("/portal/")) is None  # nothing unread: no badge
    tell(partner_a_admin, "a1")
    tell(partner_a_admin, "a2")
    tell(partner_a_admin, "a3", read=True)
    tell(partner_a_seller, "s1")  # someone else's
    assert bell(admin_client_a.get("/portal/")) == "2"
    assert bell(admin_client_a.get("/portal/team/")) == "2"


def test_bell_shows_the_unread_count_on_manager_pages(manager_client, channel_manager):
    tell(channel_manager, "m1", url="/manage/partners/")
    assert bell(manager_client.get("/manage/partners/")) == "1"
    assert bell(manager_client.get("/inbox/")) == "1"


def test_opening_a_notification_marks_it_read_and_follows_its_link(admin_client_a, partner_a_admin):
    notification = tell(partner_a_admin, "a1", url="/portal/team/")
    other = tell(partner_a_admin, "a2")
    response = admin_client_a.post(f"/inbox/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/team/"
    notification.refresh_from_db()
    other.refresh_from_db()
    assert notification.read_at is not None
    assert other.read_at is None
    assert bell(admin_client_a.get("/portal/")) == "1"


def test_a_notification_without_a_link_opens_the_inbox(admin_client_a, partner_a_admin):
    notification = tell(partner_a_admin, "a1", url="")
    response = admin_client_a.post(f"/inbox/{notification.pk}/")
    assert response["Location"] == "/inbox/"
    notification.refresh_from_db()
    assert not notification.is_unread


def test_one_user_cannot_open_another_users_notification(outsider_client, partner_a_admin):
    notification = tell(partner_a_admin, "a1", url="/portal/team/")
    response = outsider_client.post(f"/inbox/{notification.pk}/")
    # The same answer as for an id that does not exist: nothing leaks, nothing changes.
    assert response.status_code == 302
    assert response["Location"] == "/inbox/"
    assert outsider_client.post("/inbox/999999/")["Location"] == "/inbox/"
    notification.refresh_from_db()
    assert notification.read_at is None
    assert partner_a_admin.email not in outsider_client.get("/inbox/").content.decode()


def test_opening_needs_a_post(admin_client_a, partner_a_admin):
    """A GET (a link prefetch, a crawler) never marks anything read."""
    notification = tell(partner_a_admin, "a1")
    assert admin_client_a.get(f"/inbox/{notification.pk}/").status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_inbox_lists_own_notifications_and_marks_all_read(admin_client_a, partner_a_admin, partner_a_seller):
    mine = tell(partner_a_admin, "a1")
    theirs = tell(partner_a_seller, "s1")
    page = admin_client_a.get("/inbox/")
    assert page.status_code == 200
    assert [n.pk for n in page.context["notifications"]] == [mine.pk]
    assert f"/inbox/{mine.pk}/" in page.content.decode()
    assert f"/inbox/{theirs.pk}/" not in page.content.decode()

    response = admin_client_a.post("/inbox/read-all/")
    assert response["Location"] == "/inbox/"
    assert inbox_unread_count(user=partner_a_admin) == 0
    assert inbox_unread_count(user=partner_a_seller) == 1


def test_empty_inbox(admin_client_a):
    assert "Nothing here yet." in admin_client_a.get("/inbox/").content.decode()


@pytest.mark.parametrize("url", ["/inbox/", "/inbox/1/", "/inbox/read-all/"])
def test_inbox_needs_a_member(db, url):
    anonymous = Client().post(url) if url != "/inbox/" else Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    nobody = Client()
    nobody.force_login(UserFactory())
    response = nobody.post(url) if url != "/inbox/" else nobody.get(url)
    assert response.status_code == 403
    assert "nothing here for you yet" in response.content.decode()
