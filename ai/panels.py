"""The page editor's view of AI-suggested tags."""

from wagtail.admin.panels import Panel

from ai.models import AITag


class AITagsPanel(Panel):
    """Lists the AI's tag suggestions for the page with accept/reject controls."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "ai/admin/ai_tags_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            context["page"] = page
            context["ai_tags"] = (
                list(AITag.objects.filter(page_id=page.pk).select_related("tag", "decided_by"))
                if page.pk
                else []
            )
            return context
