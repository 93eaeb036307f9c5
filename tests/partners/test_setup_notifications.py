"""Program setup, notification defaults (/manage/program/notifications/): a program admin sets how managers and
partner users get each category by email until they choose for themselves; every change is audited; a plain manager
reads the page and gets the 403 page when it posts; partners never see it."""

import pytest
from django.urls import reverse

from prm.models import AuditEvent, NotificationCategory, NotificationPreference
from prm.notifications import notification_defaults, notification_delivery, notification_preferences_set

URL = "/manage/program/notifications/"
Delivery = NotificationPreference.Delivery


def _form(**changes: str) -> dict[str, str]:
    data = {f"{a}-{c}": "immediately" for a in ("managers", "partners") for c in NotificationCategory.values}
    data.update(changes)
    return data


def test_the_url_name():
    assert reverse("manage:setup_notifications") == URL


def test_a_program_admin_sets_the_defaults(program_admin_client, program_admin, partner_a_admin, channel_manager):
    page = program_admin_client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Notification defaults" in html
    for label in NotificationCategory.labels:
        assert label in html
    assert 'name="partners-mdf"' in html
    assert "Save the defaults" in html

    response = program_admin_client.post(URL, _form(**{"partners-mdf": "daily", "managers-insights": "off"}))
    assert response.status_code == 302
    assert response["Location"] == URL
    defaults = notification_defaults()
    assert defaults["partners"]["mdf"] == Delivery.DAILY
    assert defaults["managers"]["insights"] == Delivery.OFF
    assert defaults["managers"]["mdf"] == Delivery.IMMEDIATELY
    # Used for people who have not chosen for themselves.
    assert notification_delivery(user=partner_a_admin, category="mdf") == Delivery.DAILY
    assert notification_delivery(user=channel_manager, category="mdf") == Delivery.IMMEDIATELY
    assert notification_delivery(user=channel_manager, category="insights") == Delivery.OFF

    messages = [str(m) for m in program_admin_client.get(URL).context["messages"]]
    assert messages == ["Saved: 2 defaults changed. People who chose for themselves keep their choice."]
    page = program_admin_client.get(URL).content.decode()
    assert '<option value="daily" selected>' in page


def test_every_change_is_audited(program_admin_client, program_admin):
    program_admin_client.post(URL, _form(**{"partners-deals": "off"}))
    event = AuditEvent.objects.get(verb="program.notification_default_changed")
    assert event.actor == program_admin
    assert event.before == {"audience": "partners", "category": "deals", "delivery": "immediately"}
    assert event.after == {"audience": "partners", "category": "deals", "delivery": "off"}
    # Saving the same again changes (and audits) nothing.
    program_admin_client.post(URL, _form(**{"partners-deals": "off"}))
    assert AuditEvent.objects.filter(verb="program.notification_default_changed").count() == 1


def test_a_persons_own_choice_wins_over_the_default(program_admin_client, partner_a_admin):
    notification_preferences_set(user=partner_a_admin, choices={"deals": "immediately"})
    program_admin_client.post(URL, _form(**{"partners-deals": "off"}))
    assert notification_delivery(user=partner_a_admin, category="deals") == Delivery.IMMEDIATELY
    assert "1 choice people made for themselves stay" in program_admin_client.get(URL).content.decode()


def test_a_bad_value_gets_a_message_and_changes_nothing(program_admin_client):
    response = program_admin_client.post(URL, _form(**{"partners-deals": "weekly", "managers-mdf": "off"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose right away, daily summary or off." in html
    assert "Some defaults could not be saved" in html
    assert notification_defaults()["partners"]["deals"] == Delivery.IMMEDIATELY


def test_a_plain_manager_reads_it_only(manager_client):
    page = manager_client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Read-only." in html
    assert "disabled" in html
    assert "Save the defaults" not in html
    response = manager_client.post(URL, _form(**{"partners-deals": "off"}))
    assert response.status_code == 403
    assert notification_defaults()["partners"]["deals"] == Delivery.IMMEDIATELY
    assert not AuditEvent.objects.filter(verb="program.notification_default_changed").exists()


@pytest.mark.parametrize("who", ["admin_client_a", "outsider_client"])
def test_partners_never_see_it(request, who):
    assert request.getfixturevalue(who).get(URL).status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
