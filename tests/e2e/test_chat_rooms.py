"""Two readers and a moderator in one chat room, in headless Chromium: a
message typed by one appears for the others without reload, and the
moderator's deletion removes it from every window."""

import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from chat.rooms.models import Room, RoomMessage


def signed_in_page(new_context, daphne, username, group=None):
    """A browser window with the session of a new user."""
    user = get_user_model().objects.create_user(username, f"{username}@example.com", "pw")
    if group:
        user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    context = new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": daphne.url}]
    )
    return context.new_page()


def test_messages_and_deletions_reach_every_window_live(live_db, daphne, new_context, screenshot):
    suffix = uuid.uuid4().hex[:8]
    room = Room.objects.create(name="Night owls", slug=f"night-owls-{suffix}")
    reader = signed_in_page(new_context, daphne, f"rita-{suffix}")
    moderator = signed_in_page(new_context, daphne, f"mona-{suffix}", group="Moderators")
    visitor = new_context(viewport={"width": 390, "height": 844}).new_page()
    for page in (reader, moderator, visitor):
        page.goto(room.get_absolute_url())
    for page in (reader, moderator, visitor):
        page.locator("[data-room-presence]", has_text="3 people here now").wait_for()
    assert visitor.locator("[data-room-form]").count() == 0  # visitors read only

    text = "<b>Owls</b> hunt at dusk & dawn"
    reader.fill("#room-text", text)
    reader.keyboard.press("Enter")
    for page in (reader, moderator, visitor):
        # Shown as typed: as text, never as HTML.
        page.locator(".room-message__text", has_text=text).wait_for()
        assert page.locator(".room-message__text b").count() == 0
    assert reader.input_value("#room-text") == ""
    message = RoomMessage.objects.get(room=room)
    assert message.text == text
    assert reader.locator(f'[data-message-id="{message.pk}"] button').count() == 0
    screenshot(moderator, "rooms-1-moderator-sees-message")

    moderator.on("dialog", lambda dialog: dialog.accept())
    moderator.locator(f'[data-message-id="{message.pk}"] button', has_text="Delete").click()
    for page in (reader, moderator, visitor):
        page.locator(f'[data-message-id="{message.pk}"]').wait_for(state="detached")
        assert page.locator("[data-room-empty]").is_visible()
    message.refresh_from_db()
    assert message.deleted_at is not None
    screenshot(visitor, "rooms-2-visitor-after-deletion-mobile")
