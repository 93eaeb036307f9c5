"""The channel managers' deal registration pages: the list (filters, sort, bounded queries), the review queue and
its SLA clock, the side-by-side conflict view, decisions and conflict resolution through the pages, the CSV
export; partner users get 404 on all of it."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from dealreg.models import Registration
from prm.models import AuditEvent
from tests.dealreg.factories_accounts import AccountFactory, OpportunityFactory
from tests.dealreg.factories_views import RegistrationFactory, approved, partner_conflict, submitted
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def names_in(response) -> list[str]:
    return [r.name for r in response.context["rows"]]


# --- The list --------------------------------------------------------------------------------------------------


def test_list_shows_every_partners_registrations(manager_client, partner_a, partner_b):
    submitted(partner_a, name="Globex Corp")
    approved(partner_b, name="Initech LLC")
    response = manager_client.get(reverse("manage:deals"))
    text = body(response)
    assert response.status_code == 200
    assert "Globex Corp" in text
    assert "Initech LLC" in text
    assert "Northwind Solutions" in text
    assert "Contoso Partners" in text
    assert 'aria-current="page">Registrations' in text


def test_empty_list(manager_client):
    assert "No registrations yet" in body(manager_client.get(reverse("manage:deals")))


def test_list_filters(manager_client, partner_a, partner_b):
    submitted(partner_a, name="Small Co", value=Decimal("1000"), involvement="influenced", stage="poc")
    big = approved(partner_b, name="Big Co", value=Decimal("900000"))
    old = submitted(partner_b, name="Old Co", age=timedelta(days=10), value=Decimal("5000"))
    partner_conflict(old, big)
    url = reverse("manage:deals")

    assert names_in(manager_client.get(url, {"status": "approved"})) == ["Big Co"]
    assert set(names_in(manager_client.get(url, {"partner": partner_b.pk}))) == {"Big Co", "Old Co"}
    assert names_in(manager_client.get(url, {"involvement": "influenced"})) == ["Small Co"]
    assert names_in(manager_client.get(url, {"stage": "poc"})) == ["Small Co"]
    assert names_in(manager_client.get(url, {"older_than_days": "7"})) == ["Old Co"]
    assert names_in(manager_client.get(url, {"min_value": "2000", "max_value": "10000"})) == ["Old Co"]
    assert set(names_in(manager_client.get(url, {"conflict": "1"}))) == {"Big Co", "Old Co"}
    assert names_in(manager_client.get(url, {"q": "small"})) == ["Small Co"]
    assert names_in(manager_client.get(url, {"sort": "-value"})) == ["Big Co", "Old Co", "Small Co"]
    assert names_in(manager_client.get(url, {"sort": "submitted"}))[0] == "Old Co"  # submitted 10 days ago
    # Values that make no sense are ignored, not a 500.
    response = manager_client.get(url, {"status": "bogus", "min_value": "lots", "sort": "drop table", "partner": "x"})
    assert response.status_code == 200
    assert len(names_in(response)) == 3


def test_list_htmx_renders_only_the_results(manager_client, partner_a):
    submitted(partner_a, name="Globex Corp")
    response = manager_client.get(
        reverse("manage:deals"), {"status": "submitted"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="deal-results"
    )
    text = body(response)
    assert "<html" not in text
    assert 'id="deal-results"' in text
    assert "Globex Corp" in text


def test_list_queries_do_not_grow_with_the_number_of_registrations(manager_client, django_assert_max_num_queries):
    partners = [PartnerFactory() for _ in range(3)]
    for i in range(5):
        submitted(partners[i % 3])
    with django_assert_max_num_queries(15) as small:
        manager_client.get(reverse("manage:deals"))
    for i in range(55):
        (approved if i % 2 else submitted)(partners[i % 3])
    extra = PartnerFactory()
    submitted(extra)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = manager_client.get(reverse("manage:deals"))
    assert len(response.context["rows"]) == 50
    with django_assert_max_num_queries(len(small.captured_queries)):
        manager_client.get(reverse("manage:deals"), {"page": 2, "sort": "name"})


# --- The review queue ------------------------------------------------------------------------------------------


def test_review_queue_oldest_first_with_the_sla_clock(manager_client, partner_a, partner_b):
    submitted(partner_a, name="Fresh Co", age=timedelta(hours=2), due_in=timedelta(hours=5, minutes=30))
    late = submitted(partner_b, name="Late Co", age=timedelta(days=4), due_in=-timedelta(days=1, hours=2))
    submitted(partner_a, name="Middle Co", age=timedelta(days=1), due_in=timedelta(days=1, hours=3))
    approved(partner_a, name="Decided Co")
    RegistrationFactory(partner=partner_a, name="Draft Co")
    partner_conflict(late, approved(partner_a, name="Late Company"))

    response = manager_client.get(reverse("manage:deal_review_queue"))
    assert names_in(response) == ["Late Co", "Middle Co", "Fresh Co"]
    text = body(response)
    assert "due in 5 hours" in text
    assert "due in 1 day" in text
    assert '<span class="overdue">overdue by 1 day</span>' in text
    assert text.count('class="flag">Conflict') == 1
    assert 'aria-current="page">Review queue' in text


def test_empty_review_queue(manager_client):
    assert "Nothing waiting for a decision" in body(manager_client.get(reverse("manage:deal_review_queue")))


# --- The side-by-side view and decisions -----------------------------------------------------------------------


@pytest.fixture
def conflict(partner_a, partner_b):
    """Partner B approved Umbrella first; partner A's later registration of the same customer is waiting."""
    holder = approved(partner_b, name="Umbrella Limited", website="https://umbrella.com", value=Decimal("70000"))
    newcomer = submitted(partner_a, name="Umbrella Ltd", website="https://www.umbrella.com", value=Decimal("50000"))
    partner_conflict(newcomer, holder)
    return newcomer, holder


