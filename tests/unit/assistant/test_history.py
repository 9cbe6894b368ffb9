"""Readers see and clear their own assistant history, nobody else's."""

import pytest
from django.test import Client
from django.urls import reverse

from chat.assistant.models import Conversation, Message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def conversation_for(user, title, answer="An answer with <script>alert(1)</script> [1]."):
    conversation = Conversation.objects.create(user=user, title=title)
    Message.objects.create(conversation=conversation, role="user", text=title)
    Message.objects.create(
        conversation=conversation,
        role="assistant",
        text=answer,
        sources=[{"number": 1, "title": "Ferry", "url": "/blog/ferry/", "anchor": "on-board"}],
    )
    return conversation


def test_history_lists_own_conversations_escaped(client, django_assert_max_num_queries):
    reader = UserFactory(username="history-reader")
    other = UserFactory(username="history-other")
    conversation_for(reader, "Is there soup?")
    conversation_for(other, "Someone else's question")
    client.force_login(reader)
    client.get(reverse("assistant_history"))  # steady state: settings row and content version exist
    with django_assert_max_num_queries(15):
        html = client.get(reverse("assistant_history")).content.decode()
    assert "Is there soup?" in html
    assert "Someone else" not in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="/blog/ferry/#on-board">[1] Ferry</a>' in html


def test_clear_and_delete_only_touch_own_conversations(client):
    reader = UserFactory(username="clearer")
    other = UserFactory(username="bystander")
    mine = conversation_for(reader, "Mine")
    theirs = conversation_for(other, "Theirs")
    client.force_login(reader)
    response = client.post(reverse("assistant_delete", args=(theirs.pk,)))
    assert response.status_code == 404
    assert Conversation.objects.filter(pk=theirs.pk).exists()
    client.post(reverse("assistant_delete", args=(mine.pk,)))
    assert not Conversation.objects.filter(pk=mine.pk).exists()
    conversation_for(reader, "Another")
    client.post(reverse("assistant_history_clear"))
    assert not Conversation.objects.filter(user=reader).exists()
    assert Conversation.objects.filter(pk=theirs.pk).exists()


def test_anonymous_history_follows_the_session():
    browser = Client()
    session = browser.session
    session["assistant"] = True
    session.save()
    Conversation.objects.create(session_key=session.session_key, title="Anonymous question")
    Conversation.objects.create(session_key="someone-else", title="Other session")
    html = browser.get(reverse("assistant_history")).content.decode()
    assert "Anonymous question" in html and "Other session" not in html


def test_clearing_needs_csrf_and_post():
    browser = Client(enforce_csrf_checks=True)
    reader = UserFactory(username="csrf-reader")
    conversation_for(reader, "Keep me")
    browser.force_login(reader)
    assert browser.get(reverse("assistant_history_clear")).status_code == 405
    assert browser.post(reverse("assistant_history_clear")).status_code == 403
    assert Conversation.objects.filter(user=reader).exists()


def test_old_conversations_are_purged(settings):
    from datetime import timedelta

    from django.utils import timezone

    from chat.assistant.conversations import purge_expired

    settings.CHAT_RETENTION_DAYS = 30
    old = Conversation.objects.create(session_key="x", title="Old")
    Conversation.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=31))
    fresh = Conversation.objects.create(session_key="x", title="Fresh")
    purge_expired()
    assert list(Conversation.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_the_assistant_gives_anonymous_readers_a_session_on_demand(client):
    from django.urls import reverse

    from tests.factories import BlogIndexPageFactory, PostPageFactory

    post = PostPageFactory(parent=BlogIndexPageFactory())
    response = client.get(post.url)
    # The page itself sets no cookie (it may come from the page cache); the
    # panel asks for the session that keeps the conversation.
    assert "sessionid" not in response.cookies
    html = response.content.decode()
    assert f'data-session-url="{reverse("assistant_session")}"' in html
    session = client.get(reverse("assistant_session"))
    assert session.status_code == 204 and "sessionid" in session.cookies
    assert 'data-assistant data-socket-path="/ws/assistant/"' in html
    assert f'data-page-id="{post.pk}"' in html
    assert "The assistant needs JavaScript" in html
