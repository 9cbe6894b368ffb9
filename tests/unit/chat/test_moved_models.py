"""The assistant and the rooms left the `chat` app for apps of their own:
a database migrated before the move keeps every row, and the content types
(with the permissions groups hold) follow the models."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from chat.assistant.models import Conversation, Message
from chat.rooms.models import Room

BEFORE_THE_MOVE = [("chat", "0002_rooms")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rows_and_permissions_survive_the_move():
    old_apps = migrate(BEFORE_THE_MOVE)
    # The database as it was: models, tables and content types under "chat".
    old_content_types = old_apps.get_model("contenttypes", "ContentType").objects
    room_type = old_content_types.get(app_label="chat", model="room")
    page_type = old_content_types.get(app_label="chat", model="assistantpage")
    old_room = old_apps.get_model("chat", "Room").objects.create(name="Lounge", slug="lounge")
    old_apps.get_model("chat", "RoomMessage").objects.create(room=old_room, text="Hello there")
    conversation = old_apps.get_model("chat", "Conversation").objects.create(title="Ferries")
    old_apps.get_model("chat", "Message").objects.create(
        conversation=conversation, role="user", text="When does it leave?"
    )
    old_group_model = old_apps.get_model("auth", "Group")
    old_permission_model = old_apps.get_model("auth", "Permission")
    group = old_group_model.objects.create(name="Room keepers")
    group.permissions.add(
        old_permission_model.objects.get(content_type=room_type, codename="change_room")
    )

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    room = Room.objects.get(slug="lounge")
    assert [message.text for message in room.messages.all()] == ["Hello there"]
    assert Conversation.objects.get(pk=conversation.pk).title == "Ferries"
    assert Message.objects.get(conversation_id=conversation.pk).text == "When does it leave?"
    # The same content type rows, relabelled: nothing pointing at them changed.
    assert ContentType.objects.get_for_model(Room).pk == room_type.pk
    assert ContentType.objects.get(app_label="assistant", model="assistantpage").pk == page_type.pk
    assert not ContentType.objects.filter(app_label="chat").exists()
    keepers = Group.objects.get(name="Room keepers")
    assert list(keepers.permissions.values_list("content_type__app_label", "codename")) == [
        ("rooms", "change_room")
    ]
