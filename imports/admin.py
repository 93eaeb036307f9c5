from django.contrib import admin

from imports.models import ImportJob, ImportMapping


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "filename", "status", "total_rows", "created_count", "updated_count", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("filename", "created_by__email")
    readonly_fields = [f.name for f in ImportJob._meta.fields]


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ("kind", "signature", "user", "updated_at")
    list_filter = ("kind",)
