"""Signed links to one order, for customers without an account (guests) and
for the links in order emails. The token names the order and expires after
SHOP_ORDER_LINK_MAX_AGE_DAYS; it cannot be forged without the secret key."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from shop.models import Order

SALT = "shop.order-link"


def order_token(order):
    """A signed, timestamped token for `order`."""
    return signing.TimestampSigner(salt=SALT).sign(order.number)


def order_from_token(token):
    """The order a token names; raises signing.SignatureExpired when too old,
    signing.BadSignature when forged and Order.DoesNotExist when gone."""
    max_age = timedelta(days=settings.SHOP_ORDER_LINK_MAX_AGE_DAYS)
    number = signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age)
    return Order.objects.get(number=number)


def order_link(order):
    """The path of the signed order page."""
    return reverse("shop:order_by_link", args=[order_token(order)])


def absolute_url(path):
    """`path` on the site's public address (WAGTAILADMIN_BASE_URL), for emails."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path
