"""Shared StreamField blocks. App-specific blocks live in each app's blocks.py
and build on these; every block carries an icon, a template, a description and
a preview value so the block picker shows a real preview. There is no raw HTML
block: everything an editor writes is structured and escaped."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from wagtail import blocks
from wagtail.contrib.typed_table_block.blocks import TypedTableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock as WagtailEmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page

from core.listing import prefetch_for_listing
from core.privacy import public_pages

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
        # Set here rather than in the constructor call so the feature list is
        # not frozen into migrations; wagtail-ai's "ai" tools join it only
        # when a language model is configured.
        features = [*RICH_TEXT_FEATURES, *(["ai"] if settings.WAGTAIL_AI_ENABLED else [])]
        kwargs.setdefault("features", features)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        template = "blocks/rich_text.html"
        description = "Paragraphs of text with bold, italic, lists and links."
        preview_value = (
            "<p>Pressroom pages are built from <b>blocks</b>. This one holds "
            'paragraphs, lists and <a href="https://wagtail.org">links</a>.</p>'
        )


class HeadingValue(blocks.StructValue):
    """A heading that knows its anchor id."""

    def anchor_id(self):
        return self.get("anchor") or slugify(self.get("text", ""))[:60] or "section"


class HeadingBlock(blocks.StructBlock):
    """A section heading with an anchor for links and the table of contents."""

    text = blocks.CharBlock(max_length=120)
    level = blocks.ChoiceBlock(
        choices=[("h2", "Section (H2)"), ("h3", "Subsection (H3)")], default="h2"
    )
    anchor = blocks.CharBlock(
        required=False,
        max_length=60,
        help_text="Link target (#anchor). Leave empty to derive it from the text.",
    )

    def clean(self, value):
        value = super().clean(value)
        if value.get("anchor") and slugify(value["anchor"]) != value["anchor"]:
            raise blocks.StructBlockValidationError(
                block_errors={
                    "anchor": ValidationError("Use lowercase letters, digits and hyphens only.")
                }
            )
        return value

    class Meta:
        icon = "title"
        template = "blocks/heading.html"
        value_class = HeadingValue
        description = "A section heading; it appears in the table of contents."
        preview_value = {"text": "Why it matters", "level": "h2"}
        form_classname = "struct-block heading-block"


class ImageBlock(blocks.StructBlock):
    """An image with alt text, caption and credit."""

    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        required=False,
        max_length=250,
        help_text="Describe the image for people who cannot see it. "
        "Leave empty only if it is purely decorative.",
    )
    caption = blocks.CharBlock(required=False, max_length=250)
    credit = blocks.CharBlock(required=False, max_length=120)

    class Meta:
        icon = "image"
        template = "blocks/image.html"
        description = "A picture with a caption and a photo credit."
        preview_value = {"caption": "The reading room at opening time", "credit": "Pressroom"}


class QuoteBlock(blocks.StructBlock):
    """A pull quote with its source."""

    quote = blocks.TextBlock(max_length=800)
    attribution = blocks.CharBlock(required=False, max_length=120)

    class Meta:
        icon = "openquote"
        template = "blocks/quote.html"
        description = "A quotation with the name of who said it."
        preview_value = {
            "quote": "The best way to predict the future is to publish it.",
            "attribution": "A Pressroom editor",
        }


CODE_LANGUAGES = [
    ("text", "Plain text"),
    ("bash", "Shell"),
    ("python", "Python"),
    ("javascript", "JavaScript"),
    ("typescript", "TypeScript"),
    ("html", "HTML"),
    ("css", "CSS"),
    ("sql", "SQL"),
    ("json", "JSON"),
    ("yaml", "YAML"),
    ("toml", "TOML"),
    ("rust", "Rust"),
    ("go", "Go"),
    ("diff", "Diff"),
]


class CodeValue(blocks.StructValue):
    """Code highlighted on the server with Pygments (no client-side JS)."""

    @cached_property
    def highlighted(self):
        try:
            lexer = get_lexer_by_name(self.get("language") or "text")
        except ClassNotFound:
            lexer = get_lexer_by_name("text")
        formatter = HtmlFormatter(cssclass="highlight", wrapcode=True)
        # Pygments escapes the source; its output is markup we generated.
        return mark_safe(highlight(self.get("code", ""), lexer, formatter))  # noqa: S308

    def language_label(self):
        return dict(CODE_LANGUAGES).get(self.get("language"), "Code")


class CodeBlock(blocks.StructBlock):
    """A code sample with syntax highlighting."""

    language = blocks.ChoiceBlock(choices=CODE_LANGUAGES, default="python")
    code = blocks.TextBlock()

    class Meta:
        icon = "code"
        template = "blocks/code.html"
        value_class = CodeValue
        description = "A code sample, highlighted for its language."
        preview_value = {
            "language": "python",
            "code": 'def greet(name):\n    return f"Hello, {name}"',
        }


class EmbedBlock(blocks.StructBlock):
    """A video or post from another site, fetched by oEmbed when the editor adds it."""

    embed = WagtailEmbedBlock(help_text="A YouTube, Vimeo or other oEmbed URL.")
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "media"
        template = "blocks/embed.html"
        description = "A video or other media from a URL (YouTube, Vimeo, ...)."
        preview_value = {"caption": "Embedded media appear here once the URL is fetched."}


class TableBlock(TypedTableBlock):
    """A table whose columns each have a type (text, number, rich text)."""

    def __init__(self, **kwargs):
        super().__init__(
            [
                ("text", blocks.CharBlock()),
                ("numeric", blocks.FloatBlock()),
                ("rich_text", blocks.RichTextBlock(features=["bold", "italic", "link"])),
            ],
            **kwargs,
        )

    class Meta:
        icon = "table"
        template = "blocks/table.html"
        description = "A table of data with a caption."
        preview_value = {
            "caption": "Opening hours",
            "columns": [
                {"type": "text", "heading": "Day"},
                {"type": "text", "heading": "Hours"},
            ],
            "rows": [
                {"values": ["Monday to Friday", "9:00 to 18:00"]},
                {"values": ["Saturday", "10:00 to 16:00"]},
            ],
        }


class GalleryBlock(blocks.StructBlock):
    """Several images in a grid."""

    title = blocks.CharBlock(required=False, max_length=120)
    images = blocks.ListBlock(ImageBlock(), min_num=2, max_num=24)

    class Meta:
        icon = "image"
        template = "blocks/gallery.html"
        description = "A grid of pictures with captions."
        preview_value = {"title": "From the workshop", "images": []}


class LinkValue(blocks.StructValue):
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
    """A link to a page or a URL."""

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
                block_errors={"page": ValidationError("Choose a page or enter a URL.")}
            )
        return value

    class Meta:
        icon = "link"
        template = "blocks/link.html"
        value_class = LinkValue
        description = "A link to a page on this site or to another site."
        preview_value = {"text": "Read the latest posts", "external_url": "https://wagtail.org"}


class CallToActionBlock(blocks.StructBlock):
    """A highlighted box that asks the reader to do one thing."""

    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False, max_length=400)
    link = LinkBlock()

    class Meta:
        icon = "pick"
        template = "blocks/call_to_action.html"
        description = "A highlighted box with a heading, a sentence and a button."
        preview_value = {
            "heading": "Never miss a story",
            "text": "Follow the feed to get new posts as they are published.",
            "link": {"text": "Subscribe", "external_url": "https://example.com/feed/"},
        }


class FAQItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=200)
    answer = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul"])

    class Meta:
        icon = "help"


class FAQBlock(blocks.StructBlock):
    """Questions and answers, rendered as expandable details."""

    title = blocks.CharBlock(required=False, max_length=120, default="Questions and answers")
    items = blocks.ListBlock(FAQItemBlock(), min_num=1)

    class Meta:
        icon = "help"
        template = "blocks/faq.html"
        description = "Frequently asked questions with expandable answers."
        preview_value = {
            "title": "Questions and answers",
            "items": [
                {"question": "Can I return it?", "answer": "<p>Yes, within 30 days.</p>"},
                {"question": "Do you ship abroad?", "answer": "<p>To most of Europe.</p>"},
            ],
        }


class DocumentDownloadBlock(blocks.StructBlock):
    """A downloadable file, served through Wagtail so privacy rules apply."""

    document = DocumentChooserBlock()
    title = blocks.CharBlock(required=False, max_length=120)
    description = blocks.TextBlock(required=False, max_length=300)

    class Meta:
        icon = "doc-full"
        template = "blocks/document.html"
        description = "A file readers can download, such as a PDF."
        preview_value = {"title": "Annual report (PDF)", "description": "Figures for the year."}


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


class FeaturedItemsValue(blocks.StructValue):
    def cards(self):
        """The chosen pages that readers may see, in the editor's order."""
        ids = [page.pk for page in self.get("pages") or [] if page is not None]
        visible = public_pages(Page.objects.filter(pk__in=ids).live()).specific()
        by_id = {page.pk: page for page in visible}
        return prefetch_for_listing([by_id[pk] for pk in ids if pk in by_id])


