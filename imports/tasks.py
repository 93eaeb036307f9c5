"""Thin Celery task of the imports: load the job by id and run it (idempotent: a job not waiting is left alone)."""

from celery import shared_task


@shared_task
def import_run(job_id: int) -> str:
    from imports.services import import_run as run

    job = run(job_id=job_id)
    return job.status if job is not None else "missing"
