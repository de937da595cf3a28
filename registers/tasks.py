"""Celery tasks of the registers: large imports and exports, cleaning old jobs, webhook deliveries.

Thin: they take ids and call ``registers.jobs`` and the register's own import or export
(``Register.import_job_run``, ``Register.export_job_run``).
"""

from celery import shared_task

from . import jobs, registry, webhooks
from .models import Job, WebhookDelivery


@shared_task(acks_late=True, soft_time_limit=20 * 60, time_limit=25 * 60)
def export_task(job_id):
    """Write a large export to the job's file, with progress (started by the list's export link)."""
    job = Job.objects.select_related("user").filter(pk=job_id, kind=Job.Kind.EXPORT).exclude(
        status__in=Job.FINISHED).first()
    if job is None:  # finished already (a redelivered message) or cleaned away
        return None
    with jobs.failing_on_error(job):
        return registry.loaded()[job.subject].export_job_run(job).status


@shared_task(acks_late=True, soft_time_limit=10 * 60, time_limit=12 * 60)
def clean_jobs_task():
    """Delete the import and export jobs older than JOBS_KEEP_DAYS, and their files (beat, daily)."""
    return jobs.jobs_clean()


@shared_task(acks_late=True, soft_time_limit=20 * 60, time_limit=25 * 60)
def import_task(job_id):
    """Import the rows waiting in a job's file into its register, all or nothing, with progress
    (started by the register's import page for a large file)."""
    job = Job.objects.select_related("user").filter(pk=job_id, kind=Job.Kind.IMPORT).exclude(
        status__in=Job.FINISHED).first()
    if job is None:  # finished already (a redelivered message) or cleaned away
        return None
    with jobs.failing_on_error(job):
        return registry.loaded()[job.subject].import_job_run(job)


@shared_task(bind=True, acks_late=True, max_retries=None, soft_time_limit=60, time_limit=90)
def deliver_webhook_task(self, delivery_id):
    """Post one webhook delivery; a failed attempt is tried again after an exponential backoff
    (``webhooks.backoff``) until WEBHOOK_MAX_ATTEMPTS; every attempt is logged with its response."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(
        pk=delivery_id, status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING]).first()
    if delivery is None:  # delivered or given up already (a redelivered message), or deleted
        return None
    attempt = webhooks.deliver(delivery)
    while attempt.retry_in_seconds and self.request.is_eager:  # no worker (development): the tries follow at once
        attempt = webhooks.deliver(delivery)
    if attempt.retry_in_seconds:
        raise self.retry(countdown=attempt.retry_in_seconds)
    return delivery.status
