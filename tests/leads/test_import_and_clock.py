"""Leads from CSV (imports registry: checked rows, all or nothing, each lead matched and handed on), the business
hours clock offers run on (prm.sla.add_business_hours), the beat sweep's task and its schedule."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports import services as imports
from imports.models import ImportJob
from leads.models import Lead
from leads.tasks import leads_sweep
from prm.sla import add_business_hours

UTC = ZoneInfo("UTC")

LEADS_CSV = (
    "Company,Website,Country,Contact,Email,Industry,Size,Product\n"
    "Stark Medical GmbH,stark-medical.de,Germany,Tony Stark,tony@stark.example,Healthcare,midmarket,Analytics\n"
    "Oscorp SA,oscorp.es,ES,Norman,norman@oscorp.example,Retail,enterprise,\n"
    "Broken Row,,Atlantis,,not-an-email,,huge,\n"
)


@pytest.mark.django_db
def test_leads_import_checks_rows_and_creates_matched_leads(
    manager_client, channel_manager, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("leads.csv", LEADS_CSV.encode(), content_type="text/csv")
    assert manager_client.post(reverse("manage:imports"), {"kind": "leads", "file": upload}).status_code == 302
    job = ImportJob.objects.get()
    imports.import_set_mapping(actor=channel_manager, job=job, mapping=job.mapping)
    with django_capture_on_commit_callbacks(execute=True):  # all or nothing: a bad row stops the run
        manager_client.post(reverse("manage:import_preview", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    assert not Lead.objects.exists()
    assert job.error_count == 1
    number, message = job.errors[0][0], job.errors[0][1]
    assert number == 4
    assert "country" in message
    assert "contact email" in message
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("manage:import_preview", args=[job.pk]), {"skip_errors": "1"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.error_message
    assert (job.created_count, job.skipped_count) == (2, 1)
    stark = Lead.objects.get(name="Stark Medical GmbH")
    assert stark.source == Lead.Source.IMPORT
    assert str(stark.country) == "DE"
    assert stark.contact_email == "tony@stark.example"
    assert stark.match_checked_at is not None
    assert stark.created_by == channel_manager


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (datetime(2026, 12, 4, 15, 0), 16, datetime(2026, 12, 8, 15, 0)),  # Friday 15:00 → Tuesday 15:00
        (datetime(2026, 12, 5, 3, 0), 2, datetime(2026, 12, 7, 11, 0)),  # Saturday night → Monday 11:00
        (datetime(2026, 12, 7, 17, 0), 8, datetime(2026, 12, 8, 17, 0)),  # at closing → the next full day
        (datetime(2026, 12, 7, 8, 0), 8, datetime(2026, 12, 7, 17, 0)),  # before opening → the same day
        (datetime(2026, 12, 7, 12, 30), 3.5, datetime(2026, 12, 7, 16, 0)),  # within the day
    ],
)
def test_business_hours(start, hours, expected):
    assert add_business_hours(start.replace(tzinfo=UTC), hours) == expected.replace(tzinfo=UTC)


def test_business_hours_with_another_day():
    start = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert add_business_hours(start, 4, day_start=8, day_end=12) == datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="must start before it ends"):
        add_business_hours(start, 4, day_start=18, day_end=9)


@pytest.mark.django_db
def test_the_sweep_task_runs_and_is_scheduled():
    assert leads_sweep() == {"expired": 0, "outcomes": 0}
    entry = settings.CELERY_BEAT_SCHEDULE["leads-sweep"]
    assert entry["task"] == "leads.tasks.leads_sweep"
    from prm.celery import app

    assert "leads-sweep" in app.conf.beat_schedule
