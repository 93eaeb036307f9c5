"""The channel managers' directory: filters, sorting, pagination, htmx, CSV export, 10,000 partners; the partner
page with its sections and notes; the admin."""

import csv
import io
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from partners import selectors, services
from partners.models import (
    AgreementAcceptance,
    AgreementVersion,
    Application,
    Checklist,
    ChecklistStep,
    Partner,
    PartnerMembership,
    PartnerNote,
    PartnerStep,
    Program,
    RequirementTick,
    Tier,
    TierProposal,
    TierRequirement,
)
from prm.models import CHANNEL_MANAGERS_GROUP, AuditEvent, User
from tests.factories import ChannelManagerFactory, MembershipFactory, PartnerFactory, UserFactory

LIST = "/manage/partners/"
EXPORT = "/manage/partners/export.csv"
HTMX = {"HX-Request": "true", "HX-Target": "partner-results"}


def names_in(response) -> list[str]:
    return [p.name for p in response.context["page"].object_list]


@pytest.fixture
def tiers(db):
    return {
        "silver": Tier.objects.create(name="Silver", rank=2),
        "gold": Tier.objects.create(name="Gold", rank=3),
    }


@pytest.fixture
def lee(db):
    return ChannelManagerFactory(email="lee@startup.example.com", first_name="Lee", last_name="Park")


@pytest.fixture
def directory(db, channel_manager, lee, tiers):
    now = timezone.now()
    atlas = PartnerFactory(
        name="Atlas Distribution",
        type=Partner.Type.DISTRIBUTOR,
        status=Partner.Status.ACTIVE,
        tier=tiers["gold"],
        owner=channel_manager,
        regions=["na", "emea"],
        route_to_market=Partner.RouteToMarket.DISTRIBUTION,
        website="https://www.atlas-distri.com",
        last_activity_at=now - timedelta(days=2),
    )
    partners = {
        "atlas": atlas,
        "bluepeak": PartnerFactory(
            name="Bluepeak Consulting",
            type=Partner.Type.SI,
            status=Partner.Status.ONBOARDING,
            owner=lee,
            regions=["apac"],
            route_to_market=Partner.RouteToMarket.SI,
            website="https://bluepeak.io",
        ),
        "cobalt": PartnerFactory(
            name="Cobalt Resale",
            type=Partner.Type.RESELLER,
            status=Partner.Status.ACTIVE,
            parent=atlas,
            tier=tiers["silver"],
            regions=["emea"],
            route_to_market=Partner.RouteToMarket.RESELLERS,
            last_activity_at=now - timedelta(days=40),
        ),
        "dune": PartnerFactory(
            name="Dune Systems",
            type=Partner.Type.SI,
            status=Partner.Status.DORMANT,
            regions=["latam"],
            last_activity_at=now - timedelta(days=200),
        ),
    }
    # Creation order differs from name order, so "created" sorting is visible.
    for i, key in enumerate(["dune", "bluepeak", "atlas", "cobalt"]):
        Partner.objects.filter(pk=partners[key].pk).update(created_at=now - timedelta(days=100 - i))
    return partners


# --- Filters, search, sort, pages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Atlas Distribution", "Bluepeak Consulting", "Cobalt Resale", "Dune Systems"]),
        ("?type=si", ["Bluepeak Consulting", "Dune Systems"]),
        ("?status=active", ["Atlas Distribution", "Cobalt Resale"]),
        ("?tier={gold}", ["Atlas Distribution"]),
        ("?tier=none", ["Bluepeak Consulting", "Dune Systems"]),
        ("?region=emea", ["Atlas Distribution", "Cobalt Resale"]),
        ("?region=na", ["Atlas Distribution"]),  # "na" does not match inside "latam"
        ("?region=latam", ["Dune Systems"]),
        ("?rtm=resellers", ["Cobalt Resale"]),
        ("?owner={lee}", ["Bluepeak Consulting"]),
        ("?owner=unassigned", ["Cobalt Resale", "Dune Systems"]),
        ("?q=bluepeak.io", ["Bluepeak Consulting"]),  # by web domain
        ("?q=https://shop.atlas-distri.com/about", ["Atlas Distribution"]),  # a pasted URL
        ("?q=atlas-distri", ["Atlas Distribution"]),
        ("?q=%20RESALE%20", ["Cobalt Resale"]),
        ("?region=emea&status=active&type=reseller", ["Cobalt Resale"]),
        (
            "?type=nonsense&region=mars&owner=x",
            ["Atlas Distribution", "Bluepeak Consulting", "Cobalt Resale", "Dune Systems"],
        ),
    ],
)
def test_filters(manager_client, directory, tiers, lee, query, expected):
    response = manager_client.get(LIST + query.format(gold=tiers["gold"].pk, lee=lee.pk))
    assert response.status_code == 200
    assert names_in(response) == expected


