"""Template tags for AI-powered page furniture."""

from django import template
from wagtail.permission_policies.pages import PagePermissionPolicy

from ai.jobs import progress
from ai.related import related_pages

register = template.Library()


@register.inclusion_tag("components/related_pages.html")
def related_content(page, heading="Related"):
    """Cards of pages related to `page` by meaning (nothing when none qualify)."""
    return {"pages": related_pages(page), "heading": heading}


@register.inclusion_tag("ai/admin/index_progress.html", takes_context=True)
def ai_index_progress(context):
    """While the AI outbox has pending work, a notice of how much of it is done
    (nothing otherwise), with a link to the AI index report for editors."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"progress": None}
    return {
        "progress": progress(),
        "show_report": PagePermissionPolicy().user_has_any_permission(user, ["change", "publish"]),
    }
