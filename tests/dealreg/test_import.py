"""Importing accounts from CSV: the preview (creates, updates, row errors with row numbers), the file formats people
really send (BOM, semicolons, Latin-1, aliases), the limits, all-or-nothing commits audited once, and the upload →
preview → confirm journey through the page."""

import pickle

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dealreg import services
from dealreg.models import Account
from dealreg.services.accounts import importing
from prm.models import AuditEvent
from tests.dealreg.factories_accounts import AccountFactory

pytestmark = pytest.mark.django_db


def upload(text: str | bytes, name: str = "accounts.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    content = text if isinstance(text, bytes) else text.encode(encoding)
    return SimpleUploadedFile(name, content, content_type="text/csv")


def parse(text: str | bytes, **kwargs) -> services.ImportPreview:
    return services.account_import_parse(file=upload(text, **kwargs))


def by_number(preview: services.ImportPreview) -> dict[int, services.ImportRow]:
    return {row.number: row for row in preview.rows}


HAPPY = (
    "Name,Website,Country,Industry,Size,Named_Account,Customer,Owner\n"
    "Northwind Traders,northwind.com,US,Retail,midmarket,yes,no,Maya Chen\n"
    "Müller Maschinenbau GmbH,https://www.mueller-maschinen.de,Germany,Manufacturing,Enterprise,no,x,\n"
    "Globex,globex.com,,,,,,\n"
)


# --- The preview -----------------------------------------------------------------------------------------------


def test_preview_tells_creates_from_updates_and_writes_nothing():
    existing = AccountFactory(name="Globex Corporation", website="https://www.globex.com", is_customer=False)
    preview = parse(HAPPY)
    rows = by_number(preview)
    assert not preview.has_errors
    assert [r.number for r in preview.creates] == [2, 3]
    assert [r.number for r in preview.updates] == [4]
    assert rows[2].values == {
        "name": "Northwind Traders",
        "website": "northwind.com",
        "country": "US",
        "industry": "Retail",
        "size": "midmarket",
        "is_named_account": True,
        "is_customer": False,
        "account_owner": "Maya Chen",
    }
    assert rows[3].values["country"] == "DE"
    assert rows[3].values["is_customer"] is True
    assert rows[4].account_id == existing.pk
    assert rows[4].changes == {"name": ("Globex Corporation", "Globex")}  # empty cells keep what it has
    assert Account.objects.count() == 1


def test_commit_applies_creates_and_updates_in_one_go_and_audits_once(channel_manager):
    existing = AccountFactory(name="Globex Corporation", website="globex.com", industry="Energy", is_customer=True)
    preview = parse("company;domain;customer;industry\nGlobex Corporation;globex.com;no;\nInitech;initech.io;yes;IT\n")
    result = services.account_import_commit(actor=channel_manager, preview=preview)
    assert (result.created, result.updated, result.total) == (1, 1, 2)
    existing.refresh_from_db()
    assert existing.is_customer is False
    assert existing.industry == "Energy"
    initech = Account.objects.get(name="Initech")
    assert (initech.domain, initech.name_key, initech.is_customer, initech.created_by) == (
        "initech.io",
        "initech",
        True,
        channel_manager,
    )
    [event] = AuditEvent.objects.filter(verb="accounts.imported")
    assert event.after["created"] == 1
    assert event.after["updated"] == 1
    assert event.after["rows"] == 2
    assert AuditEvent.objects.count() == 1  # once, not per row


def test_byte_order_mark_and_semicolons_and_aliases():
    preview = parse("\ufeffACCOUNT;URL;Country;Named\nAcme SA;acme.fr;France;1\n", encoding="utf-8")
    [row] = preview.rows
    assert row.values == {"name": "Acme SA", "website": "acme.fr", "country": "FR", "is_named_account": True}
    assert preview.notes == []


def test_latin1_files_are_read_with_a_note():
    preview = parse("name,country\nSociété Générale,FR\nMüller AG,DE\n", encoding="latin-1")
    assert [row.values["name"] for row in preview.rows] == ["Société Générale", "Müller AG"]
    assert any("not UTF-8" in note for note in preview.notes)


def test_unknown_columns_are_ignored_with_a_note():
    preview = parse("name,favourite colour\nAcme,blue\n")
    assert preview.rows[0].values == {"name": "Acme"}
    assert preview.notes == ["Ignored columns: favourite colour."]


def test_row_errors_carry_row_numbers_and_plain_words():
    preview = parse(
        "name,website,country,size,named_account\n"
        "Acme,acme.com,US,smb,yes\n"
        ",nameless.com,US,,\n"  # row 3
        "Zeta,zeta.com,Narnia,,\n"  # row 4
        "\n"  # a blank line is skipped but still counted
        "Omega,not a site,US,huge,maybe\n"  # row 6
    )
    rows = by_number(preview)
    assert preview.has_errors
    assert [row.number for row in preview.error_rows] == [3, 4, 6]
    assert rows[3].errors == ["The name is missing."]
    assert rows[4].errors == [
        "Unknown country “Narnia”. Use a two-letter code like DE or the English name like Germany."
    ]
    assert len(rows[6].errors) == 3
    assert "“maybe” in named account is not yes or no." in rows[6].errors
    assert not rows[2].errors
    assert rows[2].action == "create"


def test_duplicates_inside_the_file_are_errors():
    existing = AccountFactory(name="Hooli", website="hooli.xyz")
    preview = parse(
        "name,website\n"
        "Acme Inc,acme.com\n"  # 2
        "Acme Holdings,https://www.acme.com/\n"  # 3: same domain as 2
        "Globex Ltd,\n"  # 4
        "GLOBEX LIMITED,globex.com\n"  # 5: same name as 4 after normalisation
        "Hooli,\n"  # 6: updates the existing account
        "Hooli Inc,https://hooli.xyz\n"  # 7: the same existing account again
    )
    rows = by_number(preview)
    assert rows[3].errors == ["Same web domain (acme.com) as row 2: keep one of the two."]
    assert rows[5].errors == ["Same company name as row 4: keep one of the two."]
    assert rows[6].action == "update"
    assert rows[6].account_id == existing.pk
    assert not rows[6].errors
    assert rows[7].errors
    assert [row.number for row in preview.error_rows] == [3, 5, 7]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "The file is empty"),
        ("website,country\nacme.com,US\n", "no name column"),
        ("name,company\nA,B\n", "both mean the name"),
        ("name\n", "no accounts under it"),
    ],
)
def test_files_that_cannot_be_imported_say_why(content, message):
    with pytest.raises(ValidationError, match=message):
        parse(content)