def test_filters_in_the_form_keep_their_values(manager_client, directory, tiers, lee):
    body = manager_client.get(f"{LIST}?tier={tiers['gold'].pk}&owner={lee.pk}&region=emea&rtm=resellers").content
    body = body.decode()
    assert f'<option value="{tiers["gold"].pk}" selected>Gold</option>' in body
    assert f'<option value="{lee.pk}" selected>Lee Park</option>' in body
    assert '<option value="emea" selected>' in body
    assert '<option value="resellers" selected>' in body
    assert "Maya Chen (you)</option>" in body
    assert "Clear the filters" in body  # nothing matches all four


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Atlas Distribution", "Bluepeak Consulting", "Cobalt Resale", "Dune Systems"]),
        ("-name", ["Dune Systems", "Cobalt Resale", "Bluepeak Consulting", "Atlas Distribution"]),
        # By the type's label: Distributor, Reseller, System integrator (×2, then by name).
        ("type", ["Atlas Distribution", "Cobalt Resale", "Bluepeak Consulting", "Dune Systems"]),
        ("-type", ["Bluepeak Consulting", "Dune Systems", "Cobalt Resale", "Atlas Distribution"]),
        # By the journey: onboarding, active, dormant.
        ("status", ["Bluepeak Consulting", "Atlas Distribution", "Cobalt Resale", "Dune Systems"]),
        ("-status", ["Dune Systems", "Atlas Distribution", "Cobalt Resale", "Bluepeak Consulting"]),
        # Partners without a tier come last either way.
        ("tier", ["Cobalt Resale", "Atlas Distribution", "Bluepeak Consulting", "Dune Systems"]),
        ("-tier", ["Atlas Distribution", "Cobalt Resale", "Bluepeak Consulting", "Dune Systems"]),
        ("created", ["Dune Systems", "Bluepeak Consulting", "Atlas Distribution", "Cobalt Resale"]),
        ("-created", ["Cobalt Resale", "Atlas Distribution", "Bluepeak Consulting", "Dune Systems"]),
        ("last_activity", ["Dune Systems", "Cobalt Resale", "Atlas Distribution", "Bluepeak Consulting"]),
        ("-last_activity", ["Atlas Distribution", "Cobalt Resale", "Dune Systems", "Bluepeak Consulting"]),
        ("members; drop table", ["Atlas Distribution", "Bluepeak Consulting", "Cobalt Resale", "Dune Systems"]),
    ],
)
def test_sort(manager_client, directory, sort, expected):
    response = manager_client.get(LIST, {"sort": sort})
    assert names_in(response) == expected


def test_sortable_headers_link_to_the_other_direction(manager_client, directory):
    body = manager_client.get(LIST, {"sort": "name", "type": "si", "page": "1"}).content.decode()
    assert 'aria-sort="ascending"' in body
    assert 'href="?sort=-name&amp;type=si"' in body  # reversed, filters kept, back to page 1
    assert 'href="?sort=tier&amp;type=si"' in body
    assert 'hx-get="/manage/partners/?sort=-name&amp;type=si"' in body
    body = manager_client.get(LIST, {"sort": "-name"}).content.decode()
    assert 'aria-sort="descending"' in body
    assert 'href="?sort=name"' in body


