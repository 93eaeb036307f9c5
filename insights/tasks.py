"""Thin Celery tasks of insights: they take ids, re-read, call a service; all are idempotent."""

from celery import shared_task


@shared_task
def summary_refresh() -> dict:
    """Bring the registration roll-ups up to date (months changed since the watermark; a full rebuild nightly)."""
    from insights.summary import summary_refresh as refresh

    return refresh()


@shared_task
def summary_rebuild() -> dict:
    from insights.summary import summary_refresh as refresh

    return refresh(full=True)


@shared_task
def weekly_digest() -> int:
    """Send this week's digest to every channel manager (once per manager per ISO week)."""
    from insights.digest import digest_send_all

    return digest_send_all()


@shared_task
def health_compute_all() -> int:
    """Store every scored partner's health for today (insights.health_store); owners hear of moves to at risk."""
    from insights.health_store import compute_all

    return compute_all()
