"""The link from a product page to the product's chat room."""

from django import template

from chat.rooms.messaging import open_rooms
from core.content_cache import cached

register = template.Library()


def _room_link(product_id):
    room = open_rooms().filter(product_id=product_id).order_by("name", "pk").first()
    # A dict even without a room: None would count as a cache miss every time.
    return {"name": room.name, "url": room.get_absolute_url()} if room else {}


@register.inclusion_tag("rooms/includes/product_room_link.html")
def product_room_link(product):
    """A link to the product's open chat room, if it has one; cached under the
    content version (room changes bump it), so a warm page view costs no query."""
    return {"room": cached("product-room", lambda: _room_link(product.pk), product.pk)}
