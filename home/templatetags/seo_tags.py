"""Search-engine and sharing metadata: canonical URL, Open Graph, Twitter and
JSON-LD, derived from the page so editors fill in nothing extra."""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from wagtail.images.models import SourceImageIOError

from home.models import SiteSettings

register = template.Library()

SOCIAL_RENDITION = "fill-1200x630"

# The characters json_script escapes, so page text cannot close the element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _drop_empty(value):
    if isinstance(value, dict):
        return {k: _drop_empty(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_drop_empty(item) for item in value]
    return value


@register.simple_tag(takes_context=True)
def json_ld(context, page):
    """A <script type="application/ld+json"> element for the page, or nothing."""
    get_json_ld = getattr(page, "get_json_ld", None)
    if get_json_ld is None:
        return ""
    data = _drop_empty(get_json_ld(context.get("request")))
    encoded = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(encoded))  # noqa: S308


@register.inclusion_tag("components/page_meta.html", takes_context=True)
def page_meta(context, page):
    """Description, canonical link, Open Graph and Twitter card tags."""
    request = context.get("request")
    description = ""
    if hasattr(page, "get_summary"):
        description = page.get_summary()
    image_url = ""
    image = page.get_listing_image() if hasattr(page, "get_listing_image") else None
    if image is not None and request is not None:
        try:
            image_url = request.build_absolute_uri(image.get_rendition(SOCIAL_RENDITION).url)
        except SourceImageIOError:
            # The original cannot be read (the media bucket is down): the page
            # goes out without a sharing image rather than not at all.
            image_url = ""
    return {
        "page": page,
        "title": page.seo_title or page.title,
        "description": " ".join(description.split())[:300],
        "canonical_url": page.get_full_url(request),
        "image_url": image_url,
        "og_type": getattr(page, "og_type", "website"),
        "site_name": SiteSettings.for_request(request).name if request else "",
    }
