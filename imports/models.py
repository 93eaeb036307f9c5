"""Background CSV imports: a job per uploaded file, and the column mappings remembered per header set."""

from typing import ClassVar

from django.conf import settings
from django.db import models

from prm.uploads import private_storage, upload_path


class ImportJob(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"  # the file is stored, its header read
        MAPPED = "mapped", "Mapped"  # the columns are mapped: the preview shows the first rows
        VALIDATING = "validating", "Checking"  # the worker checks every row
        READY = "ready", "Has errors"  # checked: some rows have errors, nothing imported; fix or skip them
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"  # nothing was imported

    ACTIVE = (Status.VALIDATING, Status.RUNNING)

    kind = models.CharField(max_length=40)
    file = models.FileField(storage=private_storage, upload_to=upload_path("imports"), max_length=300)
    filename = models.CharField(max_length=200)
    encoding = models.CharField(max_length=20, default="utf-8-sig")
    delimiter = models.CharField(max_length=1, default=",")
    headers = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="import_jobs"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPLOADED, db_index=True)
    mapping = models.JSONField(default=dict, blank=True)  # column index (as text) → field name
    skip_errors = models.BooleanField(default=False)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)  # progress of the current phase
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)  # rows with errors
    errors = models.JSONField(default=list, blank=True)  # the first rows with errors: [[row, message], …]
    error_message = models.TextField(blank=True)  # why the run failed
    report = models.FileField(
        storage=private_storage, upload_to=upload_path("imports/reports"), max_length=300, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes: ClassVar = [models.Index(fields=["created_by", "-created_at"])]

    def __str__(self) -> str:
        return f"Import {self.pk}: {self.filename}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class ImportMapping(models.Model):
    """The mapping last used for a set of column names: per user, and a global one (user empty) for everyone."""

    kind = models.CharField(max_length=40)
    signature = models.CharField(max_length=64)  # sha256 of the normalised header names
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["kind", "signature", "user"], name="imports_mapping_per_user"),
            models.UniqueConstraint(
                fields=["kind", "signature"], condition=models.Q(user__isnull=True), name="imports_mapping_global"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} mapping {self.signature[:8]}"
