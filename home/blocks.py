"""Shared StreamField blocks. App-specific blocks live in each app's blocks.py
and import these; every block carries an icon, a template, a description and a
preview value so the block picker shows a real preview."""

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

# Body text stays structural: headings come from HeadingBlock (so they get
# anchors for the table of contents and AI citations), and there is no raw
# HTML, image or embed inside rich text.
RICH_TEXT_FEATURES = [
    "bold",
    "italic",
    "link",
    "document-link",
    "ol",
    "ul",
    "code",
    "superscript",
    "subscript",
    "strikethrough",
]


class RichTextBlock(blocks.RichTextBlock):
    """Paragraphs with inline formatting and links."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        template = "blocks/rich_text.html"
        description = "Paragraphs of text with bold, italic, lists and links."
        preview_value = (
            "<p>Pressroom pages are built from <b>blocks</b>. This one holds "
            'paragraphs, lists and <a href="https://wagtail.org">links</a>.</p>'
        )


class LinkStructValue(blocks.StructValue):
    """A link that points at a page or an external URL, whichever is set."""

    def url(self):
        page = self.get("page")
        if page:
            return page.url
        return self.get("external_url") or ""

    def label(self):
        if self.get("text"):
            return self.get("text")
        page = self.get("page")
        return page.title if page else self.get("external_url", "")


class LinkBlock(blocks.StructBlock):
    """A call-to-action style link to a page or a URL."""

    text = blocks.CharBlock(required=False, max_length=80)
    page = blocks.PageChooserBlock(required=False)
    external_url = blocks.URLBlock(required=False, label="External URL")

    def clean(self, value):
        value = super().clean(value)
        empty = not value.get("page") and not value.get("external_url")
        if empty and not self.required and not value.get("text"):
            return value
        if empty:
            raise blocks.StructBlockValidationError(
                block_errors={"page": blocks.BlockValidationError("Choose a page or enter a URL.")}
            )
        return value

    class Meta:
        icon = "link"
        template = "blocks/link.html"
        value_class = LinkStructValue
        description = "A link to a page on this site or to another site."
        preview_value = {"text": "Read the latest posts", "external_url": "https://wagtail.org"}


class HeroBlock(blocks.StructBlock):
    """A full-width introduction: heading, text, optional image and link."""

    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False, max_length=400)
    image = ImageChooserBlock(required=False)
    link = LinkBlock(required=False)

    class Meta:
        icon = "image"
        template = "blocks/hero.html"
        description = "A large heading with an introduction, an image and a link."
        preview_value = {
            "heading": "News, ideas and things worth buying",
            "text": "Pressroom publishes posts, long-form articles and a small shop.",
        }


class FeaturedItemsBlock(blocks.StructBlock):
    """Editor-picked pages shown as cards."""

    heading = blocks.CharBlock(max_length=120)
    pages = blocks.ListBlock(blocks.PageChooserBlock(), min_num=1, max_num=12)

    class Meta:
        icon = "list-ul"
        template = "blocks/featured_items.html"
        description = "A row of cards linking to pages you choose."
        preview_value = {"heading": "Editor's picks", "pages": []}


class HomePageBodyBlock(blocks.StreamBlock):
    """The blocks a home page body is built from."""

    hero = HeroBlock()
    featured_items = FeaturedItemsBlock()
    rich_text = RichTextBlock()

    class Meta:
        template = "blocks/stream.html"
