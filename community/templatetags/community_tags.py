"""The community section on post and article pages, and comment text."""

import hashlib

from django import template
from django.template.loader import render_to_string

from community.sections import section_context
from community.text import render_comment_body
from community.threads import clean_order
from core.content_cache import cached

register = template.Library()


@register.simple_tag(takes_context=True)
def page_community(context, page):
    """{% page_community page %}: likes, comments and the comment form.

    Reads ?comments= (order) and ?comments_page= from the request. When a
    comment POST failed, the view leaves its bound form on the request so
    the reader's text and the errors are shown in place.
    """
    request = context["request"]
    order = clean_order(getattr(request, "community_order", None) or request.GET.get("comments"))
    page_number = getattr(request, "community_page_number", None) or request.GET.get(
        "comments_page"
    )
    bound_form = getattr(request, "community_bound_form", None)

    def render():
        return render_to_string(
            "community/section.html",
            section_context(
                request, page, order=order, page_number=page_number, bound_form=bound_form
            ),
            request=request,
        )

    if (
        request.user.is_authenticated
        or bound_form is not None
        or getattr(request, "is_preview", False)
    ):
        return render()
    # Every anonymous reader sees the same section (no token, no name, no
    # form of their own): rendered once per content version, which comments,
    # likes and bans bump.
    number = hashlib.sha256(str(page_number).encode()).hexdigest()
    return cached("community-section", render, page.pk, page.live_revision_id, order, number)


@register.filter
def comment_body(text):
    """{{ comment.body|comment_body }}: escaped, linkified, sanitised HTML."""
    return render_comment_body(text)
