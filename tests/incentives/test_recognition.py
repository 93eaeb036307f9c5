"""Recognition: a channel manager awards partner of the quarter or year, or a badge; the award is audit-recorded,
the partner's people are told, and it shows on the manager's partner page and on that partner's portal home only.
Withdrawing needs a reason, hides the award and keeps the row. Duplicates, a blank badge title and a date to come
are refused with a message next to the field, and nothing is saved. Partner users never reach the manager page."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from incentives.models import Recognition
from incentives.services.recognition import (
    recognition_award,
    recognition_withdraw,
    recognitions_for,
    suggested_title,
)
from partners.models import Partner, PartnerMembership
from prm.models import AuditEvent, Notification
from tests.factories import MembershipFactory, PartnerFactory

pytestmark = pytest.mark.django_db

PAGE = "/manage/incentives/recognition/"
AWARDED_ON = date(2026, 5, 14)  # in the second quarter
CITATION = "Three new logos in EMEA & the fastest onboarding of the year."


def _award(client, to, **fields):
    data = {
        "partner": to.pk,
        "kind": "badge",
        "title": "Rising star",
        "citation": CITATION,
        "awarded_on": AWARDED_ON.isoformat(),
    } | fields
    return client.post(PAGE, data)


def _withdraw_url(award: Recognition) -> str:
    return f"{PAGE}{award.pk}/withdraw/"


@pytest.fixture
def badge(channel_manager, partner_a, partner_a_admin, partner_a_seller):
    return recognition_award(
        actor=channel_manager,
        partner=partner_a,
        kind="badge",
        title="Rising star",
        citation=CITATION,
        awarded_on=AWARDED_ON,
    )


# --- Awarding -----------------------------------------------------------------------------------------------------


def test_award_is_recorded_and_every_partner_person_is_told(
    manager_client, channel_manager, partner_a, partner_a_admin, partner_a_seller, partner_b_user
):
    response = _award(manager_client, partner_a, kind="quarter", title="")
    assert response.status_code == 302
    award = Recognition.objects.get()
    assert (award.partner, award.kind, award.title) == (partner_a, "quarter", "Partner of the quarter, Q2 2026")
    assert (award.citation, award.awarded_on, award.awarded_by) == (CITATION, AWARDED_ON, channel_manager)
    assert award.withdrawn_at is None

    event = AuditEvent.objects.get(verb="recognition.awarded")
    assert (event.actor, event.partner, event.target_id) == (channel_manager, partner_a, str(award.pk))
    assert event.after["title"] == "Partner of the quarter, Q2 2026"
    assert event.after["awarded_on"] == "2026-05-14"

    told = Notification.objects.filter(template="incentives_recognition_awarded")
    # The admin and the seller: good news is for the whole company; partner B hears nothing.
    assert sorted(told.values_list("recipient__email", flat=True)) == [
        "anna@northwind.example.com",
        "sam@northwind.example.com",
    ]
    mail = told.get(recipient=partner_a_seller)
    assert mail.partner == partner_a
    assert mail.subject == "Congratulations: Northwind Solutions is awarded “Partner of the quarter, Q2 2026”"
    assert "Congratulations! Northwind Solutions is awarded “Partner of the quarter, Q2 2026”, on May 14, 2026." in (
        mail.body_text
    )
    assert f"Why: {CITATION}" in mail.body_text
    assert mail.url == "/portal/#recognition"
    assert "/portal/#recognition" in mail.body_text
    assert "Three new logos in EMEA &amp; the fastest onboarding" in mail.body_html
    assert "Maya Chen, for the channel team" in mail.body_text


def test_titles_suggested_from_the_kind_and_the_date():
    assert suggested_title("quarter", date(2026, 1, 1)) == "Partner of the quarter, Q1 2026"
    assert suggested_title("quarter", date(2026, 6, 30)) == "Partner of the quarter, Q2 2026"
    assert suggested_title("quarter", date(2026, 12, 31)) == "Partner of the quarter, Q4 2026"
    assert suggested_title("year", date(2025, 11, 3)) == "Partner of the year, 2025"
    assert suggested_title("badge", date(2026, 3, 1)) == ""


def test_a_given_title_is_kept_with_its_spaces_tidied(channel_manager, partner_a):
    award = recognition_award(
        actor=channel_manager,
        partner=partner_a,
        kind="year",
        title="  EMEA   partner of the year ",
        awarded_on=AWARDED_ON,
    )
    assert award.title == "EMEA partner of the year"


# --- Where it shows -----------------------------------------------------------------------------------------------


def test_the_manager_partner_page_lists_current_awards(manager_client, partner_a, badge):
    body = manager_client.get(reverse("manage:partner_detail", args=[partner_a.pk])).content.decode()
    assert "<h3>Recognition</h3>" in body
    assert "<li>Rising star (badge, May 14, 2026)</li>" in body
    assert f'href="{PAGE}?partner={partner_a.pk}"' in body


def test_a_partner_without_awards_gets_a_link_to_award_one(manager_client, partner_b):
    body = manager_client.get(reverse("manage:partner_detail", args=[partner_b.pk])).content.decode()
    assert "<li>No recognition awarded yet</li>" in body
    assert f'<a href="{PAGE}?partner={partner_b.pk}">Award recognition →</a>' in body


def test_the_portal_home_shows_the_award_to_its_partner_only(
    admin_client_a, seller_client_a, outsider_client, channel_manager, partner_b, badge
):
    recognition_award(actor=channel_manager, partner=partner_b, kind="year", awarded_on=AWARDED_ON)
    for client in (admin_client_a, seller_client_a):
        body = client.get("/portal/").content.decode()
        assert 'id="recognition"' in body
        assert "<strong>Rising star</strong> <small>Badge · awarded May 14, 2026</small>" in body
        assert "Three new logos in EMEA &amp; the fastest onboarding of the year." in body
        assert "Partner of the year, 2026" not in body  # partner B's award
    body = outsider_client.get("/portal/").content.decode()
    assert "Partner of the year, 2026" in body
    assert "Rising star" not in body
    assert CITATION not in body


def test_no_panel_without_a_current_award(admin_client_a):
    body = admin_client_a.get("/portal/").content.decode()
    assert 'id="recognition"' not in body


# --- Withdrawing --------------------------------------------------------------------------------------------------


def test_withdrawing_hides_the_award_and_keeps_the_row(
    manager_client, channel_manager, admin_client_a, partner_a, badge
):
    response = manager_client.post(_withdraw_url(badge), {"reason": "Awarded to the wrong partner."}, follow=True)
    assert "“Rising star” is withdrawn from Northwind Solutions" in response.content.decode()

    badge.refresh_from_db()
    assert badge.withdrawn_at is not None
    assert badge.withdrawn_reason == "Awarded to the wrong partner."
    assert Recognition.objects.count() == 1
    assert list(recognitions_for(partner_a)) == []
    event = AuditEvent.objects.get(verb="recognition.withdrawn")
    assert (event.actor, event.partner, event.reason) == (channel_manager, partner_a, "Awarded to the wrong partner.")
    told = Notification.objects.filter(template="incentives_recognition_withdrawn")
    assert told.exists()
    assert all(n.partner == partner_a for n in told)
    assert "Awarded to the wrong partner." in told.first().body_text

    assert "Rising star" not in admin_client_a.get("/portal/").content.decode()
    detail = manager_client.get(reverse("manage:partner_detail", args=[partner_a.pk])).content.decode()
    assert "<li>No recognition awarded yet</li>" in detail
    page = manager_client.get(PAGE).content.decode()
    current, withdrawn = page.split('<h2 id="withdrawn">')
    assert "Rising star" not in current
    assert "Withdrawn (1)</h2>" in withdrawn
    assert "<s>Rising star</s>" in withdrawn
    assert "Awarded to the wrong partner." in withdrawn


def test_withdrawing_needs_a_reason(manager_client, badge):
    response = manager_client.post(_withdraw_url(badge), {"reason": "   "}, follow=True)
    assert "Say why the award is withdrawn: the reason is kept with it." in response.content.decode()
    badge.refresh_from_db()
    assert (badge.withdrawn_at, badge.withdrawn_reason) == (None, "")
    assert not AuditEvent.objects.filter(verb="recognition.withdrawn").exists()


def test_withdrawing_twice_changes_it_once(channel_manager, badge):
    recognition_withdraw(actor=channel_manager, recognition=badge, reason="Duplicate.")
    first = Recognition.objects.get().withdrawn_at
    with pytest.raises(ValidationError, match="was withdrawn already"):
        recognition_withdraw(actor=channel_manager, recognition=badge, reason="Again.")
    award = Recognition.objects.get()
    assert (award.withdrawn_at, award.withdrawn_reason) == (first, "Duplicate.")
    assert AuditEvent.objects.filter(verb="recognition.withdrawn").count() == 1


# --- Bad input ----------------------------------------------------------------------------------------------------


def test_the_same_kind_and_title_twice_is_refused(manager_client, channel_manager, partner_a, partner_b, badge):
    told = Notification.objects.count()
    response = _award(manager_client, partner_a, title="rising  STAR", citation="Typed again")
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        "Northwind Solutions already holds “Rising star” (badge, awarded May 14, 2026). Choose another title, or "
        "withdraw the earlier award first."
    ) in body
    assert "Typed again</textarea>" in body  # nothing typed is lost
    assert Recognition.objects.count() == 1
    assert AuditEvent.objects.filter(verb="recognition.awarded").count() == 1
    assert Notification.objects.count() == told

    # The same title for another partner, or as another kind, or once the first is withdrawn, is fine.
    assert _award(manager_client, partner_b).status_code == 302
    assert _award(manager_client, partner_a, kind="year", title="Rising star").status_code == 302
    recognition_withdraw(actor=channel_manager, recognition=badge, reason="Re-awarded with a better citation.")
    assert _award(manager_client, partner_a, citation="Better").status_code == 302
    assert Recognition.objects.filter(partner=partner_a, kind="badge", withdrawn_at__isnull=True).get().citation == (
        "Better"
    )


def test_a_badge_without_a_title_is_refused(manager_client, partner_a, partner_a_admin):
    response = _award(manager_client, partner_a, title="   ")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give the award a title the partner will see, e.g. “Fastest mover”." in body
    assert CITATION.replace("&", "&amp;") + "</textarea>" in body
    assert not Recognition.objects.exists()
    assert not AuditEvent.objects.filter(verb="recognition.awarded").exists()
    assert not Notification.objects.filter(template="incentives_recognition_awarded").exists()


def test_other_bad_input_gets_a_message_and_saves_nothing(manager_client, partner_a):
    tomorrow = timezone.localdate() + timedelta(days=1)
    cases = [
        ({"awarded_on": tomorrow.isoformat()}, "is in the future: award it on the day, today or earlier."),
        ({"awarded_on": "14/08/2026"}, "Give the date as YYYY-MM-DD."),
        ({"awarded_on": ""}, "Give the date of the award."),
        ({"title": "x" * 81}, "Keep the title under 80 characters (it has 81): shorten it."),
        ({"citation": "y" * 1001}, "Keep the citation under 1,000 characters (it has 1,001): shorten it."),
        ({"kind": "decade"}, "Choose partner of the quarter, partner of the year or a badge."),
        ({"partner": ""}, "Choose the partner to recognise."),
        ({"partner": "987654"}, "Choose one of the partners listed (partners in the program)."),
    ]
    for fields, message in cases:
        response = _award(manager_client, partner_a, **fields)
        assert response.status_code == 400, fields
        assert message in response.content.decode(), fields
    assert not Recognition.objects.exists()
    assert not AuditEvent.objects.filter(verb="recognition.awarded").exists()


def test_a_partner_outside_the_program_is_not_awarded(channel_manager):
    declined = PartnerFactory(name="Gone Ltd", status=Partner.Status.OFFBOARDED)
    with pytest.raises(ValidationError) as refused:
        recognition_award(actor=channel_manager, partner=declined, kind="badge", title="Loyal", awarded_on=AWARDED_ON)
    assert refused.value.message_dict == {"partner": ["Gone Ltd is offboarded: it is not in the program."]}
    assert not Recognition.objects.exists()


def test_only_channel_managers_award_or_withdraw(partner_a, partner_a_admin, badge):
    with pytest.raises(PermissionDenied, match=r"Only channel managers award recognition\."):
        recognition_award(actor=partner_a_admin, partner=partner_a, kind="badge", title="Self", awarded_on=AWARDED_ON)
    with pytest.raises(PermissionDenied, match=r"Only channel managers withdraw recognition\."):
        recognition_withdraw(actor=partner_a_admin, recognition=badge, reason="Not ours")
    assert Recognition.objects.count() == 1
    assert Recognition.objects.get().withdrawn_at is None


# --- Access and the list ------------------------------------------------------------------------------------------


def test_partner_users_cannot_reach_the_manager_page(client, admin_client_a, outsider_client, partner_a, badge):
    for partner_client in (admin_client_a, outsider_client):
        assert partner_client.get(PAGE).status_code == 404
        assert _award(partner_client, partner_a, title="Self-awarded").status_code == 404
        assert partner_client.post(_withdraw_url(badge), {"reason": "Mine"}).status_code == 404
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert Recognition.objects.count() == 1
    assert Recognition.objects.get().withdrawn_at is None


def test_the_list_filters_by_kind_and_partner(manager_client, channel_manager, partner_a, partner_b, badge):
    recognition_award(actor=channel_manager, partner=partner_b, kind="quarter", awarded_on=AWARDED_ON)
    body = manager_client.get(PAGE).content.decode()
    assert "Rising star" in body
    assert "Partner of the quarter, Q2 2026" in body
    assert "All (2)" in body
    assert "Partner of the quarter (1)" in body
    assert "Badge (1)" in body

    body = manager_client.get(f"{PAGE}?kind=quarter").content.decode()
    current = body.split('<h2 id="withdrawn">')[0]
    assert "Partner of the quarter, Q2 2026" in current
    assert "Rising star" not in current

    body = manager_client.get(f"{PAGE}?partner={partner_a.pk}").content.decode()
    current = body.split('<h2 id="withdrawn">')[0]
    assert "Only <a" in current
    assert "Northwind Solutions</a>'s awards." in current
    assert "Rising star" in current
    assert "Partner of the quarter, Q2 2026" not in current
    # The award form is open and has the partner chosen.
    assert '<details id="award" open>' in body
    assert f'<option value="{partner_a.pk}" selected>Northwind Solutions</option>' in body
    assert manager_client.get(f"{PAGE}?kind=junk&partner=x1").status_code == 200


def test_withdraw_returns_to_the_list_as_filtered(manager_client, partner_a, badge):
    response = manager_client.post(
        _withdraw_url(badge), {"reason": "Wrong partner", "kind": "badge", "partner": str(partner_a.pk)}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?kind=badge&partner={partner_a.pk}"
    assert manager_client.post(f"{PAGE}987654/withdraw/", {"reason": "x"}).status_code == 404
    assert manager_client.get(_withdraw_url(badge)).status_code == 405


def test_the_email_renders_clean_with_names_that_need_escaping(channel_manager):
    """The checks of tests/prm/test_notification_rendering.py, on what the award really sends."""
    from tests.prm.test_notification_rendering import RAW_MARKUP, BalancedHTML

    partner = PartnerFactory(name="Smith & Jones O'Hara")
    person = MembershipFactory(partner=partner, role=PartnerMembership.Role.MARKETING).user
    recognition_award(
        actor=channel_manager,
        partner=partner,
        kind="badge",
        title="Co-marketing <champion> & more",
        citation="Two joint webinars & a case study.\nThank you.",
        awarded_on=AWARDED_ON,
    )
    mail = Notification.objects.get(recipient=person, template="incentives_recognition_awarded")
    assert mail.subject == "Congratulations: Smith & Jones O'Hara is awarded “Co-marketing <champion> & more”"
    for markup in [m for m in RAW_MARKUP if m not in ("<", ">")]:  # the title itself has < and >
        assert markup not in mail.subject, markup
        assert markup not in mail.body_text, markup
    assert "Smith & Jones O'Hara is awarded the badge “Co-marketing <champion> & more”, on May 14, 2026." in (
        mail.body_text
    )
    assert "Why: Two joint webinars & a case study.\nThank you." in mail.body_text
    assert "Smith &amp; Jones O&#x27;Hara" in mail.body_html
    assert "Co-marketing &lt;champion&gt; &amp; more" in mail.body_html
    assert "Two joint webinars &amp; a case study.<br>Thank you." in mail.body_html
    parser = BalancedHTML()
    parser.feed(mail.body_html)
    parser.close()
    assert parser.problems == []
    assert parser.stack == []
    assert f"{settings.SITE_URL}/portal/#recognition" in parser.links
