"""Site-wide background work: scheduled publishing and outgoing email."""

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command


@shared_task(ignore_result=True)
def publish_scheduled_pages():
    """Publish pages whose go-live time has passed and unpublish expired ones."""
    call_command("publish_scheduled")


@shared_task(
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def send_email(subject, text, html, recipients, from_email):
    """Send one already-rendered email (text with an HTML alternative)."""
    message = EmailMultiAlternatives(subject, text, from_email, recipients)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
