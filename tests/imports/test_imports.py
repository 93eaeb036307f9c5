"""Background CSV imports: upload → mapping (remembered) → preview → run (all or nothing) → report."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dealreg.models import Account, Registration
from imports import services
from imports.models import ImportJob, ImportMapping
from imports.registry import get_importer
from insights.models import CustomerContract
from partners.models import Partner, Tier
from prm.models import AuditEvent

pytestmark = pytest.mark.django_db


def _file(text: str, name: str = "accounts.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _upload(client, kind: str, text: str, name: str = "file.csv", encoding: str = "utf-8"):
    return client.post(reverse("manage:imports"), {"kind": kind, "file": _file(text, name, encoding)})


def _run(client, job: ImportJob, django_capture_on_commit_callbacks, *, skip: bool = False) -> ImportJob:
    data = {"skip_errors": "1"} if skip else {}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("manage:import_preview", args=[job.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:import_detail", args=[job.pk])
    job.refresh_from_db()
    return job


def _report(client, job: ImportJob) -> list[list[str]]:
    response = client.get(reverse("manage:import_report", args=[job.pk]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


ACCOUNTS = "Company,Web site,Country,Size\nAcme GmbH,acme.de,Germany,enterprise\nGlobex,globex.com,US,smb\n"


def test_accounts_import_end_to_end(manager_client, channel_manager, django_capture_on_commit_callbacks):
    Account.objects.create(name="Globex", website="https://globex.com", country="US", created_by=channel_manager)
    response = _upload(manager_client, "accounts", ACCOUNTS + "Initech,initech.io,,\n")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:import_mapping", args=[job.pk])
    assert job.total_rows == 3
    assert job.headers == ["Company", "Web site", "Country", "Size"]
    # "Company" is a synonym of the name; "Web site" → web_site, an alias of the website.
    assert job.mapping == {"0": "name", "1": "website", "2": "country", "3": "size"}

    page = manager_client.get(reverse("manage:import_mapping", args=[job.pk]))
    assert page.status_code == 200
    assert "Column 2: <strong>Web site</strong>" in page.content.decode()
    response = manager_client.post(
        reverse("manage:import_mapping", args=[job.pk]), {"col_0": "name", "col_1": "website", "col_2": "country"}
    )
    assert response.status_code == 302
    preview = manager_client.get(reverse("manage:import_preview", args=[job.pk]))
    body = preview.content.decode()
    assert "New account Acme GmbH" in body
    assert "Globex: no change" in body
    assert "New account Initech" in body
    assert Account.objects.count() == 1  # the preview saves nothing

    job = _run(manager_client, job, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.updated_count, job.skipped_count) == (2, 0, 1)
    acme = Account.objects.get(name="Acme GmbH")
    assert (acme.country, acme.domain, acme.size) == ("DE", "acme.de", "")  # size was not mapped
    event = AuditEvent.objects.get(verb="import.applied")
    assert event.after["created"] == 2
    assert event.after["rows"] == 3
    assert _report(manager_client, job)[:4] == [
        ["row", "outcome", "reason"],
        ["", "created", "2"],
        ["", "updated", "0"],
        ["", "skipped", "1"],
    ]


def test_mapping_is_remembered_for_the_same_columns(manager_client, channel_manager):
    text = "Firma,Adresse\nAcme,acme.de\n"
    _upload(manager_client, "accounts", text)
    first = ImportJob.objects.get()
    assert first.mapping == {}  # neither column name means anything to us
    response = manager_client.post(reverse("manage:import_mapping", args=[first.pk]), {"col_0": "name"})
    assert response.status_code == 302
    assert ImportMapping.objects.filter(kind="accounts").count() == 2  # the manager's own and the global one
    manager_client.post(reverse("manage:import_mapping", args=[first.pk]), {"col_0": "name", "col_1": "website"})

    _upload(manager_client, "accounts", "firma , ADRESSE\nGlobex,globex.com\n")
    second = ImportJob.objects.exclude(pk=first.pk).get()
    assert second.mapping == {"0": "name", "1": "website"}
    # Different columns: back to the names.
    _upload(manager_client, "accounts", "Firma,Adresse,Land\nInitech,initech.io,DE\n")
    third = ImportJob.objects.order_by("-pk").first()
    assert third.mapping == {}


def test_required_field_and_double_mapping_are_refused(manager_client):
    _upload(manager_client, "accounts", "Firma,Adresse\nAcme,acme.de\n")
    job = ImportJob.objects.get()
    response = manager_client.post(reverse("manage:import_mapping", args=[job.pk]), {"col_1": "website"})
    assert response.status_code == 400
    assert "Map a column to each required field: name is missing." in response.content.decode()
    response = manager_client.post(reverse("manage:import_mapping", args=[job.pk]), {"col_0": "name", "col_1": "name"})
    assert response.status_code == 400
    assert "Two columns are mapped to the same field (name)" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED


BAD = "name,website,country\nAcme,acme.de,DE\nBroken,not a url,DE\nGlobex,globex.com,Atlantis\nInitech,initech.io,\n"


def test_bad_rows_show_in_preview_and_nothing_is_imported_until_skipped(
    manager_client, django_capture_on_commit_callbacks
):
    _upload(manager_client, "accounts", BAD)
    job = ImportJob.objects.get()
    manager_client.post(
        reverse("manage:import_mapping", args=[job.pk]), {"col_0": "name", "col_1": "website", "col_2": "country"}
    )
    body = manager_client.get(reverse("manage:import_preview", args=[job.pk])).content.decode()
    assert "2 with errors" in body
    assert "“not a url” is not a web address." in body
    assert "Unknown country “Atlantis”." in body

    job = _run(manager_client, job, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.READY
    assert job.error_count == 2
    assert job.total_rows == 4
    assert [number for number, _ in job.errors] == [3, 4]
    assert Account.objects.count() == 0
    page = manager_client.get(reverse("manage:import_detail", args=[job.pk])).content.decode()
    assert "2 rows of 4 have errors: nothing was imported." in page
    report = _report(manager_client, job)
    assert report[4][:2] == ["3", "error"]
    assert report[5][:2] == ["4", "error"]

    job = _run(manager_client, job, django_capture_on_commit_callbacks, skip=True)
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.updated_count, job.skipped_count) == (2, 0, 2)
    assert sorted(Account.objects.values_list("name", flat=True)) == ["Acme", "Initech"]
    assert [row[:2] for row in _report(manager_client, job)[4:]] == [["3", "skipped"], ["4", "skipped"]]


def test_a_failure_mid_way_leaves_nothing(manager_client, channel_manager, monkeypatch):
    rows = "".join(f"Company {i},company{i}.com\n" for i in range(1, 2501))
    _upload(manager_client, "accounts", "name,website\n" + rows)
    job = ImportJob.objects.get()
    services.import_set_mapping(actor=channel_manager, job=job, mapping=job.mapping)
    importer = get_importer("accounts")
    original = type(importer).apply
    calls = []

    def apply_then_fail(self, batch, actor):
        calls.append(len(batch))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(self, batch, actor)

    monkeypatch.setattr(type(importer), "apply", apply_then_fail)
    services.import_start(actor=channel_manager, job=job)
    job = services.import_run(job_id=job.pk)
    assert calls == [1000, 1000]  # the first batch was written, then the second failed
    assert job.status == ImportJob.Status.FAILED
    assert "unexpected problem (RuntimeError). Nothing was imported." in job.error_message
    assert Account.objects.count() == 0
    assert not AuditEvent.objects.filter(verb="import.applied").exists()
    page = manager_client.get(reverse("manage:import_detail", args=[job.pk])).content.decode()
    assert "The import failed." in page


def test_progress_page_polls_while_running(manager_client, channel_manager, django_assert_max_num_queries):
    _upload(manager_client, "accounts", ACCOUNTS)
    job = ImportJob.objects.get()
    services.import_set_mapping(actor=channel_manager, job=job, mapping=job.mapping)
    services.import_start(actor=channel_manager, job=job)  # the task waits for the commit that never comes here
    services._progress(job, 1)
    page = manager_client.get(reverse("manage:import_detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert '<progress value="1" max="2"' in page
    assert "1 of 2 rows" in page
    with django_assert_max_num_queries(5):  # polled every second: session, user, memberships, the job
        partial = manager_client.get(reverse("manage:import_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<section id="import-status"')
    services.import_run(job_id=job.pk)
    done = manager_client.get(reverse("manage:import_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in done  # finished: the polling stops
    assert "<strong>Done.</strong> 2 created, 0 updated, 0 skipped" in done


def test_a_run_starts_once(manager_client, channel_manager):
    _upload(manager_client, "accounts", ACCOUNTS)
    job = ImportJob.objects.get()
    services.import_set_mapping(actor=channel_manager, job=job, mapping=job.mapping)
    services.import_start(actor=channel_manager, job=job)
    response = manager_client.post(reverse("manage:import_preview", args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:import_detail", args=[job.pk])
    with pytest.raises(Exception, match="started already"):
        services.import_start(actor=channel_manager, job=job)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "is empty"),
        ("blank.csv", b"\n\n", "The file is empty. Its first line holds the column names"),
        ("header.csv", b"name,website\n", "The file has a header line but no rows under it."),
        ("sheet.xlsx", b"PK\x03\x04binary", "is not a CSV file."),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "This is not a CSV file (it holds binary data)."),
        ("quote.csv", b'name,website\n"Acme\x0b,acme.de\n' + b"x" * 10, "could not be read as CSV"),
    ],
)
def test_unusable_files_get_a_clear_message(manager_client, name, content, message, settings):
    import csv as csv_module

    if name == "quote.csv":  # an unterminated quote at the end of the file is an error only in strict mode
        content = b'name,website\n"Acme,acme.de\n'
        csv_module.field_size_limit(10)
    try:
        response = manager_client.post(
            reverse("manage:imports"), {"kind": "accounts", "file": SimpleUploadedFile(name, content)}
        )
    finally:
        csv_module.field_size_limit(1024 * 1024)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_wrong_column_names_need_a_mapping(manager_client):
    _upload(manager_client, "accounts", "foo,bar\n1,2\n")
    job = ImportJob.objects.get()
    page = manager_client.get(reverse("manage:import_preview", args=[job.pk]))
    assert page.status_code == 302
    assert page["Location"] == reverse("manage:import_mapping", args=[job.pk])
    response = manager_client.post(reverse("manage:import_mapping", args=[job.pk]), {"col_0": "", "col_1": ""})
    assert "name is missing" in response.content.decode()


def test_windows_encoded_file_is_read(manager_client, channel_manager, django_capture_on_commit_callbacks):
    _upload(manager_client, "accounts", "name,country\nSociété Générale,FR\nMüller AG,DE\n", encoding="cp1252")
    job = ImportJob.objects.get()
    assert job.encoding == "cp1252"
    services.import_set_mapping(actor=channel_manager, job=job, mapping=job.mapping)
    _run(manager_client, job, django_capture_on_commit_callbacks)
    assert sorted(Account.objects.values_list("name", flat=True)) == ["Müller AG", "Société Générale"]


def test_partner_users_cannot_reach_imports(admin_client_a, outsider_client, manager_client, channel_manager):
    _upload(manager_client, "accounts", ACCOUNTS)
    job = ImportJob.objects.get()
    urls = [
        reverse("manage:imports"),
        reverse("manage:import_detail", args=[job.pk]),
        reverse("manage:import_mapping", args=[job.pk]),
        reverse("manage:import_preview", args=[job.pk]),
        reverse("manage:import_report", args=[job.pk]),
    ]
    for client in (admin_client_a, outsider_client):
        for url in urls:
            assert client.get(url).status_code == 404, url
        assert client.post(reverse("manage:import_delete", args=[job.pk])).status_code == 404
    assert ImportJob.objects.filter(pk=job.pk).exists()


# --- The feature apps' importers -------------------------------------------------------------------------------


def _import(client, actor, kind: str, text: str, capture, *, skip: bool = False) -> ImportJob:
    _upload(client, kind, text)
    job = ImportJob.objects.order_by("-pk").first()
    services.import_set_mapping(actor=actor, job=job, mapping=job.mapping)
    return _run(client, job, capture, skip=skip)


def test_partners_import_creates_and_updates(manager_client, channel_manager, django_capture_on_commit_callbacks):
    gold = Tier.objects.create(name="Gold", rank=3)
    existing = Partner.objects.create(name="Northwind", type=Partner.Type.RESELLER)
    text = (
        "Partner,Type,Website,Country,Region,Segment,Tier\n"
        "Northwind,,northwind.com,,EMEA,,Gold\n"
        'Fabrikam,msp,fabrikam.io,"Germany, FR",emea;apac,SMB,\n'
        "Nowhere,alien,,,,,Platinum\n"
    )
    job = _import(manager_client, channel_manager, "partners", text, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.READY
    assert job.error_count == 1
    assert job.errors[0][0] == 4
    assert "“alien” is not a type" in job.errors[0][1]
    assert "No tier is called “Platinum” (Gold)." in job.errors[0][1]
    job = _run(manager_client, job, django_capture_on_commit_callbacks, skip=True)
    assert job.status == ImportJob.Status.DONE, job.error_message
    assert (job.created_count, job.updated_count, job.skipped_count) == (1, 1, 1)
    existing.refresh_from_db()
    assert (existing.website, existing.regions, existing.tier_id) == ("https://northwind.com", ["emea"], gold.pk)
    fabrikam = Partner.objects.get(name="Fabrikam")
    assert fabrikam.type == "msp"
    assert sorted(str(c) for c in fabrikam.countries) == ["DE", "FR"]
    assert fabrikam.regions == ["emea", "apac"]
    assert fabrikam.segments == ["smb"]
    assert AuditEvent.objects.filter(verb="partner.created", partner=fabrikam).exists()


def test_registrations_import_runs_conflict_detection(
    manager_client,
    channel_manager,
    partner_a,
    partner_a_admin,
    partner_b,
    partner_b_user,
    django_capture_on_commit_callbacks,
):
    text = (
        "partner,customer,website,contact,email,value,currency,expected close,involvement,submit\n"
        f"{partner_a.name},Acme Corp,acme.com,Ann Lee,ann@acme.com,48000,EUR,2027-03-31,sourced,yes\n"
        f"{partner_b.pk},Acme Corporation,https://www.acme.com,Bo Ma,bo@acme.com,12000,EUR,2027-04-30,influenced,yes\n"
        f"{partner_a.name},Draft Co,,,,,,,,\n"
    )
    job = _import(manager_client, channel_manager, "registrations", text, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE, job.error_message or job.errors
    assert job.created_count == 3
    first = Registration.objects.get(name="Acme Corp")
    second = Registration.objects.get(name="Acme Corporation")
    assert first.partner == partner_a
    assert first.created_by == partner_a_admin
    assert first.value == Decimal("48000.00")
    assert second.partner == partner_b
    assert second.status == Registration.Status.SUBMITTED
    assert second.has_conflict  # the second partner's registration of the same customer collides with the first
    assert Registration.objects.get(name="Draft Co").status == Registration.Status.DRAFT


def test_registrations_to_submit_need_the_required_fields(manager_client, channel_manager, partner_a, partner_a_admin):
    _upload(
        manager_client, "registrations", f"partner,customer,submit\n{partner_a.name},Acme,yes\nNobody Inc,Acme,no\n"
    )
    job = ImportJob.objects.get()
    services.import_set_mapping(actor=channel_manager, job=job, mapping=job.mapping)
    rows = services.import_preview(job=job)
    assert rows[0].errors == [
        "To submit, add the contact's name, the contact's email, the estimated value, the expected close date."
    ]
    assert rows[1].errors == ["No partner is called “Nobody Inc” (check the spelling, or use its id)."]


def test_contracts_import(manager_client, channel_manager, partner_a, django_capture_on_commit_callbacks):
    text = (
        "customer,start,amount,currency,partner\n"
        'Acme,2026-01-01,"12,000",EUR,Northwind Solutions\n'
        "Globex,2026-02-01,5000,USD,\n"
    )
    job = _import(manager_client, channel_manager, "contracts", text, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE, job.errors
    acme = CustomerContract.objects.get(customer_name="Acme")
    assert (acme.amount, acme.currency, acme.partner) == (Decimal("12000.00"), "EUR", partner_a)
    assert CustomerContract.objects.get(customer_name="Globex").partner is None
    # The same file again: each row is refused as existing, nothing doubles.
    again = _import(manager_client, channel_manager, "contracts", text, django_capture_on_commit_callbacks)
    assert again.status == ImportJob.Status.READY
    assert again.error_count == 2
    assert "This contract exists already" in again.errors[0][1]
    assert CustomerContract.objects.count() == 2


def test_opportunities_import(manager_client, channel_manager, django_capture_on_commit_callbacks):
    acme = Account.objects.create(name="Acme", website="acme.com", created_by=channel_manager)
    text = "account,title,amount,currency,close date\nacme.com,Rollout,25000,EUR,2027-01-31\nAcme,Renewal,,,\n"
    job = _import(manager_client, channel_manager, "opportunities", text, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE
    assert job.created_count == 2
    assert sorted(acme.opportunities.values_list("title", "amount")) == [
        ("Renewal", None),
        ("Rollout", Decimal("25000.00")),
    ]


def test_mdf_allocations_import(
    manager_client, channel_manager, partner_a, partner_b, django_capture_on_commit_callbacks
):
    from mdf.ledger import balance_of
    from mdf.models import Budget
    from mdf.services import current_period

    text = f'partner,amount,memo\n{partner_a.name},5000,Q launch\n{partner_b.pk},"2,500.50",\n{partner_a.name},-3,\n'
    job = _import(manager_client, channel_manager, "mdf_allocations", text, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.READY
    assert job.errors[0][0] == 4
    assert job.errors[0][1] == (
        f"“-3” is not an amount (write 5000 or 5,000.00); {partner_a.name} is already on line 2"
    )
    job = _run(manager_client, job, django_capture_on_commit_callbacks, skip=True)
    assert job.created_count == 2
    assert job.skipped_count == 1
    period = current_period()
    assert balance_of(Budget.objects.get(partner=partner_a, period=period)).allocated == Decimal("5000.00")
    assert balance_of(Budget.objects.get(partner=partner_b, period=period)).allocated == Decimal("2500.50")


def test_delete_forgets_the_job_and_its_files(manager_client, channel_manager, django_capture_on_commit_callbacks):
    _upload(manager_client, "accounts", ACCOUNTS)
    job = ImportJob.objects.get()
    services.import_set_mapping(actor=channel_manager, job=job, mapping=job.mapping)
    job = _run(manager_client, job, django_capture_on_commit_callbacks)
    event = AuditEvent.objects.get(verb="import.applied")
    assert event.summary == "imported file.csv: 2 created, 0 updated, 0 skipped"
    storage, names = job.file.storage, [job.file.name, job.report.name]
    assert all(storage.exists(name) for name in names)
    response = manager_client.post(reverse("manage:import_delete", args=[job.pk]))
    assert response.status_code == 302
    assert not ImportJob.objects.exists()
    assert not any(storage.exists(name) for name in names)
    assert Account.objects.count() == 2  # what was imported stays


def test_broker_down_puts_the_job_back_with_a_message(
    manager_client, channel_manager, monkeypatch, django_capture_on_commit_callbacks
):
    from imports.tasks import import_run

    def unreachable(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(import_run, "delay", unreachable)
    _upload(manager_client, "accounts", ACCOUNTS)
    job = ImportJob.objects.get()
    services.import_set_mapping(actor=channel_manager, job=job, mapping=job.mapping)
    job = _run(manager_client, job, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.MAPPED
    page = manager_client.get(reverse("manage:import_preview", args=[job.pk])).content.decode()
    assert "The background workers could not be reached: nothing was imported." in page
    assert Account.objects.count() == 0
