"""Observability: Prometheus metrics, request ids in logs and Sentry events,
JSON logs, and opt-in Sentry, for the web, WebSocket and Celery processes."""
