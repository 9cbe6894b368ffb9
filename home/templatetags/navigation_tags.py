"""Header and footer tags: the main menu, the site brand and the footer."""

from django import template
from wagtail.models import Site

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
    items = []
    for page in site.root_page.get_children().live().public().in_menu():
        state = None
        if current is not None and current.path.startswith(page.path):
            state = "page" if current.pk == page.pk else "true"
        items.append({"page": page, "current": state})
    return {"menu_items": items}


@register.inclusion_tag("navigation/brand.html", takes_context=True)
def site_brand(context):
    """Logo, name and tagline from SiteSettings."""
    return {"site_settings": _site_settings(context)}


@register.inclusion_tag("navigation/footer.html", takes_context=True)
def site_footer(context):
    """Footer with the site name and social links."""
    return {"site_settings": _site_settings(context)}
