"""MDF in the program setup: the settings page behind the program-setup door (program admins change it, audited;
plain managers read it and get the 403 page on a post) and the budget periods (/manage/program/mdf-periods/): list,
add, edit, dates that end after they start and never overlap, audited; partner users never reach them."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mdf.models import Budget, MdfSettings, Period
from mdf.services import setup as mdf_setup
from prm.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


SETTINGS = {
    "currency": "EUR",
    "fiscal_year_start_month": "1",
    "period_months": "3",
    "expiry_grace_days": "0",
    "claim_days": "45",
    "review_business_days": "2",
    "admin_approval_above": "",
    "allow_overspend": "",
    "claim_reminder_days": "15,5,1",
}


@pytest.fixture
def q1():
    return Period.objects.create(name="FY2027 Q1", starts_on=date(2027, 1, 1), ends_on=date(2027, 3, 31))


@pytest.fixture
def q2():
    return Period.objects.create(name="FY2027 Q2", starts_on=date(2027, 4, 1), ends_on=date(2027, 6, 30))


def period_data(**changes) -> dict:
    return {"name": "FY2027 Q3", "starts_on": "2027-07-01", "ends_on": "2027-09-30", **changes}


# --- The settings -----------------------------------------------------------------------------------------------


def test_a_program_admin_changes_the_mdf_settings_audited_with_what_changed(program_admin_client, program_admin):
    response = program_admin_client.post(reverse("manage:mdf_settings"), SETTINGS, follow=True)
    assert response.redirect_chain[-1][0] == reverse("manage:mdf_settings")
    saved = MdfSettings.objects.get(pk=1)
    assert (saved.currency, saved.claim_days) == ("EUR", 45)
    event = AuditEvent.objects.filter(verb="mdf.settings_updated").get()
    assert event.actor == program_admin
    assert event.after["claim_days"] == "45"
    assert event.before["claim_days"] == "60"
    assert "period_months" not in event.after  # only what changed
    # The same again changes nothing and writes nothing.
    response = program_admin_client.post(reverse("manage:mdf_settings"), SETTINGS, follow=True)
    assert "Nothing changed: the settings are as they were." in messages_of(response)
    assert AuditEvent.objects.filter(verb="mdf.settings_updated").count() == 1


def test_a_plain_manager_reads_the_mdf_settings_and_cannot_change_them(manager_client, program_admin):
    response = manager_client.get(reverse("manage:mdf_settings"))
    assert response.status_code == 200
    html = body(response)
    assert "Read-only." in html
    assert "Save the settings</button>" not in html
    assert "disabled" in html
    response = manager_client.post(reverse("manage:mdf_settings"), SETTINGS)
    assert response.status_code == 403
    assert "Only program admins can change the program" in body(response)
    assert MdfSettings.objects.get(pk=1).claim_days == 60
    assert not AuditEvent.objects.filter(verb="mdf.settings_updated").exists()


def test_the_settings_service_refuses_a_plain_manager(channel_manager):
    with pytest.raises(ValidationError, match="Only program admins"):
        mdf_setup.mdf_settings_change(actor=channel_manager, data={"claim_days": 10})


def test_bad_settings_get_a_clear_message(program_admin_client):
    response = program_admin_client.post(reverse("manage:mdf_settings"), {**SETTINGS, "currency": "dollars"})
    assert response.status_code == 400
    assert "three-letter code" in body(response)
    assert "Everything you typed is still here" in body(response)


# --- Periods: who ----------------------------------------------------------------------------------------------


PAGES = [
    ("manage:setup_mdf_period_list", False, "Add a period</a>"),
    ("manage:setup_mdf_period_create", False, "Add the period</button>"),
    ("manage:setup_mdf_period_edit", True, "Save</button>"),
]


@pytest.mark.parametrize(("name", "needs_period", "admin_only"), PAGES)
def test_period_pages_read_only_for_a_plain_manager(
    manager_client, program_admin_client, program_admin, q1, name, needs_period, admin_only
):
    url = reverse(name, args=[q1.pk] if needs_period else [])
    admin_page = program_admin_client.get(url)
    assert admin_page.status_code == 200
    assert admin_only in body(admin_page)
    page = manager_client.get(url)
    assert page.status_code == 200
    assert admin_only not in body(page)
    assert "Read-only." in body(page)


@pytest.mark.parametrize(("name", "needs_period", "admin_only"), PAGES)
def test_partner_users_cannot_reach_the_period_pages(
    admin_client_a, seller_client_a, q1, name, needs_period, admin_only
):
    url = reverse(name, args=[q1.pk] if needs_period else [])
    for c in (admin_client_a, seller_client_a):
        assert c.get(url).status_code == 404
        assert c.post(url, period_data()).status_code == 404
    assert Period.objects.count() == 1


def test_a_plain_manager_posting_a_period_gets_the_403_page(manager_client, q1):
    response = manager_client.post(reverse("manage:setup_mdf_period_create"), period_data())
    assert response.status_code == 403
    assert "Only program admins" in body(response)
    response = manager_client.post(reverse("manage:setup_mdf_period_edit", args=[q1.pk]), period_data(name="X"))
    assert response.status_code == 403
    assert list(Period.objects.values_list("name", flat=True)) == ["FY2027 Q1"]


# --- Periods: what -----------------------------------------------------------------------------------------------


def test_the_list_shows_every_period_with_its_dates(program_admin_client, q1, q2):
    html = body(program_admin_client.get(reverse("manage:setup_mdf_period_list")))
    assert html.index("FY2027 Q2") < html.index("FY2027 Q1")  # newest first
    assert "1 Jan 2027" in html
    assert reverse("manage:setup_mdf_period_edit", args=[q2.pk]) in html


def test_the_add_form_suggests_the_period_after_the_latest(program_admin_client, q1, q2):
    form = program_admin_client.get(reverse("manage:setup_mdf_period_create")).context["form"]
    assert form.initial["starts_on"] == date(2027, 7, 1)
    assert form.initial["ends_on"] == date(2027, 9, 30)
    assert form.initial["name"] == "FY2027 Q3"


def test_a_program_admin_adds_a_period_audited(program_admin_client, program_admin, q2):
    response = program_admin_client.post(reverse("manage:setup_mdf_period_create"), period_data(), follow=True)
    assert "FY2027 Q3 added." in messages_of(response)
    period = Period.objects.get(name="FY2027 Q3")
    assert (period.starts_on, period.ends_on) == (date(2027, 7, 1), date(2027, 9, 30))
    event = AuditEvent.objects.get(verb="mdf.period_created")
    assert event.actor == program_admin
    assert event.target_id == str(period.pk)
    assert event.after == {"name": "FY2027 Q3", "starts_on": "2027-07-01", "ends_on": "2027-09-30"}


def test_a_program_admin_edits_a_period_audited_with_before_and_after(program_admin_client, q1, q2):
    response = program_admin_client.post(
        reverse("manage:setup_mdf_period_edit", args=[q2.pk]),
        period_data(name="FY2027 Q2", starts_on="2027-04-01", ends_on="2027-07-15"),
        follow=True,
    )
    assert "FY2027 Q2 saved." in messages_of(response)
    q2.refresh_from_db()
    assert q2.ends_on == date(2027, 7, 15)
    event = AuditEvent.objects.get(verb="mdf.period_changed")
    assert event.before == {"ends_on": "2027-06-30"}
    assert event.after == {"ends_on": "2027-07-15"}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (period_data(ends_on="2027-06-30"), "ends_on", "The period must end after it starts."),
        (period_data(ends_on="2027-07-01"), "ends_on", "The period must end after it starts."),
        (period_data(starts_on="2027-06-15"), "starts_on", "These dates overlap FY2027 Q2"),
        (period_data(starts_on="2026-12-01", ends_on="2027-09-30"), "starts_on", "overlap"),
        (period_data(name=""), "name", "Give the period a name"),
        (period_data(name="fy2027 q2"), "name", "There is already a period called"),
        (period_data(starts_on="soon"), "starts_on", "Enter a date"),
        (period_data(ends_on="2029-01-01"), "ends_on", "at most a year long"),
    ],
)
def test_bad_periods_get_a_clear_message_and_nothing_is_saved(program_admin_client, q1, q2, data, field, message):
    response = program_admin_client.post(reverse("manage:setup_mdf_period_create"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(message in e for e in errors[field]), errors
    assert "Everything you typed is still here" in body(response)
    assert Period.objects.count() == 2
    assert not AuditEvent.objects.filter(verb="mdf.period_created").exists()


def test_an_edit_cannot_overlap_another_period(program_admin_client, q1, q2):
    response = program_admin_client.post(
        reverse("manage:setup_mdf_period_edit", args=[q1.pk]),
        period_data(name="FY2027 Q1", starts_on="2027-01-01", ends_on="2027-04-10"),
    )
    assert response.status_code == 400
    assert "These dates overlap FY2027 Q2" in body(response)
    q1.refresh_from_db()
    assert q1.ends_on == date(2027, 3, 31)


def test_moving_a_period_tells_the_partners_with_a_budget_in_it(
    program_admin_client, q1, q2, partner_a_admin, partner_a_seller, partner_b_user
):
    Budget.objects.create(partner=partner_a_admin.membership.partner, period=q2, currency="USD")
    program_admin_client.post(
        reverse("manage:setup_mdf_period_edit", args=[q2.pk]),
        period_data(name="FY2027 Q2", starts_on="2027-04-01", ends_on="2027-07-15"),
    )
    sent = Notification.objects.filter(template="setup_mdf_period_changed")
    assert [n.recipient for n in sent] == [partner_a_admin]  # its admin; not its seller, not another partner
    note = sent.get()
    assert note.subject == "New dates for the MDF period FY2027 Q2"
    assert "It was 1 April 2027 – 30 June 2027; it is now 1 April 2027 – 15 July 2027." in note.body_text
    assert "expire after 15 July 2027" in note.body_text
    assert note.url == reverse("portal:mdf")
    # A new name alone, or a period without budgets, tells nobody.
    program_admin_client.post(
        reverse("manage:setup_mdf_period_edit", args=[q2.pk]),
        period_data(name="Spring 2027", starts_on="2027-04-01", ends_on="2027-07-15"),
    )
    program_admin_client.post(
        reverse("manage:setup_mdf_period_edit", args=[q1.pk]),
        period_data(name="FY2027 Q1", starts_on="2027-01-01", ends_on="2027-03-30"),
    )
    assert Notification.objects.filter(template="setup_mdf_period_changed").count() == 1


def test_a_period_whose_funds_expired_keeps_its_dates_but_can_be_renamed(program_admin, q1):
    Period.objects.filter(pk=q1.pk).update(funds_expired_at=timezone.now())
    with pytest.raises(ValidationError, match="already expired"):
        mdf_setup.period_update(actor=program_admin, period=q1, data={"ends_on": date(2027, 3, 15)})
    period, changed = mdf_setup.period_update(actor=program_admin, period=q1, data={"name": "Q1 2027"})
    assert changed == ["name"]
    assert period.name == "Q1 2027"


def test_the_period_services_refuse_a_plain_manager(channel_manager, q1):
    with pytest.raises(ValidationError, match="Only program admins"):
        mdf_setup.period_create(
            actor=channel_manager,
            data={"name": "X", "starts_on": date(2028, 1, 1), "ends_on": date(2028, 3, 31)},
        )
    with pytest.raises(ValidationError, match="Only program admins"):
        mdf_setup.period_update(actor=channel_manager, period=q1, data={"name": "X"})


# --- The index ----------------------------------------------------------------------------------------------------


def test_the_setup_index_links_and_summarises_mdf(program_admin_client, q1):
    html = body(program_admin_client.get(reverse("manage:program_setup")))
    assert reverse("manage:mdf_settings") in html
    assert reverse("manage:setup_mdf_period_list") in html
    assert "Budgets run per fiscal quarter" in html
    assert "1 period; the latest is FY2027 Q1." in html
    assert "Configured elsewhere" not in html
