"""Certifications in the manager app: create and change them, the partners × certifications grid (valid holders
only, filtered by tier and type), the expiring list (and the recently expired), revoking an award (audited, the
holder told), and the CSV exports (with spreadsheet formulas defused)."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enablement.models import Certification, CertificationAward
from partners.models import Partner, PartnerMembership, Tier
from prm.models import AuditEvent, Notification
from tests.enablement.factories import AwardFactory, CertificationFactory, CourseFactory, EnrollmentFactory, learner
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


# --- Create and change ---------------------------------------------------------------------------------------------


def test_create_and_edit_a_certification(manager_client):
    path = CourseFactory(title="Essentials")
    renewal = CourseFactory(title="Refresher")
    data = {"name": "Certified Seller", "validity_months": "24", "courses": [path.pk], "is_active": "on"}
    response = manager_client.post(reverse("manage:enablement_certification_new"), data)
    assert response.status_code == 302
    certification = Certification.objects.get()
    assert (certification.slug, certification.validity_months) == ("certified-seller", 24)
    assert list(certification.courses.all()) == [path]

    url = reverse("manage:enablement_certification_edit", args=[certification.pk])
    bad = {**data, "slug": "certified-seller", "renewal_course": path.pk, "validity_months": "200"}
    response = manager_client.post(url, bad)
    assert response.status_code == 400
    text = body(response)
    assert "The validity in months is at most 120." in text
    assert "The renewal course must be a separate, shorter course" in text
    ok = {**data, "slug": "certified-seller", "renewal_course": renewal.pk, "validity_months": "12"}
    assert manager_client.post(url, ok).status_code == 302
    certification.refresh_from_db()
    assert (certification.renewal_course, certification.validity_months) == (renewal, 12)
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"enablement.certification_created", "enablement.certification_updated"} <= verbs


def test_a_certification_needs_courses(manager_client):
    response = manager_client.post(
        reverse("manage:enablement_certification_new"), {"name": "X", "validity_months": "12"}
    )
    assert response.status_code == 400
    assert "Choose the courses that earn this certification" in body(response)
    assert not Certification.objects.exists()


# --- The grid ------------------------------------------------------------------------------------------------------


@pytest.fixture
def grid_world():
    gold = Tier.objects.create(name="Gold", rank=30)
    seller, engineer = CertificationFactory(name="Seller"), CertificationFactory(name="Engineer")
    alpha = PartnerFactory(name="Alpha Systems", tier=gold, type=Partner.Type.MSP)
    beta = PartnerFactory(name="Beta Consulting", type=Partner.Type.SI)
    anna, ben = learner(alpha), learner(alpha)
    AwardFactory(certification=seller, partner=alpha, user=anna)
    AwardFactory(certification=engineer, partner=alpha, user=anna)
    AwardFactory(certification=seller, partner=alpha, user=ben)
    AwardFactory(certification=seller, partner=beta, expires_at=days(-1))  # expired: not counted
    AwardFactory(certification=engineer, partner=beta, revoked_at=timezone.now())  # revoked: not counted
    PartnerFactory(name="Gamma Applied", status=Partner.Status.APPLIED)  # not a partner yet: not listed
    return {"gold": gold, "alpha": alpha, "beta": beta, "seller": seller, "engineer": engineer}


def _grid(response) -> dict[str, list[int]]:
    return {row.partner.name: [row.certified_people, *row.cells] for row in response.context["grid"].rows}


def test_grid_counts_valid_holders(manager_client, grid_world):
    response = manager_client.get(reverse("manage:enablement_grid"))
    assert [c.name for c in response.context["grid"].certifications] == ["Engineer", "Seller"]
    assert _grid(response) == {"Alpha Systems": [2, 1, 2], "Beta Consulting": [0, 0, 0]}
    text = body(response)
    assert reverse("manage:enablement_partner", args=[grid_world["alpha"].pk]) in text
    assert "Gamma Applied" not in text


def test_grid_filters_by_tier_type_and_name(manager_client, grid_world):
    url = reverse("manage:enablement_grid")
    assert list(_grid(manager_client.get(url, {"tier": grid_world["gold"].pk}))) == ["Alpha Systems"]
    assert list(_grid(manager_client.get(url, {"type": "si"}))) == ["Beta Consulting"]
    assert list(_grid(manager_client.get(url, {"q": "beta"}))) == ["Beta Consulting"]
    # A stale or bad filter is dropped rather than failing.
    assert manager_client.get(url, {"tier": "x", "type": "nope"}).status_code == 200


def test_grid_paginates_partners(manager_client, grid_world, django_assert_max_num_queries):
    for n in range(55):
        PartnerFactory(name=f"Zeta {n:02d}")
    with django_assert_max_num_queries(12):
        response = manager_client.get(reverse("manage:enablement_grid"))
    assert len(response.context["grid"].rows) == 50
    response = manager_client.get(reverse("manage:enablement_grid"), {"page": "2"})
    assert len(response.context["grid"].rows) == 7


def test_grid_export(manager_client, grid_world):
    response = manager_client.get(reverse("manage:enablement_export", args=["grid"]), {"type": "msp"})
    rows = csv_rows(response)
    assert rows[0] == ["partner", "type", "tier", "certified people", "Engineer", "Seller"]
    assert rows[1] == ["Alpha Systems", "MSP / CSP", "Gold", "2", "1", "2"]
    assert len(rows) == 2


# --- Expiring --------------------------------------------------------------------------------------------------------


def test_expiring_list(manager_client, partner_a):
    cert = CertificationFactory(name="Seller")
    in_10 = AwardFactory(certification=cert, partner=partner_a, expires_at=days(10))
    in_80 = AwardFactory(certification=cert, partner=partner_a, expires_at=days(80))
    AwardFactory(certification=cert, partner=partner_a, expires_at=days(200))
    AwardFactory(certification=cert, partner=partner_a, expires_at=days(5), revoked_at=timezone.now())
    expired = AwardFactory(certification=cert, partner=partner_a, expires_at=days(-20))
    AwardFactory(certification=cert, partner=partner_a, expires_at=days(-400))  # long ago
    replaced = AwardFactory(certification=cert, partner=partner_a, expires_at=days(-3))
    replaced.renewed_by = AwardFactory(certification=cert, partner=partner_a, user=replaced.user, expires_at=days(300))
    replaced.save()

    response = manager_client.get(reverse("manage:enablement_expiring"))
    assert [a.pk for a in response.context["soon"]] == [in_10.pk]
    assert [a.pk for a in response.context["expired"]] == [expired.pk]
    assert "in 10 days" in body(response)
    assert "20 days ago" in body(response)
    response = manager_client.get(reverse("manage:enablement_expiring"), {"days": "90"})
    assert [a.pk for a in response.context["soon"]] == [in_10.pk, in_80.pk]
    response = manager_client.get(reverse("manage:enablement_expiring"), {"days": "-5"})
    assert response.context["days"] == 60


# --- An award and its revocation -----------------------------------------------------------------------------------


def test_revoke_an_award(manager_client, partner_a, partner_a_seller, partner_a_admin, channel_manager):
    award = AwardFactory(certification=CertificationFactory(name="Seller"), partner=partner_a, user=partner_a_seller)
    page = body(manager_client.get(reverse("manage:enablement_award", args=[award.pk])))
    assert award.code in page
    assert "Revoke the certification" in page
    url = reverse("manage:enablement_award_revoke", args=[award.pk])
    response = manager_client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert "Give a reason" in body(response)
    award.refresh_from_db()
    assert award.revoked_at is None
    response = manager_client.post(url, {"reason": "The assessment was taken by someone else."})
    assert response.status_code == 302
    award.refresh_from_db()
    assert (award.revoked_by, award.revoked_reason) == (channel_manager, "The assessment was taken by someone else.")
    event = AuditEvent.objects.get(verb="enablement.certification_revoked")
    assert event.reason == "The assessment was taken by someone else."
    told = set(
        Notification.objects.filter(template="enablement_certification_revoked").values_list("recipient", flat=True)
    )
    assert {partner_a_seller.pk, partner_a_admin.pk} <= told
    # Twice: refused, nothing changes, no 500.
    response = manager_client.post(url, {"reason": "Again"})
    assert response.status_code == 400
    assert "already revoked" in body(response)
    assert AuditEvent.objects.filter(verb="enablement.certification_revoked").count() == 1


# --- Exports -------------------------------------------------------------------------------------------------------


def test_awards_export_with_filters_and_formula_injection_defused(manager_client, partner_a):
    evil = learner(partner_a, first_name='=HYPERLINK("http://evil")', last_name="Smith", email="eve@example.com")
    cert = CertificationFactory(name="+Seller")
    AwardFactory(certification=cert, partner=partner_a, user=evil)
    AwardFactory(certification=CertificationFactory(name="Other"), partner=partner_a)
    response = manager_client.get(reverse("manage:enablement_export", args=["awards"]), {"certification": cert.pk})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][:6] == ["id", "certification", "holder", "email", "partner", "status"]
    assert len(rows) == 2
    assert rows[1][1] == "'+Seller"
    assert rows[1][2].startswith("'=HYPERLINK")
    assert rows[1][3:6] == ["eve@example.com", "Northwind Solutions", "Active"]
    # Bad filter values are ignored, not a 500.
    response = manager_client.get(reverse("manage:enablement_export", args=["awards"]), {"certification": "x"})
    assert len(csv_rows(response)) == 3


def test_enrollments_export(manager_client, partner_a, partner_b):
    course = CourseFactory(title="Essentials")
    EnrollmentFactory(course=course, partner=partner_a, seconds_spent=7200)
    EnrollmentFactory(course=course, partner=partner_b)
    response = manager_client.get(reverse("manage:enablement_export", args=["enrollments"]), {"partner": partner_a.pk})
    rows = csv_rows(response)
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert (record["partner"], record["course"], record["status"], record["hours"]) == (
        "Northwind Solutions",
        "Essentials",
        "In progress",
        "2.0",
    )
    all_rows = csv_rows(manager_client.get(reverse("manage:enablement_export", args=["enrollments"])))
    assert len(all_rows) == 3


def test_partner_page_counts_only_active_people(manager_client, partner_a):
    cert = CertificationFactory(name="Seller")
    gone = learner(partner_a)
    PartnerMembership.objects.filter(user=gone).update(is_active=False)
    AwardFactory(certification=cert, partner=partner_a, user=gone)
    AwardFactory(certification=cert, partner=partner_a)
    response = manager_client.get(reverse("manage:enablement_partner", args=[partner_a.pk]))
    assert response.context["competency"].certified_people == 1
    assert CertificationAward.objects.count() == 2
