"""Recruitment prospects: the manager's pages (list with fit, filters, CSV, add, edit, status, customer list), the
audit trail, the application queue's fit column, and the customer overlap counted by dealreg's matcher."""

import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dealreg.hooks_partners import customer_overlap
from partners import metrics
from partners.models import Partner, Prospect
from prm.models import AuditEvent
from tests.dealreg.factories_accounts import AccountFactory
from tests.factories import PartnerFactory
from tests.partners.factories_recruitment import submit_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def revenue():
    """Won revenue from a fixed table (the real provider needs won registrations and rates)."""
    saved = metrics._PROVIDERS.get("won_revenue")
    table: dict[int, Decimal] = {}
    metrics.register_metric("won_revenue", lambda ids, since: {pk: v for pk, v in table.items() if pk in ids})
    yield table
    if saved:
        metrics.register_metric("won_revenue", saved)
    else:
        metrics.unregister_metric("won_revenue")


@pytest.fixture
def best_var(revenue):
    partner = PartnerFactory(
        name="Star VAR", type=Partner.Type.VAR, regions=["emea"], verticals=["Healthcare"], segments=["midmarket"]
    )
    revenue[partner.pk] = Decimal(50000)
    return partner


def make(**kw) -> Prospect:
    kw.setdefault("type", Partner.Type.VAR)
    return Prospect.objects.create(**kw)


def test_list_shows_fit_sorted_best_first(manager_client, best_var):
    make(name="Medisell", regions=["emea"], verticals=["healthcare"], segments=["midmarket"])
    make(name="Far Away Resellers", type=Partner.Type.RESELLER, regions=["apac"])
    response = manager_client.get(reverse("manage:prospect_list"))
    assert response.status_code == 200
    rows = response.context["page"].object_list
    assert [(r.prospect.name, r.fit.score) for r in rows] == [("Medisell", 100), ("Far Away Resellers", 0)]
    html = response.content.decode()
    assert "Type VAR: like your best partner" in html
    assert 'href="/manage/prospects/"' in manager_client.get(reverse("manage:application_list")).content.decode()