def test_too_many_rows_is_refused_clearly(monkeypatch):
    monkeypatch.setattr(importing, "IMPORT_MAX_ROWS", 3)
    with pytest.raises(ValidationError, match="more than 3 rows; the limit is 3 per import"):
        parse("name\nA\nB\nC\nD\n")
    assert len(parse("name\nA\nB\nC\n").rows) == 3


def test_the_real_row_limit_is_5000():
    content = "name\n" + "".join(f"Company {i}\n" for i in range(5001))
    with pytest.raises(ValidationError, match="more than 5,000 rows"):
        parse(content)


def test_files_over_2_mb_are_refused():
    big = "name,industry\n" + "Acme," + "x" * (2 * 1024 * 1024) + "\n"
    with pytest.raises(ValidationError, match="the limit is 2 MB"):
        parse(big)


def test_commit_refuses_a_preview_with_errors_and_writes_nothing(channel_manager):
    preview = parse("name,country\nAcme,US\nZeta,Narnia\n")
    with pytest.raises(ValidationError, match="1 row"):
        services.account_import_commit(actor=channel_manager, preview=preview)
    assert not Account.objects.exists()
    assert not AuditEvent.objects.exists()


def test_commit_is_all_or_nothing(channel_manager, monkeypatch):
    preview = parse("name\nAcme\nZeta\n")

    def broken_audit(**kwargs):
        raise RuntimeError("the audit trail is down")

    monkeypatch.setattr(importing, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        services.account_import_commit(actor=channel_manager, preview=preview)
    assert not Account.objects.exists()


def test_commit_rechecks_accounts_added_since_the_preview(channel_manager):
    preview = parse("name,website,customer\nAcme,acme.com,yes\n")
    AccountFactory(name="Acme Corp", website="acme.com")
    result = services.account_import_commit(actor=channel_manager, preview=preview)
    assert (result.created, result.updated) == (0, 1)
    assert Account.objects.get().is_customer is True


def test_only_channel_managers_may_commit(partner_a_admin):
    preview = parse("name\nAcme\n")
    with pytest.raises(ValidationError, match="Only channel managers"):
        services.account_import_commit(actor=partner_a_admin, preview=preview)
    assert not Account.objects.exists()


def test_preview_survives_the_cache_and_expires(channel_manager, manager_client):
    preview = parse(HAPPY)
    assert pickle.loads(pickle.dumps(preview)).rows == preview.rows  # noqa: S301 -- what a Redis cache does
    token = services.account_import_store(actor=channel_manager, preview=preview)
    assert services.account_import_load(actor=channel_manager, token=token).rows == preview.rows
    cache.clear()  # 30 minutes later
    with pytest.raises(ValidationError, match="expired"):
        services.account_import_load(actor=channel_manager, token=token)


def test_another_users_token_is_not_accepted(channel_manager):
    from tests.factories import ChannelManagerFactory

    token = services.account_import_store(actor=channel_manager, preview=parse(HAPPY))
    with pytest.raises(ValidationError, match="expired"):
        services.account_import_load(actor=ChannelManagerFactory(), token=token)


# --- Through the page ------------------------------------------------------------------------------------------


def test_upload_page_offers_the_example_file(manager_client):
    response = manager_client.get(reverse("manage:account_import"))
    assert response.status_code == 200
    assert 'download="accounts-example.csv"' in response.text
    assert "Northwind Traders,northwind.com,US" in response.text


def test_upload_preview_confirm_end_to_end(manager_client, channel_manager):
    AccountFactory(name="Globex Corporation", website="globex.com")
    url = reverse("manage:account_import")
    response = manager_client.post(url, {"file": upload(HAPPY)})
    assert response.status_code == 200
    assert "2 new accounts, 1 update" in response.text
    assert "Globex Corporation" in response.text
    assert Account.objects.count() == 1
    token = response.context["token"]
    assert token
    response = manager_client.post(url, {"token": token}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("manage:account_list")
    assert "Imported 3 accounts (2 new, 1 updated)" in response.text
    assert Account.objects.count() == 3
    # The same confirmation twice (a double click) imports nothing more.
    response = manager_client.post(url, {"token": token})
    assert response.status_code == 400
    assert "expired" in response.text
    assert AuditEvent.objects.filter(verb="accounts.imported").count() == 1


def test_preview_with_errors_lists_them_and_offers_no_import(manager_client):
    response = manager_client.post(
        reverse("manage:account_import"), {"file": upload("name,country\nAcme,US\n,DE\nZeta,Narnia\n")}
    )
    assert response.status_code == 200
    assert response.context["token"] == ""
    text = response.text
    assert "Rows to correct" in text
    assert "The name is missing." in text
    assert "Unknown country" in text
    assert 'name="token"' not in text


def test_expired_token_says_so(manager_client):
    response = manager_client.post(reverse("manage:account_import"), {"token": "gone"})
    assert response.status_code == 400
    assert "This import preview has expired" in response.text
    assert not Account.objects.exists()


def test_unreadable_upload_is_400_with_the_reason(manager_client):
    url = reverse("manage:account_import")
    response = manager_client.post(url, {"file": upload("website\nacme.com\n")})
    assert response.status_code == 400
    assert "no name column" in response.text
    response = manager_client.post(url, {})
    assert response.status_code == 400
    assert "Choose the CSV file to import." in response.text
