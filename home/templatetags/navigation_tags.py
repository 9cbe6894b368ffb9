"""Header and footer tags: the main menu, the site brand and the footer."""

from django import template
from wagtail.models import Site

from core.content_cache import cached
from core.privacy import public_pages
from home.models import SiteSettings

register = template.Library()


def _site_settings(context):
    request = context.get("request")
    if request is None:
        return None
    return SiteSettings.for_request(request)


@register.inclusion_tag("navigation/main_menu.html", takes_context=True)
def main_menu(context):
    """The live, public children of the site root marked "show in menus"."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return {"menu_items": []}
    current = context.get("page")

    def menu_entries():
        return [
            {"title": page.title, "url": page.get_url(request), "path": page.path, "pk": page.pk}
            for page in public_pages(site.root_page.get_children().live().in_menu())
        ]

    items = []
    for entry in cached("main-menu", menu_entries, site.pk):
        state = None
        if current is not None and current.path.startswith(entry["path"]):
            state = "page" if current.pk == entry["pk"] else "true"
        items.append({**entry, "current": state})
    return {"menu_items": items}


@register.inclusion_tag("navigation/brand.html", takes_context=True)
def site_brand(context):
    """Logo, name and tagline from SiteSettings."""
    return {"site_settings": _site_settings(context)}


@register.inclusion_tag("navigation/footer.html", takes_context=True)
def site_footer(context):
    """Footer with the site name and social links."""
    return {"site_settings": _site_settings(context)}


@register.inclusion_tag("navigation/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    """Links to the current page's ancestors below the tree root."""
    page = context.get("page")
    request = context.get("request")
    if page is None:
        return {"ancestors": []}

    def ancestor_links():
        return [
            {
                "title": "Home" if ancestor.depth == 2 else ancestor.title,
                "url": ancestor.get_url(request),
            }
            for ancestor in page.get_ancestors().filter(depth__gte=2)
        ]

    return {"ancestors": cached("breadcrumbs", ancestor_links, page.pk), "page": page}
