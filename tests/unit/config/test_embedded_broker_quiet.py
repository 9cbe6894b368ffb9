"""The embedded mode (no broker) runs tasks eagerly without a word about brokers."""

import logging

import pytest

from ai import tasks
from config.celery_app import app

pytestmark = pytest.mark.django_db


def test_an_eager_task_logs_no_broker_hostname_warning(caplog):
    assert app.conf.task_always_eager  # the test settings have no broker
    with caplog.at_level(logging.WARNING):
        result = tasks.sweep.apply_async()
    assert result.successful()
    kombu_warnings = [
        record.getMessage() for record in caplog.records if record.name.startswith("kombu")
    ]
    assert kombu_warnings == []
    assert not any("hostname" in record.getMessage() for record in caplog.records)
