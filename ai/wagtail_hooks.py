"""Admin registrations for the AI app: tag review URLs and the editor script."""

from django.templatetags.static import static
from django.urls import path
from django.utils.html import format_html
from wagtail import hooks

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
    ]


@hooks.register("insert_editor_js")
def ai_tag_review_script():
    return format_html('<script src="{}" defer></script>', static("ai/js/tag_review.js"))
