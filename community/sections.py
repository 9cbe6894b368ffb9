"""The context of a page's community section (likes, comment list, forms),
shared by the template tag on page views and by the HTMX partial views."""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from community.forms import CommentForm
from community.likes import like_state
from community.models import ReportReason
from community.pages import cached_page_state
from community.posting import needs_premoderation
from community.threads import DEFAULT_ORDER, build_thread
from core.content_cache import cached


def login_url(next_url):
    """The reader login page, coming back to `next_url` afterwards."""
    return f"{reverse('account_login')}?{urlencode({'next': next_url})}"


def section_context(
    request, page, order=DEFAULT_ORDER, page_number=None, bound_form=None, notice=""
):
    """Template context for `community/section.html` on `page` (specific).

    `bound_form` is a CommentForm that failed validation; it is shown in
    place of the blank form it came from (top level or a reply).
    """
    user = request.user
    likes_open, comments_open = cached_page_state(page)
    context = {
        "page": page,
        "preview": bool(getattr(request, "is_preview", False)),
        "likes_open": likes_open,
        "comments_open": comments_open,
        "notice": notice,
        "login_url": login_url(f"{page.url}#comments"),
        "signup_url": reverse("account_signup"),
        "max_length": settings.COMMUNITY_COMMENT_MAX_LENGTH,
        "report_reasons": ReportReason.choices,
    }
    if context["preview"] or not likes_open:
        return context
    if not comments_open:
        context["page_like"] = like_state(user, page)
        return context
    thread = build_thread(page, user, order, page_number)
    bound_reply_to = None
    if bound_form is not None:
        bound_reply_to = _int_or_none(bound_form.data.get("reply_to"))
    context.update(
        {
            "thread": thread,
            "page_like": thread.page_like,
            "form": bound_form if bound_form is not None and not bound_reply_to else CommentForm(),
            "bound_reply_form": bound_form if bound_reply_to else None,
            "bound_reply_to": bound_reply_to,
            # Kept per content version, which every comment bumps.
            "premoderated": user.is_authenticated
            and cached("premoderated", lambda: needs_premoderation(user), user.pk),
        }
    )
    return context


def reader_marks(context):
    """What of a signed-in reader's section `context` is theirs alone, as a
    short digest: readers with equal digests see the same section (but for
    the CSRF token). None when the section cannot be shared at all (the
    reader has comments awaiting moderation, which only they can read)."""
    thread = context.get("thread")
    if thread is not None and not thread.is_shared:
        return None
    page_like = context.get("page_like")
    marks = [
        bool(page_like and page_like.liked),
        bool(context.get("premoderated")),
        bool(thread and thread.is_banned),
    ]
    for view in thread.views() if thread is not None else ():
        own = (view.like.liked, view.can_edit, view.can_delete, view.is_own)
        if any(own):
            marks.append((view.comment.pk, *own))
    return hashlib.sha256(repr(marks).encode()).hexdigest()[:32]


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
