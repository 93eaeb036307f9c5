"""The public partner locator: who is listed (only active partners whose admins opted in), the search and its
filters, the fixed query count, and the public pages (indexable, 404 for anyone not listed)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partners import locator
from partners.models import Partner, PublicProfile, Tier
from tests.enablement.factories import AwardFactory, CertificationFactory
from tests.factories import MembershipFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def listed(name: str, *, status=Partner.Status.ACTIVE, listed=True, slug=None, headline="", **fields) -> Partner:
    partner = PartnerFactory(name=name, status=status, **fields)
    PublicProfile.objects.create(
        partner=partner, listed=listed, slug=slug or name.lower().replace(" ", "-"), headline=headline
    )
    return partner


def names(page) -> list[str]:
    return [card.name for card in page.cards]


@pytest.fixture
def gold():
    return Tier.objects.create(name="Gold", rank=3)


@pytest.fixture
def silver():
    return Tier.objects.create(name="Silver", rank=2)


# --- Who is listed -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "opted_in"),
    [
        (Partner.Status.DORMANT, True),
        (Partner.Status.APPLIED, True),
        (Partner.Status.ONBOARDING, True),
        (Partner.Status.DECLINED, True),
        (Partner.Status.OFFBOARDED, True),  # a suspended or ended partnership
        (Partner.Status.ACTIVE, False),  # active but its admins did not opt in
    ],
)
def test_only_opted_in_active_partners_are_found_and_have_pages(client, status, opted_in):
    shown = listed("Shown Partner")
    hidden = listed("Hidden Partner", status=status, listed=opted_in, slug="hidden-partner")
    PartnerFactory(name="No Profile At All")  # active, never opened the public profile

    assert names(locator.search_listed()) == ["Shown Partner"]
    assert names(locator.search_listed(q="partner")) == ["Shown Partner"]
    page = client.get(reverse("locator")).content.decode()
    assert "Shown Partner" in page
    assert "Hidden Partner" not in page
    assert "No Profile At All" not in page

    for name in ("locator_profile", "locator_contact", "locator_contact_sent", "locator_logo"):
        assert client.get(reverse(name, args=["hidden-partner"])).status_code == 404, name
    assert client.get(reverse("locator_profile", args=["shown-partner"])).status_code == 200
    with pytest.raises(Exception, match="No listed partner"):
        locator.access_listed("hidden-partner")
    assert locator.listed_ids([shown.pk, hidden.pk]) == {shown.pk}


def test_a_partner_that_becomes_dormant_disappears(client):
    partner = listed("Fading Partner")
    assert client.get(reverse("locator_profile", args=["fading-partner"])).status_code == 200
    Partner.objects.filter(pk=partner.pk).update(status=Partner.Status.DORMANT)
    assert client.get(reverse("locator_profile", args=["fading-partner"])).status_code == 404
    assert locator.search_listed().total == 0


def test_unknown_slugs_are_404(client):
    assert client.get("/partners/find/nobody-here/").status_code == 404
    assert client.get("/partners/find/nobody-here/contact/").status_code == 404


# --- Filters -----------------------------------------------------------------------------------------------------


def test_filters_country_vertical_type_tier(gold, silver):
    listed("Alpha", countries=["DE", "AT"], verticals=["Healthcare", "Retail"], type=Partner.Type.VAR, tier=gold)
    listed("Bravo", countries=["FR"], verticals=["healthcare"], type=Partner.Type.MSP, tier=silver)
    listed("Charlie", countries=["ES"], verticals=["Manufacturing"], type=Partner.Type.VAR)

    assert names(locator.search_listed(country="DE")) == ["Alpha"]
    assert names(locator.search_listed(country="at")) == ["Alpha"]  # codes in any case
    assert names(locator.search_listed(country="FR")) == ["Bravo"]
    # Industries are typed by hand: matched whole and in any case, never as a part of another word.
    assert names(locator.search_listed(vertical="Healthcare")) == ["Alpha", "Bravo"]
    assert names(locator.search_listed(vertical="care")) == []
    assert names(locator.search_listed(type=Partner.Type.VAR)) == ["Alpha", "Charlie"]
    assert names(locator.search_listed(tier=str(gold.pk))) == ["Alpha"]
    assert names(locator.search_listed(tier="silver")) == ["Bravo"]
    assert names(locator.search_listed(type="var", country="ES")) == ["Charlie"]
    # The highest tier first, then by name.
    assert names(locator.search_listed()) == ["Alpha", "Bravo", "Charlie"]


def test_unknown_filter_values_are_ignored_or_match_nothing():
    listed("Alpha", countries=["DE"])
    assert names(locator.search_listed(country="XX", type="spaceship")) == ["Alpha"]  # not filters we know
    assert names(locator.search_listed(tier="Platinum")) == []  # a tier name nobody has
    assert names(locator.search_listed(certification="no-such-certification")) == []
    assert locator.search_listed(q="\x00<script>").total == 0


def test_free_text_search_matches_name_headline_and_description():
    listed("Northwind Solutions", headline="Retail rollouts in DACH")
    other = listed("Contoso", headline="Analytics")
    other.public_profile.description = "We migrate warehouses to the cloud."
    other.public_profile.save()
    assert names(locator.search_listed(q="north")) == ["Northwind Solutions"]
    assert names(locator.search_listed(q="DACH rollouts")) == ["Northwind Solutions"]
    assert names(locator.search_listed(q="warehouses")) == ["Contoso"]


def test_certification_filter_and_certified_people_count():
    today = timezone.localdate()
    seller = CertificationFactory(name="Certified Seller", slug="certified-seller")
    engineer = CertificationFactory(name="Certified Engineer", slug="certified-engineer")
    alpha = listed("Alpha")
    bravo = listed("Bravo")
    charlie = listed("Charlie")
    AwardFactory(partner=alpha, certification=seller)
    AwardFactory(partner=alpha, certification=engineer)
    AwardFactory(partner=bravo, certification=seller, expires_at=today - timedelta(days=1))  # expired
    AwardFactory(partner=bravo, certification=engineer, revoked_at=timezone.now())  # revoked
    departed = AwardFactory(partner=charlie, certification=seller)  # the person left the company
    departed.user.membership.is_active = False
    departed.user.membership.save()

    assert names(locator.search_listed(certification="certified-seller")) == ["Alpha"]
    assert names(locator.search_listed(certification=str(engineer.pk))) == ["Alpha"]
    cards = {card.name: card for card in locator.search_listed().cards}
    assert cards["Alpha"].certified_people == 2
    assert cards["Bravo"].certified_people == 0
    assert cards["Charlie"].certified_people == 0


def test_recognition_shows_on_the_card_and_the_page(client, channel_manager):
    from incentives.services.recognition import recognition_award, recognition_withdraw

    partner = listed("Alpha")
    today = timezone.localdate()
    award = recognition_award(
        actor=channel_manager,
        partner=partner,
        kind="quarter",
        title="Partner of the quarter, Q3 2026",
        awarded_on=today - timedelta(days=3),
    )
    recognition_award(actor=channel_manager, partner=partner, kind="badge", title="Fastest mover", awarded_on=today)
    assert locator.search_listed().cards[0].recognitions == ["Fastest mover", "Partner of the quarter, Q3 2026"]
    recognition_withdraw(actor=channel_manager, recognition=award, reason="Awarded by mistake")
    assert locator.search_listed().cards[0].recognitions == ["Fastest mover"]
    assert "Fastest mover" in client.get(reverse("locator_profile", args=["alpha"])).content.decode()


# --- Paging and the query count -----------------------------------------------------------------------------------


def test_pages(client):
    for n in range(30):
        listed(f"Partner {n:02d}")
    first = locator.search_listed(per_page=12)
    assert first.total == 30
    assert first.num_pages == 3
    assert names(first)[0] == "Partner 00"
    third = locator.search_listed(page=3, per_page=12)
    assert names(third) == [f"Partner {n}" for n in range(24, 30)]
    assert (third.start_index, third.end_index) == (25, 30)
    assert locator.search_listed(page="999", per_page=12).number == 3  # past the end: the last page
    assert locator.search_listed(page="abc").number == 1
    page = client.get(reverse("locator"), {"page": "2"}).content.decode()
    assert "Page 2 of 3" in page
    assert 'rel="next"' in page
    assert 'rel="prev"' in page


def _populate(count: int, tier: Tier) -> None:
    certification = CertificationFactory(slug="certified-seller")
    for n in range(count):
        partner = listed(f"Busy {n:02d}", countries=["DE"], verticals=["Retail"], tier=tier)
        AwardFactory(partner=partner, certification=certification)


def test_search_listed_takes_the_same_few_queries_whatever_the_page_size(django_assert_num_queries, gold):
    _populate(3, gold)
    filters = {"country": "DE", "vertical": "retail", "type": "var", "certification": "certified-seller"}
    with django_assert_num_queries(3):  # the page with its total, certified people, recognition
        small = locator.search_listed(tier=str(gold.pk), **filters)
    assert small.total == 3
    _populate_more = [listed(f"More {n:02d}", countries=["DE"], verticals=["Retail"], tier=gold) for n in range(20)]
    assert len(_populate_more) == 20
    with django_assert_num_queries(3):
        big = locator.search_listed(per_page=50, country="DE", vertical="RETAIL")
    assert big.total == 23
    with django_assert_num_queries(5):  # past the last page: the count, then the last page
        last = locator.search_listed(page=9, per_page=10, country="DE")
    assert (last.number, len(last.cards), last.total) == (3, 3, 23)
    with django_assert_num_queries(1):  # nothing found: nothing else to ask
        assert locator.search_listed(country="JP").total == 0


def test_the_find_page_has_a_bounded_query_count(client, django_assert_max_num_queries, gold):
    _populate(15, gold)
    client.get(reverse("locator"))  # warms the filters' cached choices
    with django_assert_max_num_queries(9):
        response = client.get(reverse("locator"), {"country": "DE", "tier": str(gold.pk)})
    assert response.status_code == 200
    assert response.content.decode().count('class="locator-card"') == 12


# --- Indexable pages ----------------------------------------------------------------------------------------------


def test_pages_are_indexable_with_title_description_and_canonical(client, settings):
    settings.SITE_URL = "https://partners.example.com"
    listed("Northwind Solutions", headline="Retail rollouts in DACH", countries=["DE"])
    find = client.get(reverse("locator"), {"country": "DE", "page": "1"})
    html = find.content.decode()
    assert re.search(r"<title>Find a partner: Germany · prm</title>", html)
    assert '<meta name="description" content="Find a Partner program partner (Germany): 1 partner' in html
    assert '<link rel="canonical" href="https://partners.example.com/partners/find/?country=DE">' in html
    assert "noindex" not in html

    profile = client.get(reverse("locator_profile", args=["northwind-solutions"])).content.decode()
    assert "<title>Northwind Solutions: Value-added reseller in Germany · prm</title>" in profile
    assert "Retail rollouts in DACH" in profile
    assert '<link rel="canonical" href="https://partners.example.com/partners/find/northwind-solutions/">' in profile
    assert "noindex" not in profile
    # Free-text searches and the form pages are not pages worth indexing.
    assert "noindex" in client.get(reverse("locator"), {"q": "north"}).content.decode()
    assert "noindex" in client.get(reverse("locator_contact", args=["northwind-solutions"])).content.decode()


def test_the_find_page_offers_the_listed_partners_countries_and_industries(client):
    listed("Alpha", countries=["DE"], verticals=["Healthcare"])
    listed("Hidden", status=Partner.Status.DORMANT, countries=["JP"], verticals=["Mining"], slug="hidden")
    html = client.get(reverse("locator")).content.decode()
    assert '<option value="DE">Germany</option>' in html
    assert '<option value="Healthcare">Healthcare</option>' in html
    assert "Japan" not in html
    assert "Mining" not in html


def test_junk_query_parameters_are_ignored(client):
    listed("Alpha")
    response = client.get(
        reverse("locator"), {"page": "10000000000000000000000", "country": "%00", "tier": "1e9", "q": "'\"<"}
    )
    assert response.status_code == 200


def test_a_member_of_a_partner_sees_the_same_public_pages(admin_client_a, partner_a):
    PublicProfile.objects.create(partner=partner_a, listed=True, slug="northwind")
    MembershipFactory(partner=partner_a)
    assert admin_client_a.get(reverse("locator_profile", args=["northwind"])).status_code == 200


def test_the_public_page_shows_only_what_the_partner_chose_to_publish(client):
    partner = listed("Alpha", headline="Rollouts")
    Partner.objects.filter(pk=partner.pk).update(description="Internal: our margin plan for next year")
    html = client.get(reverse("locator_profile", args=["alpha"])).content.decode()
    assert "Rollouts" in html
    assert "margin plan" not in html  # the company profile's text is for the channel team
    assert "has not written about itself yet" in html
