"""Site-wide background work: scheduled publishing and outgoing email."""

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command

# A mail server or CDN that refuses or cannot be reached: try again later,
# backing off up to ten minutes between attempts.
RETRY_NETWORK_ERRORS = {
    "ignore_result": True,
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
}


@shared_task(ignore_result=True)
def publish_scheduled_pages():
    """Publish pages whose go-live time has passed and unpublish expired ones."""
    call_command("publish_scheduled")


@shared_task(**RETRY_NETWORK_ERRORS, max_retries=5)
def send_email(subject, text, html, recipients, from_email):
    """Send one already-rendered email (text with an HTML alternative)."""
    message = EmailMultiAlternatives(subject, text, from_email, recipients)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@shared_task(ignore_result=True)
def resend_parked_tasks(batch=500):
    """Send again the tasks parked while the broker was unreachable (oldest
    first); each stays parked until the broker takes it."""
    from config.celery_app import app
    from core.models import ParkedTask

    for parked in ParkedTask.objects.all()[:batch]:
        try:
            app.send_task(parked.task_name, parked.args, parked.kwargs)
        except Exception as error:  # still down: keep the rest for the next run
            ParkedTask.objects.filter(pk=parked.pk).update(
                attempts=parked.attempts + 1, last_error=str(error)
            )
            return
        parked.delete()


@shared_task(**RETRY_NETWORK_ERRORS, max_retries=8)
def purge_frontend_cache(urls):
    """Purge these URLs from every configured CDN backend (core.frontend_cache);
    a refused or unreachable purge raises, so Celery retries it."""
    from wagtail.contrib.frontend_cache.utils import get_backends

    for backend in get_backends().values():
        backend.purge_batch(urls)
