"""The notification bell in the Wagtail admin: a menu item with the unread
count, kept live by the same socket as the site's bell."""

from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from notifications.services import unread_count


class NotificationsMenuItem(MenuItem):
    """The admin menu's link to the notifications page."""


def menu_item(label="Notifications"):
    return NotificationsMenuItem(label, reverse("notifications:list"), icon_name="mail", order=10)


@hooks.register("register_admin_menu_item")
def notifications_menu_item():
    return menu_item()


@hooks.register("construct_main_menu")
def show_unread_count(request, menu_items):
    # Registered menu items are shared by every request: swap in a fresh one
    # carrying this user's count rather than changing the shared label.
    count = unread_count(request.user)
    for index, item in enumerate(menu_items):
        if isinstance(item, NotificationsMenuItem) and count:
            menu_items[index] = menu_item(f"Notifications ({count})")


@hooks.register("insert_global_admin_js")
def notifications_admin_script():
    # The shared socket client first: deferred scripts run in document order.
    return format_html(
        '<script src="{}" defer></script>'
        '<script src="{}" defer data-notifications-socket="/ws/notifications/"></script>',
        static("js/socket.js"),
        static("js/notifications.js"),
    )
