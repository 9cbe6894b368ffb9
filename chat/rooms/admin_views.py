"""Chat rooms in the Wagtail admin (*Chat rooms* in the menu): list, search,
create, edit and close rooms.

Permissions (granted to groups in core/editorial.py): Editors and Moderators
add and change rooms; closing a room (unticking *open*) hides it and keeps
its messages. Deleting a room erases its whole conversation, so only
superusers hold `rooms.delete_room`.
"""

from django.utils.functional import cached_property
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet

from chat.rooms.models import Room


class RoomCreateView(CreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()


class RoomViewSet(ModelViewSet):
    model = Room
    icon = "comment"
    menu_label = "Chat rooms"
    menu_order = 260
    add_to_admin_menu = True
    add_view_class = RoomCreateView
    copy_view_enabled = False
    search_fields = ["name", "slug", "description"]
    list_filter = ["is_active"]
    # Rooms point at products; readers' rooms are not editorial references.
    add_to_reference_index = False

    @cached_property
    def list_display(self):
        return [
            "name",
            TitleColumn(
                "slug",
                label="Room page",
                accessor=lambda room: room.get_absolute_url(),
                get_url=lambda room: room.get_absolute_url(),
            ),
            BooleanColumn("is_active", label="Open"),
            Column("product", label="Product"),
            DateColumn("created_at", label="Created"),
        ]
