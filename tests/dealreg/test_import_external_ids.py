"""The CRM's ids (external_id) in the account and opportunity CSV imports, the accounts pages, the account form, the
CSV export and the admin: a row whose external id a record has updates that record; any other row creates one (or,
for an account, updates the same company, giving it the id)."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dealreg import services
from dealreg.models import Account, DirectOpportunity
from dealreg.services.accounts import importing
from imports.models import ImportJob
from prm.models import AuditEvent
from tests.dealreg.factories_accounts import AccountFactory, OpportunityFactory
from tests.dealreg.test_import import by_number, parse
from tests.imports.test_imports import _import

pytestmark = pytest.mark.django_db


# --- The accounts page import ----------------------------------------------------------------------------------


def test_an_external_id_column_updates_the_account_that_has_it(channel_manager):
    known = AccountFactory(name="Globex Corporation", website="globex.com", external_id="0015g00000Globex")
    same_company = AccountFactory(name="Initech", website="initech.io")
    preview = parse(
        "name,website,external id\n"
        # Renamed and moved to another domain in the CRM: the id still finds it.
        "Globex Holdings,globex-holdings.com,0015g00000Globex\n"
        # The same company as an account without an id: updated, and given the id.
        "Initech,initech.io,0015g00000Initech\n"
        # Unknown id, unknown company: created with its id.
        "Umbrella,umbrella-corp.com,0015g00000Umbrel\n"
        # No id: matched by company as before.
        "Hooli,hooli.xyz,\n"
    )
    rows = by_number(preview)
    assert not preview.has_errors
    assert (rows[2].action, rows[2].account_id) == ("update", known.pk)
    assert rows[2].changes["name"] == ("Globex Corporation", "Globex Holdings")
    assert (rows[3].action, rows[3].account_id) == ("update", same_company.pk)
    assert rows[3].changes == {"external_id": ("", "0015g00000Initech")}
    assert [r.number for r in preview.creates] == [4, 5]
    assert [line[0] for line in rows[3].change_lines] == ["external id"]

    result = services.account_import_commit(actor=channel_manager, preview=preview)

    assert (result.created, result.updated) == (2, 2)
    known.refresh_from_db()
    same_company.refresh_from_db()
    assert (known.name, known.domain, known.external_id) == (
        "Globex Holdings",
        "globex-holdings.com",
        "0015g00000Globex",
    )
    assert same_company.external_id == "0015g00000Initech"
    assert Account.objects.get(name="Umbrella").external_id == "0015g00000Umbrel"
    assert Account.objects.get(name="Hooli").external_id == ""
    assert Account.objects.count() == 4
    [event] = AuditEvent.objects.filter(verb="accounts.imported")
    assert (event.after["created"], event.after["updated"]) == (2, 2)
    assert "external_id" in event.after["fields"]


def test_importing_the_same_file_twice_creates_nothing_the_second_time(channel_manager):
    text = "name,website,crm_id\nUmbrella,umbrella-corp.com,U-1\nStark,stark-industries.com,S-1\n"
    first = services.account_import_commit(actor=channel_manager, preview=parse(text))
    second = services.account_import_commit(actor=channel_manager, preview=parse(text))
    assert (first.created, first.updated) == (2, 0)
    assert (second.created, second.updated) == (0, 2)
    assert Account.objects.count() == 2


def test_external_id_conflicts_are_row_errors_in_plain_words():
    AccountFactory(name="Initech", website="initech.io", external_id="CRM-7")
    preview = parse(
        "name,website,external id\n"
        "Umbrella,umbrella-corp.com,U-1\n"
        "Umbrella Europe,umbrella.eu,U-1\n"  # the same id twice in the file
        "Initech,initech.io,CRM-8\n"  # the same company already has another id
        f"Hooli,hooli.xyz,{'x' * 101}\n"  # too long
    )
    rows = by_number(preview)
    assert rows[2].errors == []
    assert rows[3].errors == ["Same external id (U-1) as row 2: keep one of the two."]
    assert rows[4].errors == [
        "The account Initech (same company) has the external id CRM-7, not CRM-8: correct the id, or change it on "
        "the account first."
    ]
    assert rows[5].errors == ["The external id is longer than 100 characters."]


def test_an_external_id_taken_between_preview_and_import_is_refused_clearly(channel_manager, monkeypatch):
    preview = parse("name,website,external id\nUmbrella,umbrella-corp.com,U-1\n")
    # Another writer gives an account the id after the matching (the database's unique constraint refuses it).
    match = importing.account_rows_match

    def match_then_race(rows):
        match(rows)
        Account.objects.create(name="Racer", website="racer-motors.com", external_id="U-1", created_by=channel_manager)

    monkeypatch.setattr(importing, "account_rows_match", match_then_race)
    with pytest.raises(ValidationError, match="external ids while importing"):
        services.account_import_commit(actor=channel_manager, preview=preview)
    assert not Account.objects.filter(name="Umbrella").exists()


def test_upload_page_documents_the_column_and_its_example_imports_cleanly(manager_client):
    response = manager_client.get(reverse("manage:account_import"))
    assert b"<dt>external id</dt>" in response.content
    from dealreg.views.accounts import EXAMPLE_CSV

    preview = parse(EXAMPLE_CSV)
    assert not preview.has_errors
    assert by_number(preview)[2].values["external_id"] == "0015g00000XyZ1a"


# --- The background imports (imports registry) -----------------------------------------------------------------


def test_background_account_import_reads_external_ids(
    manager_client, channel_manager, django_capture_on_commit_callbacks
):
    known = AccountFactory(name="Globex", website="globex.com", external_id="G-1", industry="Energy")
    text = (
        "Company,Web site,External id,Industry\n"
        "Globex Holdings,globex-holdings.com,G-1,\n"
        "Umbrella,umbrella-corp.com,U-1,Pharma\n"
    )
    job = _import(manager_client, channel_manager, "accounts", text, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.updated_count) == (1, 1)
    known.refresh_from_db()
    assert (known.name, known.industry) == ("Globex Holdings", "Energy")
    assert Account.objects.get(external_id="U-1").name == "Umbrella"


def test_background_opportunity_import_upserts_by_external_id(
    manager_client, channel_manager, django_capture_on_commit_callbacks
):
    acme = Account.objects.create(name="Acme", website="acme.com", created_by=channel_manager)
    globex = Account.objects.create(name="Globex", website="globex.com", created_by=channel_manager)
    known = OpportunityFactory(account=acme, title="Rollout", amount=Decimal("25000"), external_id="OPP-1")
    same = OpportunityFactory(account=acme, title="Support", amount=Decimal("900"), currency="USD", external_id="OPP-2")
    text = (
        "account,title,stage,amount,currency,external id\n"
        ",Rollout phase 1,won,30000,,OPP-1\n"  # known id: updated; an empty account keeps its account
        f"acme.com,{same.title},,{same.amount},USD,OPP-2\n"  # known id, nothing new: unchanged
        "globex.com,Renewal,,1200,EUR,OPP-3\n"  # unknown id: created with it
        "Acme,Training,,,,\n"  # no id: created
    )
    job = _import(manager_client, channel_manager, "opportunities", text, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE, job.error_message
    assert (job.created_count, job.updated_count, job.skipped_count) == (2, 1, 1)
    known.refresh_from_db()
    assert (known.title, known.stage, known.amount, known.account_id) == (
        "Rollout phase 1",
        "won",
        Decimal("30000.00"),
        acme.pk,
    )
    assert DirectOpportunity.objects.get(external_id="OPP-3").account_id == globex.pk
    assert acme.opportunities.filter(title="Training", external_id="").exists()
    assert DirectOpportunity.objects.count() == 4
    assert AuditEvent.objects.filter(verb="opportunity.updated", target_id=str(known.pk)).count() == 1


def test_background_opportunity_import_explains_its_refusals(manager_client, channel_manager):
    from imports.registry import get_importer

    Account.objects.create(name="Acme", website="acme.com", created_by=channel_manager)
    importer = get_importer("opportunities")
    checked = importer.validate_rows(
        [
            {"account": "", "title": "New one", "external_id": "OPP-9"},
            {"account": "acme.com", "title": "A", "external_id": "OPP-8"},
            {"account": "acme.com", "title": "B", "external_id": "OPP-8"},
        ],
        [2, 3, 4],
    )
    assert checked[0][1] == ["The account is missing."]  # a new opportunity needs its account
    assert checked[1][1] == []
    assert checked[2][1] == ["Same external id (OPP-8) as row 3: keep one of the two."]


# --- Pages, form, export, admin --------------------------------------------------------------------------------


def test_list_shows_the_external_id_column_only_when_an_account_has_one(manager_client):
    AccountFactory(name="Hooli", website="hooli.xyz")
    response = manager_client.get(reverse("manage:account_list"))
    assert b"External id</th>" not in response.content
    AccountFactory(name="Globex", website="globex.com", external_id="0015g00000Globex")
    response = manager_client.get(reverse("manage:account_list"))
    assert b"External id</th>" in response.content
    assert b"<code>0015g00000Globex</code>" in response.content
    found = manager_client.get(reverse("manage:account_list"), {"q": "0015g00000Globex"})
    assert [a.name for a in found.context["accounts"]] == ["Globex"]


def test_detail_shows_external_ids_and_the_form_edits_it(manager_client):
    account = AccountFactory(name="Globex", website="globex.com", external_id="G-1")
    OpportunityFactory(account=account, title="Rollout", external_id="OPP-1")
    response = manager_client.get(reverse("manage:account_detail", args=[account.pk]))
    assert b'<code class="external-id">G-1</code>' in response.content
    assert b"<code>OPP-1</code>" in response.content
    assert response.context["form"]["external_id"].value() == "G-1"

    data = {"name": "Globex", "website": "globex.com", "external_id": "  G-2 "}
    response = manager_client.post(reverse("manage:account_detail", args=[account.pk]), data)
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.external_id == "G-2"
    event = AuditEvent.objects.filter(target_id=str(account.pk)).order_by("-pk").first()
    assert event.after.get("external_id") == "G-2"


def test_the_form_refuses_an_external_id_another_account_has(manager_client):
    AccountFactory(name="Initech", website="initech.io", external_id="I-1")
    account = AccountFactory(name="Globex", website="globex.com")
    data = {"name": "Globex", "website": "globex.com", "external_id": "I-1"}
    response = manager_client.post(reverse("manage:account_detail", args=[account.pk]), data)
    assert response.status_code == 400
    assert "Another account already has the external id “I-1”" in response.content.decode()
    account.refresh_from_db()
    assert account.external_id == ""
    response = manager_client.post(reverse("manage:account_create"), {"name": "Umbrella", "external_id": "I-1"})
    assert response.status_code == 400
    assert not Account.objects.filter(name="Umbrella").exists()


def test_the_csv_export_carries_the_external_id(manager_client):
    AccountFactory(name="Globex", website="globex.com", external_id="=G-1")  # formula-looking: neutralised
    response = manager_client.get(reverse("manage:account_export"))
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    header, row = list(csv.reader(io.StringIO(text)))
    assert row[header.index("external id")] == "'=G-1"


@pytest.fixture
def superuser_client(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_lists_and_searches_external_ids(superuser_client):
    AccountFactory(name="Globex", website="globex.com", external_id="G-1")
    AccountFactory(name="Hooli", website="hooli.xyz")
    response = superuser_client.get(reverse("admin:dealreg_account_changelist"), {"q": "G-1"})
    assert response.status_code == 200
    assert [a.name for a in response.context["cl"].result_list] == ["Globex"]
    assert b"column-external_id" in response.content
    OpportunityFactory(title="Rollout", external_id="OPP-1")
    OpportunityFactory(title="Support")
    response = superuser_client.get(reverse("admin:dealreg_directopportunity_changelist"), {"q": "OPP-1"})
    assert response.status_code == 200
    assert [o.title for o in response.context["cl"].result_list] == ["Rollout"]
    assert b"column-external_id" in response.content
