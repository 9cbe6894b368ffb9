"""Periodic site maintenance run by Celery beat."""

from celery import shared_task
from django.core.management import call_command


@shared_task(ignore_result=True)
def publish_scheduled_pages():
    """Publish pages whose go-live time has passed and unpublish expired ones."""
    call_command("publish_scheduled")
