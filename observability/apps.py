from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created


class ObservabilityConfig(AppConfig):
    name = "observability"
    verbose_name = "Observability"

    def ready(self):
        from observability import celery_signals
        from observability.database import instrument_connection

        connection_created.connect(instrument_connection, dispatch_uid="observability-db")
        celery_signals.connect()
        if settings.SENTRY_DSN:
            from observability.sentry import init_sentry

            init_sentry(
                settings.SENTRY_DSN,
                environment=settings.SENTRY_ENVIRONMENT,
                release=settings.SENTRY_RELEASE,
                traces_sample_rate=settings.SENTRY_TRACES_SAMPLE_RATE,
            )
