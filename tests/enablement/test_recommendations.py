"""Personal enablement: the ranking worked out by hand, the facts gathered for one person (role, the company's next
tier, their certificates, their open deals), isolation between partners, the portal home panel and the learning
page."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dealreg.models import Product, Registration, RegistrationProduct
from enablement.recommendations import Expiry, Facts, Gap, Item, Path, gather, rank, recommendations_for
from partners.models import PartnerMembership, Tier, TierRequirement
from tests.dealreg.factories_registrations import RegistrationFactory
from tests.enablement.factories import (
    AssetFactory,
    AwardFactory,
    CertificationFactory,
    CourseFactory,
    EnrollmentFactory,
)


def course(pk, title, role="", product=""):
    return Item("course", pk, title, f"/c/{pk}/", (role,) if role else (), product)


def asset(pk, title, roles=(), product=""):
    return Item("asset", pk, title, f"/a/{pk}/", tuple(roles), product)


ITEMS = [
    course(1, "Renew Security"),
    course(2, "Security Specialist path", "technical"),
    course(3, "Selling Product X", "sales", "Product X"),
    course(4, "Marketing basics", "marketing"),
    course(5, "Discovery calls", "sales"),
    course(6, "Done course", "sales"),
    asset(11, "Product X battlecard", ["sales"], "product x"),
    asset(12, "Company overview"),
    asset(13, "Already read", ["sales"]),
    Item("course", 7, "Someone else's renewal", "/c/7/", ("sales",), is_renewal=True),
]
FACTS = Facts(
    role="sales",
    today=date(2026, 12, 4),
    completed=frozenset({6}),
    progress={5: 40},
    viewed=frozenset({13}),
    certified=False,  # the Security Specialist certificate expired: nothing held
    paths=(Path("Sales Pro", "sales", (3,)), Path("Security Specialist", "technical", (2,))),
    expiring=(Expiry("Security Specialist", date(2026, 11, 20), (1,)),),
    gaps=(
        Gap("certified_people", Decimal(2), "Gold", "2 more certified people"),
        Gap("approved_registrations", Decimal(3), "Gold", "3 more approved deal registrations"),
    ),
    deal_products={"Product X": 2},
)


def test_ranking_worked_out():
    found = rank(ITEMS, FACTS, limit=10)
    assert [(r.item.title, r.score) for r in found] == [
        ("Selling Product X", 105),  # path for my role 40 + 5, 2 deals 30 + 5, sales gap 10, my role 15
        ("Product X battlecard", 60),  # 2 deals 35, sales gap 10, my role 15
        ("Renew Security", 55),  # expired certificate 50, for everyone 5
        ("Discovery calls", 45),  # 40% through 20, sales gap 10, my role 15
        ("Security Specialist path", 40),  # another role's path, brought in by the tier gap alone
        ("Company overview", 5),  # for everyone, nothing else: last
    ]
    # Marketing basics (another role), Done course (completed), Already read (viewed) and a renewal course of a
    # certification that is not theirs are left out.
    top = found[0]
    assert [r.text for r in top.reasons] == [
        "Your company needs 2 more certified people for Gold: this leads to Sales Pro",
        "You have 2 open deals with Product X",
        "Your company needs 3 more approved deal registrations for Gold",
        "Made for sales people",
    ]
    assert top.reason == "Your company needs 2 more certified people for Gold: this leads to Sales Pro"
    assert found[2].reasons[0].text == "Your Security Specialist certificate expired on 20 Nov 2026"
    assert [r.item.title for r in rank(ITEMS, FACTS, limit=2)] == ["Selling Product X", "Product X battlecard"]


def test_a_certified_person_is_not_sent_down_another_path():
    certified = Facts(**{**FACTS.__dict__, "certified": True, "expiring": (), "deal_products": {}})
    found = {r.item.title: r.score for r in rank(ITEMS, certified)}
    assert "Security Specialist path" not in found  # neither their role nor needed from them
    assert found["Selling Product X"] == 25  # sales gap 10 + my role 15
    assert found["Renew Security"] == 5


def test_a_renewal_course_comes_back_even_when_completed():
    facts = Facts(
        role="technical",
        today=date(2026, 12, 4),
        completed=frozenset({1}),
        expiring=(Expiry("Security Specialist", date(2027, 1, 12), (1,)),),
    )
    (found,) = [r for r in rank(ITEMS, facts) if r.item.pk == 1]
    assert found.reasons[0].text == "Your Security Specialist certificate expires on 12 Jan 2027"


# --- Gathered from the database -----------------------------------------------------------------------------------


@pytest.fixture
def world(partner_a, partner_a_admin, partner_a_seller, partner_b, partner_b_user):
    today = timezone.localdate()
    gold = Tier.objects.create(name="Gold", rank=1)
    TierRequirement.objects.create(tier=gold, kind="certified_people", threshold=Decimal(2))
    sales_101 = CourseFactory(title="Sales Pro 101", role="sales")
    CertificationFactory(name="Sales Pro", role="sales", courses=[sales_101])
    basics = CourseFactory(title="Security basics", role="technical")
    renewal = CourseFactory(title="Security renewal", role="technical", is_renewal=True)
    security = CertificationFactory(name="Security Specialist", role="technical", courses=[basics])
    security.renewal_course = renewal
    security.save()
    CourseFactory(title="Product X deep dive", role="technical", product="Product X")
    CourseFactory(title="Product Y deep dive", role="technical", product="Product Y")
    AssetFactory(title="Product Y battlecard", product="Product Y", roles=["technical"])
    EnrollmentFactory(
        course=basics, partner=partner_a, user=partner_a_seller, status="completed", completed_at=timezone.now()
    )
    AwardFactory(
        certification=security, partner=partner_a, user=partner_a_seller, expires_at=today + timedelta(days=20)
    )
    product_x, product_y = Product.objects.create(name="Product X"), Product.objects.create(name="Product Y")
    # Products are read from the registration's summary (the catalogue's picks and what was typed).
    mine = RegistrationFactory(
        partner=partner_a, created_by=partner_a_seller, status=Registration.Status.SUBMITTED, products="Product X"
    )
    RegistrationProduct.objects.create(registration=mine, product=product_x)
    RegistrationFactory(  # closed: not an open deal
        partner=partner_a, created_by=partner_a_seller, status=Registration.Status.LOST, products="Product Y"
    )
    RegistrationFactory(  # a colleague's deal: not the seller's
        partner=partner_a, created_by=partner_a_admin, status=Registration.Status.APPROVED, products="Product Y"
    )
    # Partner B: its own deal on Product Y and its own expiring certificate, which must not feed partner A's lists.
    theirs = RegistrationFactory(
        partner=partner_b, created_by=partner_b_user, status=Registration.Status.APPROVED, products="product y, Extras"
    )
    RegistrationProduct.objects.create(registration=theirs, product=product_y)
    AwardFactory(certification=security, partner=partner_b, user=partner_b_user, expires_at=today + timedelta(days=5))
    return {"expires": today + timedelta(days=20)}


def _recs(user):
    membership = PartnerMembership.objects.get(user=user)
    return recommendations_for(user=user, partner=membership.partner, membership=membership)


@pytest.mark.django_db
def test_a_seller_gets_renewal_deals_and_role(world, partner_a_seller):
    found = _recs(partner_a_seller)
    expires = world["expires"].strftime("%-d %b %Y")
    assert [(r.item.title, r.score, r.reason) for r in found] == [
        ("Security renewal", 50, f"Your Security Specialist certificate expires on {expires}"),
        ("Product X deep dive", 30, "You have 1 open deal with Product X"),
        ("Sales Pro 101", 15, "Made for sales people"),
    ]


@pytest.mark.django_db
def test_an_admin_gets_the_tier_gap_paths(world, partner_a_admin):
    found = _recs(partner_a_admin)
    assert [(r.item.title, r.score) for r in found] == [
        ("Sales Pro 101", 40),
        ("Security basics", 40),
        ("Product Y deep dive", 30),  # the admin's own approved deal
        ("Product Y battlecard", 30),
    ]
    # The seller's certificate still counts: one more certified person reaches Gold's two.
    assert found[0].reason == "Your company needs 1 more certified person for Gold: this leads to Sales Pro"


@pytest.mark.django_db
def test_another_partners_data_never_feeds_the_list(world, partner_b_user, partner_a_seller):
    titles_a = {r.item.title for r in _recs(partner_a_seller)}
    assert not titles_a & {"Product Y deep dive", "Product Y battlecard"}
    found = {r.item.title: r for r in _recs(partner_b_user)}
    assert found["Product Y deep dive"].reason == "You have 1 open deal with Product Y"
    assert found["Product Y battlecard"].reason == "You have 1 open deal with Product Y"
    assert "Product X deep dive" not in found  # partner A's deal
    assert found["Security renewal"].score == 50  # its own certificate


@pytest.mark.django_db
def test_gathering_reads_a_fixed_number_of_queries(world, partner_a, partner_a_seller):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    membership = PartnerMembership.objects.select_related("partner").get(user=partner_a_seller)
    gather(user=partner_a_seller, partner=membership.partner, membership=membership)  # the roll-ups get built once

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            gather(user=partner_a_seller, partner=membership.partner, membership=membership)
        return len(ctx.captured_queries)

    before = count()
    for n in range(4):
        extra = CourseFactory(title=f"Extra {n}", role="sales", product="Product X")
        EnrollmentFactory(course=extra, partner=partner_a, user=partner_a_seller)
        AssetFactory(title=f"Extra asset {n}")
    assert count() == before <= 14
    items, facts = gather(user=partner_a_seller, partner=membership.partner, membership=membership)
    assert facts.deal_products == {"Product X": 1}
    assert facts.certified
    assert len(items) == 14  # nine courses and five assets, all visible to every partner


@pytest.mark.django_db
def test_portal_home_panel_and_learning_page(world, seller_client_a, outsider_client):
    home = seller_client_a.get(reverse("portal:home")).content.decode()
    assert "Next for you in training" in home
    assert "Security renewal" in home
    assert "You have 1 open deal with Product X" in home
    assert "Product Y" not in home
    page = seller_client_a.get(reverse("portal:training")).content.decode()
    assert "Recommended for you" in page
    assert "Made for sales people" in page
    other = outsider_client.get(reverse("portal:home")).content.decode()
    assert "Product X" not in other
