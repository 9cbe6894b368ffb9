"""Template tags for AI-powered page furniture."""

from django import template

from ai.related import related_pages

register = template.Library()


@register.inclusion_tag("components/related_pages.html")
def related_content(page, heading="Related"):
    """Cards of pages related to `page` by meaning (nothing when none qualify)."""
    return {"pages": related_pages(page), "heading": heading}
