import pytest
from django.core import mail
from django.db import transaction

from core.mail import queue_email, render_email


def test_render_email_uses_the_three_templates(tmp_path, settings):
    settings.TEMPLATES = [
        {**engine, "DIRS": [tmp_path, *engine["DIRS"]]} for engine in settings.TEMPLATES
    ]
    (tmp_path / "greeting_subject.txt").write_text("Hello\n {{ name }}\n")
    (tmp_path / "greeting.txt").write_text("Hi {{ name }}, plain.")
    (tmp_path / "greeting.html").write_text("<p>Hi <b>{{ name }}</b></p>")
    subject, text, html = render_email("greeting", {"name": "<Ada>"})
    assert subject == "Hello <Ada>"
    assert text == "Hi <Ada>, plain."
    assert html == "<p>Hi <b>&lt;Ada&gt;</b></p>"


# Serialized: a plain transactional flush re-runs post_migrate (the editorial
# groups), which breaks the serialized restore of the socket tests beside it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_queue_email_sends_after_commit_with_html_alternative(tmp_path, settings):
    settings.TEMPLATES = [
        {**engine, "DIRS": [tmp_path, *engine["DIRS"]]} for engine in settings.TEMPLATES
    ]
    (tmp_path / "note_subject.txt").write_text("A note")
    (tmp_path / "note.txt").write_text("Plain body")
    (tmp_path / "note.html").write_text("<p>HTML body</p>")
    with transaction.atomic():
        queue_email("note", ["ada@example.com", ""], {})
        assert mail.outbox == []  # nothing leaves before the commit
    [message] = mail.outbox
    assert message.subject == "A note"
    assert message.to == ["ada@example.com"]
    assert message.body == "Plain body"
    assert message.alternatives[0][0] == "<p>HTML body</p>"
