"""Program setup, notification defaults (/manage/program/notifications/): how channel managers and partner users get
each category of notifications by email when they have not chosen for themselves. Stored and audited in prm
(`prm.notifications.notification_defaults_set`); program admins change them, plain managers read them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from partners.views.setup import program_setup, setup_context
from prm.models import CATEGORY_HELP, NotificationCategory, NotificationPreference
from prm.notifications import notification_defaults, notification_defaults_set

Audience = NotificationPreference.Audience


def _rows(defaults: dict[str, dict[str, str]], errors: dict[str, str]) -> list[dict]:
    return [
        {
            "category": category,
            "label": label,
            "help": CATEGORY_HELP.get(category, ""),
            "cells": [
                {
                    "audience": audience,
                    "audience_label": audience_label,
                    "name": f"{audience}-{category}",
                    "value": defaults[audience][category],
                    "error": errors.get(f"{audience}-{category}", ""),
                }
                for audience, audience_label in Audience.choices
            ],
        }
        for category, label in NotificationCategory.choices
    ]


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def setup_notifications(request: HttpRequest) -> HttpResponse:
    defaults = notification_defaults()
    errors: dict[str, str] = {}
    if request.method == "POST":
        posted = {
            audience: {
                c: request.POST.get(f"{audience}-{c}", defaults[audience][c]) for c in NotificationCategory.values
            }
            for audience in Audience.values
        }
        changed = 0
        for audience, choices in posted.items():
            try:
                changed += notification_defaults_set(actor=request.user, audience=audience, choices=choices)
            except ValidationError as exc:
                errors |= {f"{audience}-{field}": " ".join(msgs) for field, msgs in exc.message_dict.items()}
        if not errors:
            messages.success(
                request,
                f"Saved: {changed} default{'s' if changed != 1 else ''} changed. "
                "People who chose for themselves keep their choice."
                if changed
                else "Nothing changed.",
            )
            return redirect("manage:setup_notifications")
        defaults = posted
    context = setup_context(
        request,
        rows=_rows(defaults, errors),
        audiences=Audience.choices,
        deliveries=NotificationPreference.Delivery.choices,
        has_errors=bool(errors),
        own_choices=NotificationPreference.objects.filter(user__isnull=False).count(),
    )
    return render(request, "partners/setup/notifications.html", context, status=400 if errors else 200)
