import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prm.access import is_channel_manager, member_required, public, user_membership
from prm.models import NotificationPreference
from prm.notifications import (
    DAILY_SUMMARY,
    BadUnsubscribeToken,
    inbox_get,
    inbox_list,
    inbox_mark_read,
    inbox_message_html,
    notification_preferences,
    notification_preferences_set,
    unsubscribe_apply,
    unsubscribe_categories,
    unsubscribe_read,
)

logger = logging.getLogger(__name__)


@public
def home(request: HttpRequest) -> HttpResponse:
    """Send everyone to their own app: staff to /manage/, partner users to /portal/."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    if is_channel_manager(request.user):
        return redirect("manage:dashboard")
    if user_membership(request.user):
        return redirect("portal:home")
    return render(request, "prm/no_access.html", status=403)


@public
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(value in ("ok", "eager") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.warning("Health check: database unreachable: %s", exc)
        return f"error: {type(exc).__name__}"
    return "ok"


def _check_broker() -> str:
    if not settings.REDIS_URL:
        return "eager"  # no broker configured: tasks run in-process
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except Exception as exc:
        logger.warning("Health check: broker unreachable: %s", exc)
        return f"error: {type(exc).__name__}"
    return "ok"


@member_required
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = list(inbox_list(user=request.user)[:100])
    return render(request, "prm/inbox.html", {"notifications": notifications})


@member_required
@require_POST
def inbox_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and show it (a POST, so a prefetch never marks anything read)."""
    notification = inbox_get(user=request.user, pk=pk)
    if notification is None:
        return redirect("inbox")
    inbox_mark_read(user=request.user, notification_id=notification.pk)
    return redirect("inbox_message", pk=notification.pk)


@member_required
@require_GET
def inbox_message(request: HttpRequest, pk: int) -> HttpResponse:
    """One message as it was written (the rendered email's message, sanitised), with a button to its object."""
    notification = inbox_get(user=request.user, pk=pk)
    if notification is None:
        raise Http404("Not found")
    body = mark_safe(inbox_message_html(notification))  # noqa: S308 - cleaned by nh3 in inbox_message_html
    return render(request, "prm/notification_message.html", {"notification": notification, "body": body})


@member_required
@require_POST
def inbox_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and follow its link (a POST, so a prefetch never marks anything read)."""
    notification = inbox_list(user=request.user).filter(pk=pk).first()
    if notification is None:
        return redirect("inbox")
    inbox_mark_read(user=request.user, notification_id=notification.pk)
    return redirect(notification.url or "inbox")


@member_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    inbox_mark_read(user=request.user)
    return redirect("inbox")


# --- Notification preferences and unsubscribing ------------------------------------------------------------------


@member_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_preferences_page(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own choices, per category: right away, daily summary, off, or the program's default.
    There is no user id in the URL: nobody can see or change anyone else's."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        choices = {
            row["category"]: request.POST.get(row["category"], "")
            for row in notification_preferences(user=request.user)
        }
        try:
            changed = notification_preferences_set(user=request.user, choices=choices)
        except ValidationError as exc:
            errors = {field: " ".join(msgs) for field, msgs in exc.message_dict.items()}
        else:
            messages.success(request, "Saved." if changed else "Nothing changed.")
            return redirect("notification_preferences")
    rows = notification_preferences(user=request.user)
    for row in rows:
        row["error"] = errors.get(row["category"], "")
        if errors:
            row["own"] = request.POST.get(row["category"], row["own"])
    return render(
        request,
        "prm/notification_preferences.html",
        {"rows": rows, "deliveries": NotificationPreference.Delivery.choices, "has_errors": bool(errors)},
    )


@public
@csrf_exempt  # the signed token is the proof; mail providers post RFC 8058 one-click unsubscribes without a form
@require_http_methods(["GET", "HEAD", "POST"])
def notification_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """From an email's footer (no sign-in): GET asks to confirm, POST turns the category off. A tampered or expired
    link gets a page that says so and where to go instead."""
    try:
        user, category = unsubscribe_read(token)
    except BadUnsubscribeToken as exc:
        return render(request, "prm/notification_unsubscribe.html", {"bad": exc.reason}, status=400)
    from prm.models import NotificationCategory

    if request.method == "POST":
        labels = unsubscribe_apply(user=user, category=category)
        return render(request, "prm/notification_unsubscribe.html", {"done": True, "labels": labels, "who": user.email})
    if category == DAILY_SUMMARY:
        labels = [str(NotificationCategory(c).label) for c in unsubscribe_categories(user=user, category=category)]
    else:
        labels = [str(NotificationCategory(category).label)]
    return render(
        request,
        "prm/notification_unsubscribe.html",
        {"labels": labels, "who": user.email, "token": token, "daily": category == DAILY_SUMMARY},
    )


@public
@require_http_methods(["GET", "HEAD", "POST"])
def login_unlock(request: HttpRequest, token: str) -> HttpResponse:
    """From the failed-sign-ins mail (no sign-in): GET asks to confirm (mail scanners follow links), POST lifts every
    throttle on the account and sends the owner to the sign-in page."""
    from prm import login_throttle

    email = login_throttle.email_from_token(token)
    if email is None:
        return render(request, "prm/login_unlock.html", {"bad": True}, status=400)
    if request.method == "POST":
        login_throttle.unlock(email)
        messages.success(request, "Failed attempts are forgotten: sign in with your password now.")
        return redirect("account_login")
    return render(request, "prm/login_unlock.html", {"token": token})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 400 handler: an upload stopped at the size limit gets its own page (413) saying the limit."""
    from django.views.defaults import bad_request as default_bad_request

    from prm.uploads import UploadTooLarge, too_large_response

    if isinstance(exception, UploadTooLarge):
        return too_large_response(request)
    return default_bad_request(request, exception)
