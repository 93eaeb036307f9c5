from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The JSON API at /api/v1/ (django-ninja, OpenAPI), its tokens and their pages. Reads and writes through the
    feature apps' services; no other app imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "API"
