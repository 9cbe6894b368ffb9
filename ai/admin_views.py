"""Admin views where editors accept or reject AI-suggested tags.

Deciding never creates a page revision: the decision lives on the AITag row.
A rejected tag is kept (hidden) so it is not suggested again for that page.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST
from wagtail.models import Page

from ai.models import AITag
from core.content_cache import bump_content_version

DECISIONS = {"accept": AITag.Status.ACCEPTED, "reject": AITag.Status.REJECTED}


def _editable_page(request, page_id):
    page = get_object_or_404(Page, pk=page_id).specific
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return page


def review_tags(request, page_id):
    """The AI tags of one page, each with accept and reject buttons."""
    page = _editable_page(request, page_id)
    ai_tags = AITag.objects.filter(page_id=page.pk).select_related("tag", "decided_by")
    return TemplateResponse(
        request, "ai/admin/review_tags.html", {"page": page, "ai_tags": ai_tags}
    )


@require_POST
def decide_tag(request, tag_id, decision):
    """Accept or reject one suggestion; answers the row (for scripts) or redirects."""
    if decision not in DECISIONS:
        raise PermissionDenied
    ai_tag = get_object_or_404(AITag.objects.select_related("tag"), pk=tag_id)
    _editable_page(request, ai_tag.page_id)
    ai_tag.status = DECISIONS[decision]
    ai_tag.decided_by = request.user
    ai_tag.decided_at = timezone.now()
    ai_tag.save(update_fields=["status", "decided_by", "decided_at"])
    bump_content_version()  # cached tag menus change with the decision
    if request.headers.get("X-Requested-With") == "fetch":
        return TemplateResponse(request, "ai/admin/ai_tag_row.html", {"ai_tag": ai_tag})
    return redirect("ai_review_tags", page_id=ai_tag.page_id)
