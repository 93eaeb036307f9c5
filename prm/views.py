import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from prm.access import is_channel_manager, member_required, public, user_membership
from prm.notifications import inbox_list, inbox_mark_read

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
