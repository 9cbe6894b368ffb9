"""The Celery application: configured from Django settings (CELERY_*), tasks
discovered in each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

# PressroomTask (a DjangoTask) adds delay_on_commit(), which is how every task
# is enqueued, and in the embedded mode can run it off the request thread.
app = Celery("pressroom", task_cls="config.celery_tasks:PressroomTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
