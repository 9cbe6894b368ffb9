"""The Celery application: configured from Django settings (CELERY_*), tasks
discovered in each app's tasks.py."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

# PressroomTask (a DjangoTask) adds delay_on_commit(), which is how every task
# is enqueued, and in the embedded mode can run it off the request thread.
app = Celery("pressroom", task_cls="config.celery_tasks:PressroomTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs):
    """The worker and beat log through Django's LOGGING (LOG_FORMAT, request
    ids) instead of Celery's own format."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
