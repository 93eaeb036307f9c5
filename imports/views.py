"""The channel managers' CSV imports: upload, map the columns, preview, run in the background, read the report."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from imports import services
from imports.models import ImportJob
from imports.registry import Importer, get_importer, importers
from prm.access import manager_required
from prm.csv_export import csv_response, csv_time, exports_csv
from prm.forms import attach_errors

RECENT = 20


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds")
    file = forms.FileField(label="CSV file", help_text="The first line holds the column names.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Choose…")] + [(i.kind, i.label) for i in importers()]


def _job(pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)


def _importer(job: ImportJob) -> Importer:
    importer = get_importer(job.kind)
    if importer is None:  # its app no longer registers it: the job can be read and deleted, not continued
        raise Http404("Nothing imports this kind of file any more.")
    return importer


def _recent():
    return ImportJob.objects.select_related("created_by")[:RECENT]


def _index(request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
    jobs = _recent()
    context = {"form": form, "jobs": jobs, "importers": importers()}
    return render(request, "imports/index.html", context, status=status)


@exports_csv("manage:imports_export")
@manager_required
def import_index(request: HttpRequest) -> HttpResponse:
    """Recent imports and the upload form."""
    if request.method != "POST":
        return _index(request, UploadForm(initial={"kind": request.GET.get("kind", "")}))
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _index(request, form, status=400)
    try:
        job = services.import_upload(actor=request.user, kind=form.cleaned_data["kind"], file=form.cleaned_data["file"])
    except ValidationError as exc:
        attach_errors(form, exc)
        return _index(request, form, status=400)
    return redirect("manage:import_mapping", pk=job.pk)


IMPORTS_HEADER = [
    "id",
    "file",
    "kind",
    "status",
    "rows",
    "created",
    "updated",
    "skipped",
    "rows with errors",
    "by",
    "uploaded",
    "finished",
]


@manager_required
def imports_export(request: HttpRequest) -> HttpResponse:
    """The recent imports the page lists, with their outcome counts."""
    rows = (
        [
            job.pk,
            job.filename,
            job.kind,
            job.get_status_display(),
            job.total_rows,
            job.created_count,
            job.updated_count,
            job.skipped_count,
            job.error_count,
            job.created_by.email if job.created_by else "",
            csv_time(job.created_at),
            csv_time(job.finished_at),
        ]
        for job in _recent()
    )
    return csv_response(name="imports", header=IMPORTS_HEADER, rows=rows)


@manager_required
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """Which column holds which field: suggested from the names, remembered from the last file like it."""
    job = _job(pk)
    importer = _importer(job)
    problem = ""
    mapping = job.mapping
    if request.method == "POST":
        mapping = {str(i): request.POST.get(f"col_{i}", "") for i in range(len(job.headers))}
        try:
            services.import_set_mapping(actor=request.user, job=job, mapping=mapping)
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            return redirect("manage:import_preview", pk=job.pk)
    columns = [(str(i), header, mapping.get(str(i), "")) for i, header in enumerate(job.headers)]
    context = {"job": job, "importer": importer, "columns": columns, "problem": problem}
    return render(request, "imports/mapping.html", context, status=400 if problem else 200)


@manager_required
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The first rows as they will be read, each with its errors; "Import" starts the run."""
    job = _job(pk)
    if job.status == ImportJob.Status.UPLOADED:
        return redirect("manage:import_mapping", pk=job.pk)
    if job.status not in (ImportJob.Status.MAPPED, ImportJob.Status.READY):
        return redirect("manage:import_detail", pk=job.pk)
    importer = _importer(job)
    problem = ""
    if request.method == "POST":
        try:
            services.import_start(actor=request.user, job=job, skip_errors=request.POST.get("skip_errors") == "1")
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            return redirect("manage:import_detail", pk=job.pk)
    rows = services.import_preview(job=job)
    fields = [importer.field(name) for name in job.mapping.values()]
    context = {
        "job": job,
        "importer": importer,
        "rows": rows,
        "fields": [f for f in importer.fields if f in fields],
        "error_rows": sum(1 for r in rows if r.errors),
        "problem": problem,
        "preview_size": services.PREVIEW_ROWS,
    }
    return render(request, "imports/preview.html", context, status=400 if problem else 200)


@manager_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job: a progress bar while it runs (htmx polls the partial every second), then its outcome."""
    job = _job(pk)
    context = {
        "job": job,
        "importer": get_importer(job.kind),
        "done": services.progress_of(job),
        "max_errors": services.MAX_ERRORS_KEPT,
    }
    template = "imports/job.html#status" if request.htmx else "imports/job.html"
    return render(request, template, context)


@manager_required
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(pk)
    return csv_response(
        name=f"import-{job.pk}-report", header=["row", "outcome", "reason"], rows=services.report_rows(job)
    )


@manager_required
@require_POST
def import_delete(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(pk)
    try:
        services.import_discard(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("manage:import_detail", pk=job.pk)
    messages.success(request, f"The import of {job.filename} was deleted.")
    return redirect("manage:imports")
