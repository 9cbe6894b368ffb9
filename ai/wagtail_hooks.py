"""Admin registrations for the AI app: tag review URLs, the editor script, and
the AI index report with its retry action."""

from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies.pages import PagePermissionPolicy

from ai import admin_views


@hooks.register("register_admin_urls")
def register_ai_urls():
    return [
        path("ai/pages/<int:page_id>/tags/", admin_views.review_tags, name="ai_review_tags"),
        path(
            "ai/tags/<int:tag_id>/<slug:decision>/",
            admin_views.decide_tag,
            name="ai_decide_tag",
        ),
        path("reports/ai-index/", admin_views.AIIndexReportView.as_view(), name="ai_index_report"),
        path(
            "reports/ai-index/results/",
            admin_views.AIIndexReportView.as_view(results_only=True),
            name="ai_index_report_results",
        ),
        path("reports/ai-index/<int:job_id>/retry/", admin_views.retry_job, name="ai_retry_job"),
    ]


class AIIndexMenuItem(MenuItem):
    def is_shown(self, request):
        return PagePermissionPolicy().user_has_any_permission(request.user, ["change", "publish"])


@hooks.register("register_reports_menu_item")
def register_ai_index_menu_item():
    return AIIndexMenuItem(
        "AI index", reverse("ai_index_report"), name="ai-index", icon_name="resubmit", order=900
    )


@hooks.register("insert_editor_js")
def ai_tag_review_script():
    return format_html('<script src="{}" defer></script>', static("ai/js/tag_review.js"))