class FeaturedItemsBlock(blocks.StructBlock):
    """Editor-picked pages shown as cards."""

    heading = blocks.CharBlock(max_length=120)
    pages = blocks.ListBlock(blocks.PageChooserBlock(), min_num=1, max_num=12)

    class Meta:
        icon = "list-ul"
        template = "blocks/featured_items.html"
        value_class = FeaturedItemsValue
        description = "A row of cards linking to pages you choose."
        preview_value = {"heading": "Editor's picks", "pages": []}


class LatestPagesValue(blocks.StructValue):
    def pages(self):
        """The section's newest live, public children, newest first."""
        section = self.get("section")
        if section is None:
            return []
        section = section.specific
        count = self.get("count") or 3
        listing_items = getattr(section, "listing_items", None)
        if listing_items is not None:
            return list(listing_items()[:count])
        children = public_pages(section.get_children().live()).specific()
        return prefetch_for_listing(list(children.order_by("-first_published_at")[:count]))


class LatestPagesBlock(blocks.StructBlock):
    """The newest pages from one section, filled in automatically."""

    heading = blocks.CharBlock(max_length=120)
    section = blocks.PageChooserBlock(help_text="A blog, articles or shop section.")
    count = blocks.IntegerBlock(default=3, min_value=1, max_value=12)

    class Meta:
        icon = "date"
        template = "blocks/latest_pages.html"
        value_class = LatestPagesValue
        description = "The most recent pages of a section, updated as you publish."
        preview_value = {"heading": "Latest posts", "count": 3}


class BodyBlock(blocks.StreamBlock):
    """The content blocks shared by every article-like page body."""

    heading = HeadingBlock()
    paragraph = RichTextBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    code = CodeBlock()
    embed = EmbedBlock()
    table = TableBlock()
    gallery = GalleryBlock()
    call_to_action = CallToActionBlock()
    faq = FAQBlock(label="FAQ")
    document = DocumentDownloadBlock()

    class Meta:
        template = "blocks/stream.html"


class HomePageBodyBlock(blocks.StreamBlock):
    """The blocks a home page is built from."""

    hero = HeroBlock()
    featured_items = FeaturedItemsBlock()
    latest_pages = LatestPagesBlock()
    rich_text = RichTextBlock()
    call_to_action = CallToActionBlock()

    class Meta:
        template = "blocks/stream.html"
