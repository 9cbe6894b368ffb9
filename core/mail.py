"""Outgoing email, rendered in the request and sent by Celery after commit.

Templates come in threes under one prefix: `<prefix>_subject.txt`,
`<prefix>.txt` (rendered without HTML escaping) and `<prefix>.html`.
Rendering happens in the caller's process (where the objects are at hand);
the Celery task only receives strings, so it never re-reads state that may
have changed, and a slow mail server never slows a request.
"""

from django.conf import settings
from django.template.loader import render_to_string

from core.tasks import send_email


def render_email(template_prefix, context):
    """(subject, text body, HTML body) rendered from the three templates."""
    # Subject and text go through the "text" engine: no HTML escaping there.
    subject = render_to_string(f"{template_prefix}_subject.txt", context, using="text")
    subject = " ".join(subject.split())  # headers cannot contain newlines
    text = render_to_string(f"{template_prefix}.txt", context, using="text")
    html = render_to_string(f"{template_prefix}.html", context)
    return subject, text, html


def queue_email(template_prefix, recipients, context, from_email=None):
    """Render the email now and send it from a Celery worker once the
    surrounding transaction commits (immediately in the embedded mode)."""
    recipients = [address for address in recipients if address]
    if not recipients:
        return
    subject, text, html = render_email(template_prefix, context)
    send_email.delay_on_commit(
        subject=subject,
        text=text,
        html=html,
        recipients=recipients,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
    )
