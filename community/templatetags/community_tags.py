"""The community section on post and article pages, and comment text."""

import functools
import hashlib

from django import template
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe

from community.sections import reader_marks, section_context
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

    if bound_form is not None or getattr(request, "is_preview", False):
        return _render_section(
            request,
            section_context(
                request, page, order=order, page_number=page_number, bound_form=bound_form
            ),
        )
    number = hashlib.sha256(str(page_number).encode()).hexdigest()
    if not request.user.is_authenticated:
        # Every anonymous reader sees the same section (no token, no name, no
        # form of their own): rendered once per content version, which
        # comments, likes and bans bump.
        return cached(
            "community-section",
            lambda: _render_section(
                request, section_context(request, page, order=order, page_number=page_number)
            ),
            page.pk,
            page.live_revision_id,
            order,
            number,
        )
    context = section_context(request, page, order=order, page_number=page_number)
    marks = reader_marks(context)
    if marks is None:
        return _render_section(request, context)
    # Signed-in readers with the same marks (most have none on a given page)
    # share one rendering per content version; only the CSRF token differs,
    # and it is put in after. The placeholder is keyed to SECRET_KEY, so no
    # comment can contain it.
    placeholder = csrf_placeholder()
    html = cached(
        "community-section-member",
        lambda: _render_section(request, {**context, "csrf_token": placeholder}),
        page.pk,
        page.live_revision_id,
        order,
        number,
        marks,
    )
    return mark_safe(html.replace(placeholder, get_token(request)))  # noqa: S308 (our own HTML)


def _render_section(request, context):
    return render_to_string("community/section.html", context, request=request)


@functools.cache
def csrf_placeholder():
    """The stand-in for the CSRF token in shared renderings of the section."""
    return "csrf-" + salted_hmac("community.section.csrf", "placeholder").hexdigest()


@register.filter
def comment_body(text):
    """{{ comment.body|comment_body }}: escaped, linkified, sanitised HTML."""
    return render_comment_body(text)
