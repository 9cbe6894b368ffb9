"""The community section on post and article pages, and comment text."""

from django import template
from django.template.loader import render_to_string

from community.sections import section_context
from community.text import render_comment_body
from community.threads import clean_order

register = template.Library()


@register.simple_tag(takes_context=True)
def page_community(context, page):
    """{% page_community page %}: likes, comments and the comment form.

    Reads ?comments= (order) and ?comments_page= from the request. When a
    comment POST failed, the view leaves its bound form on the request so
    the reader's text and the errors are shown in place.
    """
    request = context["request"]
    return render_to_string(
        "community/section.html",
        section_context(
            request,
            page,
            order=clean_order(
                getattr(request, "community_order", None) or request.GET.get("comments")
            ),
            page_number=getattr(request, "community_page_number", None)
            or request.GET.get("comments_page"),
            bound_form=getattr(request, "community_bound_form", None),
        ),
        request=request,
    )


@register.filter
def comment_body(text):
    """{{ comment.body|comment_body }}: escaped, linkified, sanitised HTML."""
    return render_comment_body(text)