def test_filters_and_csv(manager_client, best_var):
    make(name="Medisell", regions=["emea"], status=Prospect.Status.CONTACTED)
    make(name="=HYPERLINK(evil)", type=Partner.Type.SI, regions=["na"])
    listed = manager_client.get(reverse("manage:prospect_list"), {"region": "emea"}).context["page"].object_list
    assert [r.prospect.name for r in listed] == ["Medisell"]
    listed = manager_client.get(reverse("manage:prospect_list"), {"status": "new", "type": "si"})
    assert [r.prospect.name for r in listed.context["page"].object_list] == ["=HYPERLINK(evil)"]
    junk = manager_client.get(reverse("manage:prospect_list"), {"status": "nope", "sort": "x", "page": "zz"})
    assert junk.status_code == 200
    response = manager_client.get(reverse("manage:prospect_export"), {"sort": "name"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    lines = text.lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("Name,Website,Type,Status,Fit")
    assert lines[1].startswith("'=HYPERLINK(evil)")  # formula cells are neutralised
    assert "Medisell" in lines[2]


def test_add_edit_and_status_are_audited(manager_client, channel_manager):
    response = manager_client.post(
        reverse("manage:prospect_create"),
        {
            "name": "  Medisell  GmbH ",
            "type": "var",
            "website": "https://www.medisell.de",
            "regions": ["emea"],
            "countries": ["DE"],
            "verticals": "Healthcare, healthcare, Pharma",
            "seller_count": "12",
        },
    )
    prospect = Prospect.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("manage:prospect_detail", args=[prospect.pk])
    assert (prospect.name, prospect.domain, prospect.verticals) == (
        "Medisell GmbH",
        "medisell.de",
        ["Healthcare", "Pharma"],
    )
    assert prospect.created_by == channel_manager
    assert AuditEvent.objects.filter(verb="prospect.created", actor=channel_manager).count() == 1

    page = manager_client.get(reverse("manage:prospect_detail", args=[prospect.pk]))
    assert page.status_code == 200
    assert "Recommended type for your stage (Validation)" in page.content.decode()

    manager_client.post(
        reverse("manage:prospect_edit", args=[prospect.pk]),
        {
            "name": "Medisell GmbH",
            "type": "si",
            "website": "https://www.medisell.de",
            "regions": ["emea"],
            "countries": ["DE"],
            "verticals": "Healthcare, Pharma",
            "seller_count": "12",
        },
    )
    event = AuditEvent.objects.get(verb="prospect.updated")
    assert (event.before, event.after) == ({"type": "var"}, {"type": "si"})

    url = reverse("manage:prospect_status", args=[prospect.pk])
    assert manager_client.post(url, {"status": "contacted", "reason": "Intro call booked"}).status_code == 302
    refused = manager_client.post(url, {"status": "dropped"})
    assert refused.status_code == 400
    assert "Say why" in refused.content.decode()
    assert manager_client.post(url, {"status": "contacted"}).status_code == 400  # already there: nothing twice
    prospect.refresh_from_db()
    assert prospect.status == "contacted"
    event = AuditEvent.objects.get(verb="prospect.status_changed")
    assert (event.before, event.after, event.reason) == (
        {"status": "new"},
        {"status": "contacted"},
        "Intro call booked",
    )


def test_bad_input_gives_messages_not_errors(manager_client):
    response = manager_client.post(
        reverse("manage:prospect_create"), {"name": "", "type": "spaceship", "seller_count": "-3"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"name", "type", "seller_count"}
    assert not Prospect.objects.exists()
    assert manager_client.get(reverse("manage:prospect_detail", args=[999999])).status_code == 404
    assert manager_client.get(reverse("manage:prospect_status", args=[1])).status_code == 405


def test_partners_and_visitors_never_see_prospects(admin_client_a, client):
    prospect = make(name="Medisell")
    for name, args in (("prospect_list", []), ("prospect_detail", [prospect.pk]), ("prospect_export", [])):
        assert admin_client_a.get(reverse(f"manage:{name}", args=args)).status_code in (403, 404)
        assert client.get(reverse(f"manage:{name}", args=args)).status_code == 302  # to sign in


def test_application_queue_shows_each_applicants_fit(manager_client, best_var):
    submit_application(name="Bluepeak Consulting", type=Partner.Type.VAR, regions=["emea"], countries=["DE"])
    response = manager_client.get(reverse("manage:application_list"))
    (application,) = response.context["applications"]
    # type 30 (1 of 1) + stage 15 (Validation recommends VARs) + reach 20 + industries 0 of 15 + segments 0 of 10
    # = 65 earned of 90 judged (the best partner records no sellers) → 100 × 65 / 90 = 72
    assert application.fit.score == 72
    assert application.fit.judged == 90
    assert "fit-score" in response.content.decode()


# --- Customer lists -----------------------------------------------------------------------------------------------


def _upload(text: str, name: str = "customers.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_customer_list_keeps_only_the_counts(manager_client, channel_manager):
    AccountFactory(name="Acme Corporation", website="https://acme.com", country="US", is_customer=True)
    AccountFactory(name="Globex Industries", website="https://globex.example", country="DE")
    AccountFactory(name="Initech", website="", country="US")
    prospect = make(name="Medisell")
    csv_text = (
        "Company,Website\n"
        "ACME Corp.,www.acme.com\n"  # same domain and name
        "Globex Industries GmbH,\n"  # same name, another legal form
        "Hooli,https://hooli.xyz\n"  # unknown
        "Initech Inc,\n"  # same name
        ",\n"
    )
    response = manager_client.post(
        reverse("manage:prospect_customers", args=[prospect.pk]), {"file": _upload(csv_text)}
    )
    assert response.status_code == 302
    prospect.refresh_from_db()
    assert (prospect.customer_list_rows, prospect.customer_overlap) == (4, 3)
    event = AuditEvent.objects.get(verb="prospect.customer_list_checked")
    assert event.after == {"rows": 4, "overlap": 3}
    assert "Acme" not in str(event.snapshot)
    assert "Hooli" not in str(event.snapshot)
    page = manager_client.get(reverse("manage:prospect_detail", args=[prospect.pk])).content.decode()
    assert "3 of 4" in page
    assert "Hooli" not in page
    assert "Acme" not in page


def test_customer_list_without_header_and_bad_files(manager_client):
    AccountFactory(name="Acme Corporation", website="https://acme.com")
    prospect = make(name="Medisell")
    url = reverse("manage:prospect_customers", args=[prospect.pk])
    assert (
        manager_client.post(url, {"file": _upload("Acme Corporation;acme.com\nHooli;hooli.xyz\n")}).status_code == 302
    )
    prospect.refresh_from_db()
    assert (prospect.customer_list_rows, prospect.customer_overlap) == (2, 1)
    for bad in ("", "\x00\x01binary", "Company,Website\n,\n"):
        response = manager_client.post(url, {"file": _upload(bad)})
        assert response.status_code == 400
        assert response.context["list_form"].errors["file"]
    assert manager_client.post(url, {}).status_code == 400


def test_overlap_is_batched_and_fast(django_assert_max_num_queries):
    for n in range(30):
        AccountFactory(name=f"Known Company {n} Holdings", website=f"https://known{n}.com")
    rows = [(f"Known Company {n} Holdings", "") for n in range(30)]
    rows += [(f"Stranger {n} Ltd", f"https://stranger{n}.io") for n in range(970)]
    started = time.monotonic()
    with django_assert_max_num_queries(2):  # 1,000 rows: two batches of 500, one query each
        assert customer_overlap(rows) == 30
    assert time.monotonic() - started < 30


def test_the_list_reads_a_fixed_number_of_queries(manager_client, best_var):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert manager_client.get(reverse("manage:prospect_list")).status_code == 200
        return len(ctx.captured_queries)

    make(name="First", regions=["emea"])
    few = count()
    for n in range(12):
        make(name=f"More {n}", verticals=["Healthcare"], countries=["DE"])
    assert count() == few
