"""The site assistant page in the demo menu."""

from django.contrib.auth import get_user_model

from chat.assistant.models import AssistantPage
from home.demo import publish_through_review
from home.models import HomePage


def seed(stdout):
    """Create the assistant page once; returns a summary."""
    home = HomePage.objects.first()
    if home is None or AssistantPage.objects.exists():
        return ""
    page = home.add_child(
        instance=AssistantPage(
            title="Ask Pressroom",
            slug="assistant",
            intro=(
                "Ask about anything we have published: posts, long reads and products. "
                "Answers quote our pages and link to the sections they come from."
            ),
            show_in_menus=True,
        )
    )
    editor = get_user_model().objects.get(username="editor")
    publish_through_review(page, editor, editor)
    return "assistant page"
