"""The assistant panel, included on pages readers can ask about."""

from django import template

register = template.Library()


@register.inclusion_tag("assistant/panel.html", takes_context=True)
def assistant_panel(context, page=None, heading="Ask about this page"):
    """The chat panel: page-scoped when given a page, site-wide otherwise."""
    return {"page": page, "heading": heading, "request": context.get("request")}
