"""The Celery application: configured from Django settings (CELERY_*), tasks
discovered in each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

# DjangoTask adds delay_on_commit(), which is how every task is enqueued.
app = Celery("pressroom", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