def test_pagination_and_page_size(manager_client):
    Partner.objects.bulk_create([Partner(name=f"P{i:03d}", type=Partner.Type.VAR) for i in range(230)])
    first = manager_client.get(LIST)
    assert len(first.context["page"].object_list) == 50
    assert "Page 1 of 5" in first.content.decode()
    assert "<strong>230</strong> partners" in first.content.decode()
    last = manager_client.get(LIST, {"page": 5})
    assert names_in(last) == [f"P{i:03d}" for i in range(200, 230)]
    assert len(manager_client.get(LIST, {"per_page": 200}).context["page"].object_list) == 200
    assert len(manager_client.get(LIST, {"per_page": 5000}).context["page"].object_list) == 200  # capped
    assert len(manager_client.get(LIST, {"per_page": "lots"}).context["page"].object_list) == 50
    assert len(manager_client.get(LIST, {"per_page": 25}).context["page"].object_list) == 25
    body = manager_client.get(LIST, {"per_page": 100, "sort": "-name", "page": 2}).content.decode()
    assert 'href="?per_page=100&amp;sort=-name&amp;page=1"' in body  # the pager keeps size and order
    assert 'href="?per_page=100&amp;sort=-name&amp;page=3"' in body
    assert manager_client.get(LIST, {"page": 999}).context["page"].number == 5  # past the end: the last page


