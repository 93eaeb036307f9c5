"""The portal home: each role sees its own actions, each a link; admins see the whole company; a distributor's
admin sees its resellers; nothing of another partner shows; the query count does not grow with the data."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from dealreg.models import Registration
from insights.portal_home import LIMIT, portal_home
from partners.models import Partner, PartnerMembership
from prm.money import format_money
from tests.dealreg.factories_views import RegistrationFactory, approved
from tests.enablement.factories import AwardFactory, CourseFactory, EnrollmentFactory
from tests.factories import MembershipFactory, PartnerFactory
from tests.mdf.factories import FundRequestFactory, approved_request, funded_budget

Role = PartnerMembership.Role


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def marketer_a(partner_a):
    return MembershipFactory(partner=partner_a, role=Role.MARKETING, user__first_name="Mia").user


@pytest.fixture
def engineer_a(partner_a):
    return MembershipFactory(partner=partner_a, role=Role.TECHNICAL, user__first_name="Ted").user


@pytest.fixture
def deals_a(partner_a, partner_a_seller, partner_a_admin):
    """The seller's deals in every actionable state, and one deal of the admin's."""
    return {
        "expiring": approved(partner_a, days_left=5, name="Acme Expiring", created_by=partner_a_seller),
        "later": approved(
            partner_a,
            days_left=60,
            name="Globex Later",
            created_by=partner_a_seller,
            expected_close=timezone.localdate() - timedelta(days=2),
        ),
        "info": RegistrationFactory(
            partner=partner_a, status=Registration.Status.NEEDS_INFO, name="Initech Info", created_by=partner_a_seller
        ),
        "draft": RegistrationFactory(partner=partner_a, name="Umbrella Draft", created_by=partner_a_seller),
        "admins": RegistrationFactory(partner=partner_a, name="Hooli Admin Draft", created_by=partner_a_admin),
        "expired_protection": approved(partner_a, days_left=-3, name="Stark Past", created_by=partner_a_seller),
    }


def test_seller_sees_its_deal_actions_with_links(seller_client_a, deals_a, partner_a):
    body = seller_client_a.get("/portal/").content.decode()
    expiring, info, draft, later = deals_a["expiring"], deals_a["info"], deals_a["draft"], deals_a["later"]
    assert f'href="/portal/deals/{expiring.pk}/#extend">Extend or close “Acme Expiring”' in body
    assert "protection ends in 5 days" in body
    assert f'href="/portal/deals/{info.pk}/#update">Answer the question on “Initech Info”' in body
    assert f'href="/portal/deals/{draft.pk}/">Submit your draft “Umbrella Draft”' in body
    assert f'href="/portal/deals/{later.pk}/#close-won">Close “Globex Later” as won or lost' in body
    assert "Hooli Admin Draft" not in body  # a colleague's deal is theirs, not the seller's to do
    assert 'href="/portal/deals/new/"' in body
    # A seller has nothing to do with MDF from here; training only shows when it has something of theirs.
    assert 'id="todo-mdf"' not in body
    assert 'id="todo-training"' not in body


def test_admin_sees_the_whole_company(admin_client_a, deals_a, partner_a_seller, partner_a):
    body = admin_client_a.get("/portal/").content.decode()
    assert "Hooli Admin Draft" in body
    assert "Acme Expiring" in body
    assert "Everyone&#x27;s at the company" in body or "Everyone's at the company" in body
    assert 'id="todo-mdf"' in body
    assert 'id="todo-training"' in body
    assert "Partner agreement" in body
    assert "Version 1.0 accepted by Signer for tests" in body
    assert "Invite colleagues" in body


def test_admin_is_asked_to_accept_an_unsigned_agreement(admin_client_a, partner_a):
    from partners.models import AgreementAcceptance, Program

    Program.objects.filter(pk=1).update(require_agreement_first=False)
    AgreementAcceptance.objects.filter(partner=partner_a).delete()
    body = admin_client_a.get("/portal/").content.decode()
    assert "has not accepted version 1.0 yet" in body
    assert 'href="/portal/agreement/" role="button" class="small">Read and accept the agreement' in body


def test_marketing_sees_balance_claims_due_and_questions(marketer_a, partner_a):
    today = timezone.localdate()
    budget = funded_budget(partner_a, "10000")
    due = approved_request(
        partner=partner_a, budget=budget, title="Spring webinar", claim_deadline=today + timedelta(days=3)
    )
    approved_request(partner=partner_a, budget=budget, title="Autumn fair", claim_deadline=today + timedelta(days=40))
    info = FundRequestFactory(
        partner=partner_a, budget=budget, title="Roadshow", status="needs_info", requested_amount=Decimal("1000")
    )
    body = _client(marketer_a).get("/portal/").content.decode()
    # 10,000 allocated − 2 × 4,000 reserved = 2,000 available, in the budget's currency.
    assert (
        f"<strong>{format_money(Decimal('2000'), budget.currency)}</strong> available in {budget.period.name}" in body
    )
    assert f'href="/portal/mdf/requests/{due.pk}/claim/">File the claim for “Spring webinar”' in body
    assert "in 3 days" in body
    assert "Autumn fair" not in body  # its deadline is weeks away
    assert f'href="/portal/mdf/requests/{info.pk}/edit/">Answer the question on the request “Roadshow”' in body
    assert 'id="todo-deals"' not in body


def test_finance_reads_mdf_without_request_links(partner_a):
    finance = MembershipFactory(partner=partner_a, role=Role.FINANCE).user
    budget = funded_budget(partner_a, "5000")
    due = approved_request(
        partner=partner_a,
        budget=budget,
        title="Spring webinar",
        claim_deadline=timezone.localdate() + timedelta(days=3),
    )
    body = _client(finance).get("/portal/").content.decode()
    assert f'href="/portal/mdf/requests/{due.pk}/">Claim due for “Spring webinar”' in body
    assert "/portal/mdf/requests/new/" not in body.split('id="todo-mdf"')[1].split("</article>")[0]


def test_technical_sees_renewals_and_courses(engineer_a, partner_a, partner_a_seller):
    today = timezone.localdate()
    mine = AwardFactory(partner=partner_a, user=engineer_a, expires_at=today + timedelta(days=20))
    AwardFactory(partner=partner_a, user=engineer_a, expires_at=today + timedelta(days=300))  # far away
    AwardFactory(partner=partner_a, user=partner_a_seller, expires_at=today + timedelta(days=10))  # a colleague's
    course = CourseFactory(title="Platform deep dive")
    EnrollmentFactory(partner=partner_a, user=engineer_a, course=course)
    body = _client(engineer_a).get("/portal/").content.decode()
    assert f'href="/portal/training/certifications/{mine.pk}/">Renew your “{mine.certification.name}”' in body
    assert "in 20 days" in body
    assert f'href="/portal/training/courses/{course.slug}/">Finish “Platform deep dive”' in body
    assert "Remind" not in body  # colleagues' certifications are the admin's to follow


def test_admin_follows_colleagues_training(admin_client_a, partner_a, partner_a_seller):
    AwardFactory(partner=partner_a, user=partner_a_seller, expires_at=timezone.localdate() + timedelta(days=10))
    body = admin_client_a.get("/portal/").content.decode()
    name = partner_a_seller.get_full_name()
    assert f'href="/portal/training/team/">Remind {name} to renew' in body


def test_a_seller_with_an_expiring_certificate_sees_it_too(seller_client_a, partner_a, partner_a_seller):
    award = AwardFactory(partner=partner_a, user=partner_a_seller, expires_at=timezone.localdate() + timedelta(days=10))
    body = seller_client_a.get("/portal/").content.decode()
    assert 'id="todo-training"' in body
    assert f"/portal/training/certifications/{award.pk}/" in body


def test_long_lists_show_a_few_and_link_to_the_rest(seller_client_a, partner_a, partner_a_seller):
    for i in range(LIMIT + 3):
        RegistrationFactory(partner=partner_a, name=f"Draft {i}", created_by=partner_a_seller)
    body = seller_client_a.get("/portal/").content.decode()
    assert body.count("Submit your draft") == LIMIT
    assert 'href="/portal/deals/?status=draft">3 more →' in body


def test_distributor_admin_sees_resellers(partner_a, admin_client_a):
    Partner.objects.filter(pk=partner_a.pk).update(type=Partner.Type.DISTRIBUTOR)
    busy = PartnerFactory(name="Busy Reseller", parent=partner_a)
    PartnerFactory(name="New Reseller", parent=partner_a, status=Partner.Status.ONBOARDING)
    RegistrationFactory(partner=busy, status=Registration.Status.SUBMITTED)
    RegistrationFactory(partner=busy, status=Registration.Status.APPROVED)
    RegistrationFactory(partner=busy, status=Registration.Status.LOST)
    body = admin_client_a.get("/portal/").content.decode()
    assert "Your resellers" in body
    assert "1 active" in body
    assert "1 onboarding" in body
    assert "2 open deals registered by your resellers" in body
    assert f'href="/portal/resellers/{busy.pk}/">Follow up with Busy Reseller' in body


def test_a_seller_of_a_distributor_does_not_see_resellers(partner_a, seller_client_a):
    Partner.objects.filter(pk=partner_a.pk).update(type=Partner.Type.DISTRIBUTOR)
    PartnerFactory(name="Busy Reseller", parent=partner_a)
    assert "Your resellers" not in seller_client_a.get("/portal/").content.decode()


def test_nothing_of_another_partner_shows(outsider_client, deals_a, partner_a):
    funded_budget(partner_a, "10000")
    body = outsider_client.get("/portal/").content.decode()
    for name in ("Acme Expiring", "Initech Info", "Umbrella Draft", "Hooli Admin Draft", "Northwind"):
        assert name not in body


def test_portal_home_gathers_in_a_fixed_number_of_queries(
    partner_a, partner_a_admin, partner_a_seller, django_assert_num_queries
):
    membership = PartnerMembership.objects.select_related("partner").get(user=partner_a_admin)

    def fill(n: int) -> None:
        today = timezone.localdate()
        budget = funded_budget(partner_a, "100000")
        for i in range(n):
            approved(partner_a, days_left=3, name=f"E{i}", created_by=partner_a_seller)
            RegistrationFactory(partner=partner_a, status="needs_info", created_by=partner_a_seller)
            RegistrationFactory(partner=partner_a, created_by=partner_a_seller)
            approved_request(partner=partner_a, budget=budget, claim_deadline=today + timedelta(days=2))
            AwardFactory(partner=partner_a, expires_at=today + timedelta(days=5))
            EnrollmentFactory(partner=partner_a)

    fill(1)
    portal_home(membership=membership, user=partner_a_admin)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        portal_home(membership=membership, user=partner_a_admin)
    fill(LIMIT + 2)  # now every list has more than it shows: each adds its count query
    with CaptureQueriesContext(connection) as many:
        home = portal_home(membership=membership, user=partner_a_admin)
    lists = sum(len(s.lists) for s in home.sections)
    assert len(many.captured_queries) <= len(few.captured_queries) + lists
    # budget: 4 deal lists, budget + balance + 3 MDF lists, 2 training lists, people, invitations, agreement
    # = 14, plus at most one count per list (9).
    assert len(few.captured_queries) <= 14
    assert len(many.captured_queries) <= 14 + lists


def test_the_portal_home_page_query_count(admin_client_a, partner_a, partner_a_seller, django_assert_max_num_queries):
    approved(partner_a, days_left=3, created_by=partner_a_seller)
    admin_client_a.get("/portal/")  # warm up: the metrics roll-up state is created once
    # session, user, membership, agreement gate, the home's 14, the bell, and the tier card's metrics; and the
    # "Next for you in training" panel's fixed 6 (enablement.recommendations)
    with django_assert_max_num_queries(38):
        response = admin_client_a.get("/portal/")
    assert response.status_code == 200
