"""What a page type can do, declared by mixing in a capability.

Each capability is a small mixin for Wagtail page classes. The app that
implements it reads the declaration and never lists page types:

- `Indexable`, read by `ai`: the page's text is in the AI index (search by
  meaning, the assistant's sources, AI tags and related items).
- `Taggable`, read by `ai` and the listings: readers see its tags (editors'
  and the AI's visible suggestions); editors review the AI's suggestions in
  the page editor.
- `Commentable`, read by `community`: readers comment and like while the page
  is live and public.
- `Askable`, read by `chat.assistant`: the "Ask about this page" panel.

`home.models.BasePage` composes `Indexable` and `Taggable`; a type adds
`Commentable` or `Askable` in its own class line. A page template shows what
the page declares by including `components/page_features.html`. Search type
filters are declared the same way, with a `search_filter = ("key", "Label")`
class attribute (see `search.hybrid`).
"""

from django.utils.functional import cached_property
from wagtail.models import get_page_models

from core import tags
from core.plaintext import Section, stream_sections


class Indexable:
    """The AI index holds this page's text, split into sections for citations.

    The default is the page's lead text, then its `body` StreamField split at
    its headings; override `get_index_sections()` to add facts (products add
    price and availability) or return [] for a page with nothing to cite.
    """

    indexable = True

    def lead_text(self):
        """The short introduction under the title ('' if the type has none)."""
        return getattr(self, "intro", "") or ""

    def get_index_sections(self):
        """The page's text for the AI index: a list of `core.plaintext.Section`."""
        lead = self.lead_text() or self.get_summary()
        sections = stream_sections(getattr(self, "body", None))
        if lead:
            if sections and not sections[0].heading_path:
                sections[0].text = f"{lead}\n\n{sections[0].text}"
            else:
                sections.insert(0, Section(text=lead))
        return sections


class Taggable:
    """Readers see this page's tags: the editors' own (a `tags` field, when the
    type has one), then every registered tag source's visible tags (the AI's
    suggestions that no editor rejected)."""

    taggable = True

    @cached_property
    def visible_tags(self):
        """Tags readers see, editors' first, without duplicates."""
        return tags.visible_tags(self)


class Commentable:
    """Readers comment on and like this page while it is live and public. A
    type with a `comments_enabled` field follows that switch per page."""

    commentable = True


class Askable:
    """The page offers "Ask about this page": the assistant answers from its
    text (so the type should also be `Indexable`)."""

    askable = True
    assistant_heading = "Ask about this page"


def page_models_with(capability):
    """Every concrete page model that declares `capability` (a mixin above)."""
    return [model for model in get_page_models() if issubclass(model, capability)]
