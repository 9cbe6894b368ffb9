"""Reader actions: post, reply, edit, delete and report comments; like pages
and comments. Every form works as a plain POST with a redirect, and with
HTMX (the response is the fragment to swap). Logic lives in the services."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from wagtail.models import Page

from community.forms import CommentForm, ReportForm
from community.likes import LikeRefused, resolve_target, set_like
from community.models import Comment, CommentStatus, ReportReason
from community.moderation import ModerationError, report_comment
from community.pages import accepts_likes
from community.posting import (
    CommentRefused,
    can_delete,
    can_edit,
    delete_comment,
    edit_comment,
    post_comment,
)
from community.sections import login_url, section_context
from community.threads import clean_order, single_comment

INVALID = 422  # htmx is configured (base.html) to swap 422 responses too


def _safe_next(request):
    """The local URL the form asked to return to (`next`, else the HTMX
    page), or "/" for anything pointing elsewhere."""
    if request.method == "GET" and not request.htmx:
        return request.get_full_path()
    back = request.POST.get("next") or request.headers.get("HX-Current-URL") or "/"
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return "/"


def reader_required(view):
    """Signed-in readers only; others go to the login page (HTMX: a client redirect)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        target = login_url(_safe_next(request))
        return HttpResponseClientRedirect(target) if request.htmx else redirect(target)

    return wrapper


def _state(request):
    """The comment order and page number the form was posted from."""
    return clean_order(request.POST.get("comments")), request.POST.get("comments_page")


def _readable_comment(request, pk):
    """The comment, if the reader may see it on a live, public page; else 404."""
    comment = get_object_or_404(
        Comment.objects.visible_to(request.user).select_related("page"), pk=pk
    )
    page = comment.page.specific
    if not accepts_likes(page):
        raise Http404("No such comment.")
    comment.page = page
    return comment


def _anchor(comment):
    return f"{comment.page.url}#comment-{comment.pk}"


def _render_section(request, page, notice="", bound_form=None, status=200):
    order, page_number = _state(request)
    context = section_context(
        request, page, order=order, page_number=page_number, bound_form=bound_form, notice=notice
    )
    return render(request, "community/section.html", context, status=status)


def _comment_partial(request, comment, status=200):
    view = single_comment(comment.pk, request.user)
    context = {
        "view": view,
        "page": comment.page,
        "report_reasons": ReportReason.choices,
        "login_url": login_url(comment.page.url),
    }
    return render(request, "community/comment.html", context, status=status)


# Comments -------------------------------------------------------------------


@require_POST
@reader_required
def post_comment_view(request, page_id):
    page = get_object_or_404(Page.objects.live().specific(), pk=page_id)
    if not accepts_likes(page):
        # Not a live, public post or article: nothing to show or comment on.
        raise Http404("No such page.")
    form = CommentForm(request.POST)
    comment = None
    if form.is_valid():
        reply_to = None
        try:
            if form.cleaned_data["reply_to"]:
                reply_to = Comment.objects.filter(
                    pk=form.cleaned_data["reply_to"], page=page
                ).first()
                if reply_to is None:
                    raise CommentRefused("That comment no longer exists.")
            comment = post_comment(request.user, page, form.cleaned_data["body"], reply_to)
        except CommentRefused as refusal:
            form.add_error("body", str(refusal))
    if comment is None:
        if request.htmx:
            return _render_section(request, page, bound_form=form, status=INVALID)
        # Without JavaScript: the page itself, with the reader's text and the error.
        request.community_bound_form = form
        request.community_order, request.community_page_number = _state(request)
        response = page.serve(request)
        response.status_code = INVALID
        return response
    notice = (
        "Thanks! Your comment will appear once a moderator has read it."
        if comment.status == CommentStatus.PENDING
        else "Your comment is published."
    )
    if request.htmx:
        return _render_section(request, page, notice=notice)
    messages.success(request, notice)
    return redirect(_anchor(comment))


@require_http_methods(["GET"])
def show_comment(request, pk):
    """The comment alone (HTMX, e.g. after cancelling an edit), or its place on the page."""
    comment = _readable_comment(request, pk)
    if request.htmx:
        return _comment_partial(request, comment)
    return redirect(_anchor(comment))


@require_http_methods(["GET", "POST"])
@reader_required
def edit_comment_view(request, pk):
    comment = _readable_comment(request, pk)
    if not can_edit(request.user, comment):
        messages.error(request, "This comment can no longer be edited.")
        if request.htmx:
            return _comment_partial(request, comment, status=403)
        return redirect(_anchor(comment))
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            edit_comment(request.user, comment, form.cleaned_data["body"])
        except CommentRefused as refusal:
            form.add_error("body", str(refusal))
        else:
            if request.htmx:
                return _comment_partial(request, comment)
            messages.success(request, "Your comment is updated.")
            return redirect(_anchor(comment))
    template = "community/edit_form.html" if request.htmx else "community/edit_page.html"
    status = INVALID if request.method == "POST" else 200
    context = {
        "form": form,
        "comment": comment,
        "edit_minutes": settings.COMMUNITY_EDIT_WINDOW_MINUTES,
    }
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@reader_required
def delete_comment_view(request, pk):
    comment = _readable_comment(request, pk)
    if not can_delete(request.user, comment):
        raise Http404("No such comment.")
    if request.method == "GET":
        return render(request, "community/delete_page.html", {"comment": comment})
    delete_comment(request.user, comment)
    if request.htmx:
        return _render_section(request, comment.page, notice="Your comment is deleted.")
    messages.success(request, "Your comment is deleted.")
    return redirect(f"{comment.page.url}#comments")


@require_http_methods(["GET", "POST"])
@reader_required
def report_comment_view(request, pk):
    comment = _readable_comment(request, pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _, created = report_comment(
                request.user, comment, form.cleaned_data["reason"], form.cleaned_data["details"]
            )
        except ModerationError as refusal:
            form.add_error(None, str(refusal))
        else:
            notice = (
                "Thank you. A moderator will look at this comment."
                if created
                else "You have already reported this comment."
            )
            if request.htmx:
                return render(
                    request, "community/reported.html", {"notice": notice, "comment": comment}
                )
            messages.success(request, notice)
            return redirect(_anchor(comment))
    status = INVALID if request.method == "POST" else 200
    return render(
        request, "community/report_page.html", {"form": form, "comment": comment}, status=status
    )


# Likes ----------------------------------------------------------------------


@require_POST
@reader_required
def like_view(request):
    """Like (liked=1) or unlike (liked=0) a page or comment.

    Anything that cannot be liked is the same 404 with the same body, so the
    endpoint does not tell which page or comment ids exist.
    """
    back = _safe_next(request)
    try:
        target = resolve_target(request.POST.get("target"), request.user)
        state = set_like(request.user, target, request.POST.get("liked") == "1")
    except LikeRefused as refusal:
        if request.htmx:
            return HttpResponse(str(refusal), status=404, content_type="text/plain")
        raise Http404(str(refusal)) from None
    if request.htmx:
        return render(
            request,
            "community/like_button.html",
            {"like": state, "next_url": back, "login_url": login_url(back)},
        )
    anchor = f"#comment-{target.pk}" if isinstance(target, Comment) else "#comments"
    return redirect(back + anchor)