def test_detail_shows_both_sides_with_the_verdict(manager_client, conflict):
    newcomer, holder = conflict
    response = manager_client.get(reverse("manage:deal_detail", args=[newcomer.pk]))
    text = body(response)
    assert response.status_code == 200
    assert "Northwind Solutions" in text
    assert "Contoso Partners" in text
    assert "Umbrella Limited" in text
    assert "Same customer" in text
    assert "score 96/100" in text
    assert "same registrable domain umbrella.com" in text
    assert "Resolve: give priority to Umbrella Ltd (Northwind Solutions" in text
    assert "Resolve: give priority to Umbrella Limited (Contoso Partners" in text
    # The other side's page shows the later registration that found it.
    text = body(manager_client.get(reverse("manage:deal_detail", args=[holder.pk])))
    assert "A later registration found this one" in text
    assert "Umbrella Ltd" in text


def test_detail_of_a_direct_pipeline_conflict(manager_client, partner_a):
    from dealreg.models import Conflict

    opportunity = OpportunityFactory(
        title="Enterprise rollout", account=AccountFactory(name="Wonka Industries"), owner_name="Dana Direct"
    )
    registration = submitted(partner_a, name="Wonka Industries Inc")
    Conflict.objects.create(
        registration=registration,
        kind=Conflict.Kind.OPPORTUNITY,
        account=opportunity.account,
        opportunity=opportunity,
        verdict=Conflict.Verdict.POSSIBLE,
        score=81,
        reasons=["names match after removing legal forms"],
    )
    text = body(manager_client.get(reverse("manage:deal_detail", args=[registration.pk])))
    assert "Direct pipeline" in text
    assert "Enterprise rollout" in text
    assert "Dana Direct" in text
    assert "Possibly the same customer" in text
    assert "Resolve:" not in text


def test_approve_through_the_page(manager_client, partner_a, django_capture_on_commit_callbacks):
    registration = submitted(partner_a, name="Globex Corp")
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("manage:deal_decide", args=[registration.pk]), {"action": "approve", "reason": ""}, follow=True
        )
    registration.refresh_from_db()
    assert registration.status == Registration.Status.APPROVED
    assert registration.protected_until is not None
    assert "Approved." in body(response)
    # A second click explains itself and changes nothing.
    response = manager_client.post(
        reverse("manage:deal_decide", args=[registration.pk]), {"action": "approve"}, follow=True
    )
    assert response.status_code == 400
    assert "already approved" in body(response)