def test_htmx_filtering_returns_the_results_only(manager_client, directory):
    response = manager_client.get(LIST, {"region": "emea", "sort": "-name"}, headers=HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="partner-results"')
    assert "<html" not in body
    assert 'role="search"' not in body
    assert body.index("Cobalt Resale") < body.index("Atlas Distribution")
    assert "Bluepeak" not in body
    assert "<strong>2</strong> partners match these filters" in body
    # The sort travels with the filter form, and the export link follows the filters.
    assert '<input type="hidden" name="sort" value="-name" form="partner-filters">' in body
    assert 'href="/manage/partners/export.csv?region=emea&amp;sort=-name"' in body
    # The full page at the same URL (deep link, reload, back button) has the form and the same results.
    full = manager_client.get(LIST, {"region": "emea", "sort": "-name"}).content.decode()
    assert 'id="partner-filters"' in full
    assert 'hx-push-url="true"' in full
    assert names_in(manager_client.get(LIST, {"region": "emea", "sort": "-name"})) == [
        "Cobalt Resale",
        "Atlas Distribution",
    ]


def test_htmx_results_need_fewer_queries(manager_client, directory, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):  # no filter-form lists: tiers and owners are not read
        manager_client.get(LIST, headers=HTMX)


def test_list_rows_show_the_classification(manager_client, directory):
    MembershipFactory.create_batch(2, partner=directory["atlas"])
    body = manager_client.get(LIST).content.decode()
    assert '<small class="muted">atlas-distri.com</small>' in body
    assert "<td>Gold</td>" in body
    assert "Maya Chen" in body
    assert "unassigned" in body
    assert '<td class="num">2</td>' in body
    assert "2 days ago" in body or "2\xa0days ago" in body


def test_no_match_says_how_to_get_out(manager_client, directory):
    body = manager_client.get(LIST, {"q": "zzz"}).content.decode()
    assert "No partner matches these filters." in body
    assert 'id="partner-filters"' in body  # the form stays, so the filter can be changed


# --- 10,000 partners -------------------------------------------------------------------------------------------


@pytest.fixture
def ten_thousand(db, channel_manager, lee, tiers):
    owners = [channel_manager, lee, None]
    tier_cycle = [tiers["gold"], tiers["silver"], None, None]
    distributors = Partner.objects.bulk_create(
        [Partner(name=f"Distributor {i:02d}", type=Partner.Type.DISTRIBUTOR) for i in range(20)]
    )
    now = timezone.now()
    Partner.objects.bulk_create(
        [
            Partner(
                name=f"Partner {i:05d}",
                type=Partner.Type.RESELLER if i % 3 else Partner.Type.VAR,
                status=Partner.Status.ACTIVE if i % 4 else Partner.Status.ONBOARDING,
                owner=owners[i % 3],
                tier=tier_cycle[i % 4],
                parent=distributors[i % 20] if i % 3 else None,
                regions=["emea"] if i % 2 else ["na", "apac"],
                domain=f"partner{i}.example.com",
                last_activity_at=now - timedelta(minutes=i) if i % 5 else None,
            )
            for i in range(10_000 - len(distributors))
        ],
        batch_size=2000,
    )
    people = User.objects.bulk_create([User(email=f"seller{i}@example.com") for i in range(300)])
    first = list(Partner.objects.filter(type=Partner.Type.VAR).order_by("name")[:150])
    PartnerMembership.objects.bulk_create(
        [PartnerMembership(user=u, partner=first[i % len(first)]) for i, u in enumerate(people)]
    )
    assert Partner.objects.count() == 10_000


# Session, user, group check, the shell's membership, paginator count, the page (parent, tier and owner joined,
# people counted in a subquery), bell, the tabs' two counts, the filter form's tiers and channel managers, the
# navigation's badges (one query, prm/badges.py).
QUERY_BUDGET = 12


def test_ten_thousand_partners_bounded_queries(manager_client, ten_thousand, django_assert_max_num_queries, capsys):
    """Whatever the page size, filters and order, a directory page costs the same few queries."""
    manager_client.get(LIST)  # warm up (templates, connection)
    for per_page in (50, 200):
        for query in ("", "&sort=-last_activity&region=emea", "&owner=unassigned&sort=tier&q=partner 0", "&page=40"):
            started = time.perf_counter()
            with django_assert_max_num_queries(QUERY_BUDGET) as captured:
                response = manager_client.get(f"{LIST}?per_page={per_page}{query}")
            elapsed_ms = (time.perf_counter() - started) * 1000
            assert response.status_code == 200
            assert len(response.context["page"].object_list) == per_page
            with capsys.disabled():
                print(
                    f"\n[10k directory] per_page={per_page} {query or '(no filter)'}: "
                    f"{len(captured.captured_queries)} queries, {elapsed_ms:.0f} ms",
                    end="",
                )
            assert elapsed_ms < 5000  # generous: machines vary; the bound that matters is the query count

    # The people counts are right (each seller once, on its partner), and the export has every row, not a page.
    response = manager_client.get(LIST, {"type": "var", "per_page": 200})
    assert sum(p.member_count for p in response.context["page"].object_list) == 300
    started = time.perf_counter()
    export = manager_client.get(EXPORT)
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    with capsys.disabled():
        print(f"\n[10k directory] CSV export: {len(rows) - 1} rows, {(time.perf_counter() - started) * 1000:.0f} ms")
    assert len(rows) == 10_001


# --- CSV export -----------------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))


def test_export_follows_the_filters(manager_client, directory, channel_manager):
    MembershipFactory.create_batch(3, partner=directory["atlas"])
    directory["atlas"].countries = ["DE", "FR"]
    directory["atlas"].save()
    Partner.objects.filter(pk=directory["atlas"].pk).update(activated_at=timezone.now())
    response = manager_client.get(EXPORT, {"region": "emea", "sort": "-name", "page": "7", "per_page": "1"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="partners-')
    rows = read_csv(response)
    assert rows[0] == [
        "name",
        "type",
        "status",
        "tier",
        "owner email",
        "website",
        "regions",
        "countries",
        "route to market",
        "members",
        "created",
        "activated",
        "last activity",
    ]
    assert [r[0] for r in rows[1:]] == ["Cobalt Resale", "Atlas Distribution"]  # all matching rows, in order
    atlas = dict(zip(rows[0], rows[2], strict=True))
    assert atlas["type"] == "Distributor"
    assert atlas["status"] == "Active"
    assert atlas["tier"] == "Gold"
    assert atlas["owner email"] == "maya@startup.example.com"
    assert atlas["website"] == "https://www.atlas-distri.com"
    assert atlas["regions"] == "North America; Europe, Middle East & Africa"
    assert atlas["countries"] == "France; Germany"
    assert atlas["route to market"] == "Distribution"
    assert atlas["members"] == "3"
    assert len(atlas["created"]) == len("2025-01-31 12:00")
    assert atlas["activated"]
    cobalt = dict(zip(rows[0], rows[1], strict=True))
    assert cobalt["owner email"] == ""
    assert cobalt["activated"] == ""


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://evil")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_export_defuses_formulas(manager_client, dangerous):
    PartnerFactory(name=dangerous)
    rows = read_csv(manager_client.get(EXPORT))
    assert rows[1][0] == "'" + dangerous


def test_export_of_nothing_is_just_the_header(manager_client, directory):
    rows = read_csv(manager_client.get(EXPORT, {"q": "zzz"}))
    assert len(rows) == 1


# --- The partner page -----------------------------------------------------------------------------------------


def detail(client, partner):
    return client.get(f"/manage/partners/{partner.pk}/")


def test_detail_page_sections(manager_client, directory, lee):
    atlas = directory["atlas"]
    Partner.objects.filter(pk=atlas.pk).update(
        functions=["sell", "service"],
        influence="high",
        commercial_model="resell",
        countries="DE,FR",
        verticals=["Retail", "Healthcare"],
        segments=["enterprise"],
        seller_count=1200,
        description="Pan-European distribution\nof cloud software.",
    )
    atlas.refresh_from_db()
    response = detail(manager_client, atlas)
    assert response.status_code == 200
    body = response.content.decode()
    # Header
    assert "<h1>Atlas Distribution</h1>" in body
    assert '<span class="status status-active">Active</span>' in body
    assert "<strong>Gold</strong> tier" in body
    assert "owned by Maya Chen" in body
    assert 'href="https://www.atlas-distri.com"' in body
    assert "1 reseller under it" in body
    assert f'href="/manage/partners/{directory["cobalt"].pk}/"' in body
    # Profile in words
    for text in (
        "Sell, Service",
        "Resell / margin",
        "Distribution",
        "North America, Europe, Middle East &amp; Africa",
        "France, Germany",
        "Retail, Healthcare",
        "Enterprise",
        "1,200",
        "Pan-European distribution<br>of cloud software.",
    ):
        assert text in body, text
    assert f'href="/manage/partners/{atlas.pk}/edit/"' in body
    # Sections for the other areas, notes and the owner select
    for anchor in ('id="onboarding"', 'id="tier"', 'id="people"', 'id="notes"', 'id="activity"', 'id="owner"'):
        assert anchor in body
    assert f'action="/manage/partners/{atlas.pk}/notes/"' in body
    assert f'<option value="{lee.pk}" >Lee Park</option>' in body or f'<option value="{lee.pk}">' in body


def test_reseller_page_links_to_its_distributor(manager_client, directory):
    body = detail(manager_client, directory["cobalt"]).content.decode()
    assert f'Buys through <a href="/manage/partners/{directory["atlas"].pk}/">Atlas Distribution</a>' in body


def test_incomplete_profile_says_what_is_missing(manager_client, directory):
    body = detail(manager_client, directory["dune"]).content.decode()
    assert "Still missing for a complete profile: website, what they sell, regions" not in body  # regions are set
    assert "Still missing for a complete profile: website, what they sell, segments, functions." in body
    assert "Not described yet." in body


def test_detail_query_count_is_bounded(manager_client, directory, django_assert_max_num_queries, channel_manager):
    atlas = directory["atlas"]
    for i in range(10):
        MembershipFactory(partner=atlas)
        services.partner_note_add(actor=channel_manager, partner=atlas, body=f"Note {i}")
    detail(manager_client, atlas)  # the first page view after data changed refreshes the insights roll-ups
    # 20 for the partner page itself, +8 (a constant) for the enablement and MDF summaries of partners/hooks.py,
    # +2 for the reviews and customers summaries, +1 for the navigation badges, +5 for the won-revenue requirement
    # converted to the reporting currency (roll-up freshness, rates, the partner's won months), +1 for the
    # recognition summary, +1 for the leads waiting for the team (navigation).
    with django_assert_max_num_queries(38) as first:
        assert detail(manager_client, atlas).status_code == 200
    for i in range(10):
        services.partner_note_add(actor=channel_manager, partner=atlas, body=f"More {i}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert detail(manager_client, atlas).status_code == 200


# --- Notes ----------------------------------------------------------------------------------------------------


def test_manager_adds_a_note(manager_client, channel_manager, partner_a):
    response = manager_client.post(
        f"/manage/partners/{partner_a.pk}/notes/", {"body": "  Met at the summit.\nWants a demo.  "}, follow=True
    )
    assert response.redirect_chain == [(f"/manage/partners/{partner_a.pk}/#notes", 302)]
    body = response.content.decode()
    assert "Your note was added." in body
    assert "Met at the summit.<br>Wants a demo." in body
    note = PartnerNote.objects.get()
    assert note.author == channel_manager
    assert note.body == "Met at the summit.\nWants a demo."
    event = AuditEvent.objects.get(verb="partner.note_added")
    assert event.partner == partner_a
    assert event.after == {"note": note.pk, "length": len(note.body)}
    assert "summit" not in str(event.after)  # the audit trail keeps no copy of the text


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "Write something first."), ("x" * 5001, "Ensure this value has at most 5000 characters")],
)
def test_bad_note_is_explained_and_kept(manager_client, partner_a, text, message):
    response = manager_client.post(f"/manage/partners/{partner_a.pk}/notes/", {"body": text})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    if text.strip():
        assert text in body
    assert not PartnerNote.objects.exists()


def test_only_channel_managers_add_notes(partner_a, partner_a_admin, admin_client_a):
    with pytest.raises(Exception, match="Only channel managers write notes"):
        services.partner_note_add(actor=partner_a_admin, partner=partner_a, body="Hi")
    assert admin_client_a.post(f"/manage/partners/{partner_a.pk}/notes/", {"body": "Hi"}).status_code == 404
    assert not PartnerNote.objects.exists()


def test_notes_never_reach_the_portal(channel_manager, partner_a, admin_client_a):
    services.partner_note_add(actor=channel_manager, partner=partner_a, body="Internal: pricing concern")
    for url in ("/portal/", "/portal/company/", "/portal/team/"):
        response = admin_client_a.get(url)
        assert "pricing concern" not in response.content.decode(), url


# --- Owner quick-assign -----------------------------------------------------------------------------------------


def test_quick_owner_assign(manager_client, partner_a, lee):
    response = manager_client.post(
        f"/manage/partners/{partner_a.pk}/edit/", {"quick": "owner", "owner": lee.pk}, follow=True
    )
    assert response.redirect_chain == [(f"/manage/partners/{partner_a.pk}/", 302)]
    assert "Northwind Solutions is now owned by Lee Park." in response.content.decode()
    partner_a.refresh_from_db()
    assert partner_a.owner == lee
    response = manager_client.post(f"/manage/partners/{partner_a.pk}/edit/", {"quick": "owner", "owner": ""})
    partner_a.refresh_from_db()
    assert partner_a.owner is None


def test_quick_owner_refuses_someone_who_is_not_a_channel_manager(manager_client, partner_a, partner_a_admin):
    response = manager_client.post(
        f"/manage/partners/{partner_a.pk}/edit/", {"quick": "owner", "owner": partner_a_admin.pk}
    )
    assert response.status_code == 400
    assert "Choose one of the channel managers in the list." in response.content.decode()
    partner_a.refresh_from_db()
    assert partner_a.owner is None


def test_channel_managers_are_the_group_and_superusers(channel_manager, lee):
    boss = UserFactory(is_staff=True, is_superuser=True, email="boss@startup.example.com")
    UserFactory(is_staff=True, email="support@startup.example.com")  # staff, not in the group
    gone = ChannelManagerFactory(is_active=False)
    assert Group.objects.get(name=CHANNEL_MANAGERS_GROUP).user_set.filter(pk=gone.pk).exists()
    assert set(selectors.channel_managers()) == {channel_manager, lee, boss}


# --- Who may see these pages ----------------------------------------------------------------------------------

MANAGE_URLS = [
    "/manage/partners/",
    "/manage/partners/export.csv",
    "/manage/partners/{pk}/",
    "/manage/partners/{pk}/edit/",
]


@pytest.mark.parametrize("url", MANAGE_URLS)
def test_partner_users_get_404(admin_client_a, seller_client_a, outsider_client, partner_a, url):
    for client in (admin_client_a, seller_client_a, outsider_client):
        assert client.get(url.format(pk=partner_a.pk)).status_code == 404


def test_partner_users_cannot_post_manager_forms(admin_client_a, partner_a, partner_a_admin):
    assert (
        admin_client_a.post(f"/manage/partners/{partner_a.pk}/edit/", {"name": "Hacked", "type": "gsi"}).status_code
        == 404
    )
    assert (
        admin_client_a.post(f"/manage/partners/{partner_a.pk}/edit/", {"quick": "owner", "owner": ""}).status_code
        == 404
    )
    partner_a.refresh_from_db()
    assert partner_a.name == "Northwind Solutions"


@pytest.mark.parametrize("url", [*MANAGE_URLS, "/manage/partners/{pk}/notes/"])
def test_anonymous_goes_to_sign_in(partner_a, url):
    response = Client().get(url.format(pk=partner_a.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_notes_url_accepts_only_post(manager_client, partner_a):
    assert manager_client.get(f"/manage/partners/{partner_a.pk}/notes/").status_code == 405


# --- Admin ----------------------------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(db):
    user = UserFactory(is_staff=True, is_superuser=True, email="root@startup.example.com")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def one_of_everything(db, partner_a, partner_a_admin, channel_manager, tiers):
    program, _ = Program.objects.get_or_create(pk=1)
    requirement = TierRequirement.objects.create(tier=tiers["gold"], kind="certified_people", threshold=3)
    RequirementTick.objects.create(
        partner=partner_a,
        requirement=TierRequirement.objects.create(tier=tiers["gold"], kind="qualitative", label="Plan"),
        ticked_by=channel_manager,
    )
    TierProposal.objects.create(partner=partner_a, proposed_tier=tiers["gold"], is_promotion=True)
    checklist, _ = Checklist.objects.get_or_create(partner_type="", defaults={"name": "Default"})
    step = ChecklistStep.objects.create(checklist=checklist, kind="manual", title="Kick-off call")
    PartnerStep.objects.create(partner=partner_a, step=step, order=1)
    version = AgreementVersion.objects.create(version="test-9", body="Terms")
    AgreementAcceptance.objects.create(partner=partner_a, version=version, user=partner_a_admin, signer_name="Anna")
    applicant = PartnerFactory(name="Applicant Co", status=Partner.Status.APPLIED)
    application = Application.objects.create(
        partner=applicant,
        contact_name="Al",
        contact_email="al@applicant.example.com",
        duplicates=[{"partner_id": partner_a.pk, "name": partner_a.name, "reason": "same domain"}],
    )
    PartnerNote.objects.create(partner=partner_a, author=channel_manager, body="Hello")
    return {
        "program": program,
        "tier": tiers["gold"],
        "requirement": requirement,
        "checklist": checklist,
        "version": version,
        "application": application,
    }


ADMIN_MODELS = [
    "partner",
    "partnermembership",
    "invitation",
    "partnernote",
    "tier",
    "tierrequirement",
    "requirementtick",
    "tierproposal",
    "checklist",
    "checkliststep",
    "partnerstep",
    "agreementversion",
    "agreementacceptance",
    "application",
]


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_lists_and_pages_render(superuser_client, one_of_everything, model):
    response = superuser_client.get(f"/admin/partners/{model}/")
    assert response.status_code == 200
    model_class = {
        m._meta.model_name: m
        for m in (
            Partner,
            PartnerMembership,
            PartnerNote,
            Tier,
            TierRequirement,
            RequirementTick,
            TierProposal,
            Checklist,
            ChecklistStep,
            PartnerStep,
            AgreementVersion,
            AgreementAcceptance,
            Application,
        )
    }.get(model)
    if model_class is not None:
        obj = model_class.objects.first()
        assert superuser_client.get(f"/admin/partners/{model}/{obj.pk}/change/").status_code == 200
    assert superuser_client.get(f"/admin/partners/{model}/?q=a").status_code == 200


def test_admin_program_is_a_singleton(superuser_client, one_of_everything):
    response = superuser_client.get("/admin/partners/program/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/partners/program/1/change/"
    assert superuser_client.get("/admin/partners/program/add/").status_code == 403
    assert superuser_client.get("/admin/partners/program/1/delete/").status_code == 403
    assert superuser_client.get("/admin/partners/program/1/change/").status_code == 200


def test_admin_flags_duplicate_applications(superuser_client, one_of_everything):
    flagged = superuser_client.get("/admin/partners/application/?flagged=yes")
    assert "Applicant Co" in flagged.content.decode()
    clean = superuser_client.get("/admin/partners/application/?flagged=no")
    assert "Applicant Co" not in clean.content.decode()


def test_admin_evidence_is_read_only(superuser_client, one_of_everything):
    version = one_of_everything["version"]
    assert superuser_client.get("/admin/partners/agreementacceptance/add/").status_code == 403
    assert superuser_client.get("/admin/partners/application/add/").status_code == 403
    assert superuser_client.get("/admin/partners/tierproposal/add/").status_code == 403
    # A signed agreement version's text can no longer be edited, nor the version deleted.
    page = superuser_client.get(f"/admin/partners/agreementversion/{version.pk}/change/").content.decode()
    assert 'name="body"' not in page
    assert superuser_client.get(f"/admin/partners/agreementversion/{version.pk}/delete/").status_code == 403