def test_reject_needs_a_reason_and_keeps_what_was_typed(manager_client, partner_a):
    registration = submitted(partner_a, name="Globex Corp")
    url = reverse("manage:deal_decide", args=[registration.pk])
    response = manager_client.post(url, {"action": "reject", "reason": "  "})
    assert response.status_code == 400
    assert "Tell the partner why" in body(response)
    essay = "Too long. " * 250
    response = manager_client.post(url, {"action": "reject", "reason": essay})
    assert response.status_code == 400
    assert f"{essay}</textarea>" in body(response)  # what the manager typed is kept
    response = manager_client.post(url, {"action": "reject", "reason": "Duplicate of our own deal"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REJECTED
    assert registration.decision_reason == "Duplicate of our own deal"
    # Deciding again is refused with the service's explanation.
    response = manager_client.post(url, {"action": "reject", "reason": "Second thoughts"})
    assert response.status_code == 400
    assert "already rejected" in body(response)


def test_ask_for_more_information(manager_client, partner_a):
    registration = submitted(partner_a, name="Globex Corp")
    url = reverse("manage:deal_decide", args=[registration.pk])
    response = manager_client.post(url, {"action": "info", "question": ""})
    assert response.status_code == 400
    assert "Ask the partner what you need to know." in body(response)
    manager_client.post(url, {"action": "info", "question": "Who signs?"})
    registration.refresh_from_db()
    assert registration.status == Registration.Status.NEEDS_INFO
    assert registration.decision_reason == "Who signs?"
    assert AuditEvent.objects.filter(target_id=str(registration.pk), verb="deal.info_requested").exists()


def test_approving_a_partner_conflict_asks_to_resolve_instead(manager_client, conflict):
    newcomer, _ = conflict
    response = manager_client.post(
        reverse("manage:deal_decide", args=[newcomer.pk]), {"action": "approve", "reason": "Looks fine"}
    )
    assert response.status_code == 400
    assert "resolve the" in body(response)
    newcomer.refresh_from_db()
    assert newcomer.status == Registration.Status.SUBMITTED


def test_resolve_through_the_page(manager_client, conflict, django_capture_on_commit_callbacks):
    newcomer, holder = conflict
    url = reverse("manage:deal_resolve", args=[newcomer.pk])
    response = manager_client.post(url, {"holder": newcomer.pk, "reason": ""})
    assert response.status_code == 400
    assert "Give the reason" in body(response)

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, {"holder": newcomer.pk, "reason": "They brought the customer to us"})
    assert response.status_code == 302
    newcomer.refresh_from_db()
    holder.refresh_from_db()
    assert newcomer.status == Registration.Status.APPROVED
    assert holder.status == Registration.Status.REJECTED
    assert holder.decision_reason == "They brought the customer to us"

    response = manager_client.post(url, {"holder": newcomer.pk, "reason": "again"})
    assert response.status_code == 400
    assert "Nothing was changed" in body(response)


# --- CSV export ------------------------------------------------------------------------------------------------


def test_export_follows_the_filters_and_defuses_formulas(manager_client, partner_a, partner_b):
    submitted(partner_a, name='=HYPERLINK("http://evil")', contact_name="+1 trick", value=Decimal("1200"))
    approved(partner_b, name="Initech LLC")
    response = manager_client.get(reverse("manage:deal_export"), {"status": "submitted"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][:5] == ["id", "customer", "website", "country", "partner"]
    assert len(rows) == 2
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'
    assert "'+1 trick" in rows[1]
    assert rows[1][4] == "Northwind Solutions"
    assert "1200.00" in rows[1]


# --- Partners are not welcome here -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "with_pk"),
    [
        ("manage:deals", False),
        ("manage:deal_review_queue", False),
        ("manage:deal_export", False),
        ("manage:deal_detail", True),
        ("manage:deal_decide", True),
        ("manage:deal_resolve", True),
    ],
)
def test_partner_users_get_404(admin_client_a, seller_client_a, partner_a, name, with_pk):
    registration = submitted(partner_a)
    url = reverse(name, args=[registration.pk]) if with_pk else reverse(name)
    assert admin_client_a.get(url).status_code == 404
    assert seller_client_a.post(url, {"action": "approve"}).status_code == 404
    registration.refresh_from_db()
    assert registration.status == Registration.Status.SUBMITTED


def test_the_list_says_who_registered_and_how_long_protection_lasts(manager_client, partner_a):
    from prm.models import User

    seller = User.objects.create_user(email="sam@a.example.com", password=None, first_name="Sam", last_name="Ortiz")
    approved(partner_a, days_left=30, created_by=seller)
    html = body(manager_client.get(reverse("manage:deals")))
    assert "by Sam Ortiz" in html
    assert "30 days left" in html
