"""Every block renders its template with real values, and every block in the
library carries the metadata the block picker needs."""

import pytest
from wagtail import blocks
from wagtail.documents import get_document_model
from wagtail.documents.blocks import DocumentChooserBlock

from blog.blocks import EditorialBodyBlock
from home.blocks import BodyBlock, HomePageBodyBlock
from shop.blocks import ProductBodyBlock
from tests.factories import (
    ImageFactory,
    ProductCategoryPageFactory,
    ProductPageFactory,
    ShopIndexPageFactory,
)

pytestmark = pytest.mark.django_db

LIBRARIES = [BodyBlock, EditorialBodyBlock, ProductBodyBlock, HomePageBodyBlock]


def render(stream_block_class, name, raw):
    block = stream_block_class().child_blocks[name]
    value = block.to_python(raw)
    return block.render(value)


@pytest.mark.parametrize("library", LIBRARIES)
def test_every_block_has_icon_template_description_and_preview(library):
    for name, block in library().child_blocks.items():
        assert block.meta.icon, name
        assert block.meta.template, name
        assert block.get_description(), name
        assert block.get_preview_value() is not None, name


def test_no_raw_html_block_anywhere():
    for library in LIBRARIES:
        for name, block in library().child_blocks.items():
            assert not isinstance(block, blocks.RawHTMLBlock), name


def test_heading_has_an_anchor_from_its_text_or_explicit():
    html = render(BodyBlock, "heading", {"text": "Why it matters", "level": "h2", "anchor": ""})
    assert html == '<h2 id="why-it-matters" class="heading-anchor">Why it matters</h2>\n'
    html = render(BodyBlock, "heading", {"text": "Details", "level": "h3", "anchor": "more"})
    assert '<h3 id="more"' in html


def test_heading_rejects_an_anchor_that_is_not_a_slug():
    block = BodyBlock().child_blocks["heading"]
    with pytest.raises(blocks.StructBlockValidationError):
        block.clean(block.to_python({"text": "x", "level": "h2", "anchor": "Not a slug!"}))


def test_rich_text_escapes_nothing_it_should_keep_and_runs_no_scripts():
    html = render(BodyBlock, "paragraph", '<p>Hello <b>world</b> <a href="https://x.org">x</a></p>')
    assert "<b>world</b>" in html
    assert 'href="https://x.org"' in html


def test_image_block_has_alt_caption_credit_and_modern_formats():
    image = ImageFactory()
    html = render(
        BodyBlock,
        "image",
        {
            "image": image.pk,
            "alt_text": "A harbour",
            "caption": "Dawn",
            "credit": "R. Photographer",
        },
    )
    assert 'alt="A harbour"' in html
    assert 'type="image/avif"' in html and 'type="image/webp"' in html
    assert 'loading="lazy"' in html
    assert 'width="' in html and 'height="' in html
    assert "Dawn" in html and "R. Photographer" in html


def test_quote_block():
    html = render(BodyBlock, "quote", {"quote": "Less, but better.", "attribution": "D. Rams"})
    assert "<blockquote><p>Less, but better.</p></blockquote>" in html
    assert "— D. Rams" in html


def test_code_block_is_highlighted_on_the_server_and_escaped():
    html = render(
        BodyBlock,
        "code",
        {"language": "python", "code": 'def f():\n    return "<script>"'},
    )
    assert 'class="highlight"' in html
    assert '<span class="k">def</span>' in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "Python" in html


def test_code_block_with_unknown_language_falls_back_to_text():
    block = BodyBlock().child_blocks["code"]
    value = block.to_python({"language": "klingon", "code": "qapla'"})
    assert "qapla" in block.render(value)


def test_table_block_renders_typed_columns():
    html = render(
        BodyBlock,
        "table",
        {
            "caption": "Opening hours",
            "columns": [
                {"type": "text", "heading": "Day"},
                {"type": "numeric", "heading": "Hours"},
            ],
            "rows": [{"values": ["Monday", 9]}, {"values": ["Saturday", 6]}],
        },
    )
    assert "<caption>Opening hours</caption>" in html
    assert '<th scope="col">Day</th>' in html
    assert "<td>Monday</td><td>9</td>" in html


def test_gallery_block():
    first, second = ImageFactory(), ImageFactory()
    html = render(
        BodyBlock,
        "gallery",
        {
            "title": "Workshop",
            "images": [
                {"image": first.pk, "alt_text": "Bench", "caption": "The bench", "credit": ""},
                {"image": second.pk, "alt_text": "Tools", "caption": "", "credit": "Sam"},
            ],
        },
    )
    assert html.count("<picture>") == 2
    assert 'alt="Bench"' in html and 'alt="Tools"' in html
    assert "Workshop" in html


def test_call_to_action_links_to_a_page():
    from home.models import HomePage

    home = HomePage.objects.get()
    html = render(
        BodyBlock,
        "call_to_action",
        {"heading": "Subscribe", "text": "Get the feed.", "link": {"text": "Go", "page": home.pk}},
    )
    assert '<h2 class="cta__heading">Subscribe</h2>' in html
    assert f'href="{home.url}"' in html


def test_faq_block_uses_details_elements():
    html = render(
        BodyBlock,
        "faq",
        {
            "title": "Questions",
            "items": [{"question": "Returns?", "answer": "<p>Within 30 days.</p>"}],
        },
    )
    assert "<summary>Returns?</summary>" in html
    assert "Within 30 days." in html


def test_document_block_links_through_wagtails_serve_view():
    from django.core.files.base import ContentFile

    document = get_document_model().objects.create(
        title="Annual report", file=ContentFile(b"%PDF-1.4 report", name="report.pdf")
    )
    html = render(
        BodyBlock,
        "document",
        {"document": document.pk, "title": "", "description": "Figures for the year."},
    )
    assert f'href="/documents/{document.pk}/report' in html
    assert "Annual report" in html and "PDF" in html
    assert isinstance(
        BodyBlock().child_blocks["document"].child_blocks["document"], DocumentChooserBlock
    )


def test_embed_block_without_a_fetched_embed_renders_nothing_broken():
    block = BodyBlock().child_blocks["embed"]
    value = block.to_python({"embed": None, "caption": "x"})
    assert block.render(value).strip() == ""


def test_product_teaser_only_shows_live_public_products():
    category = ProductCategoryPageFactory(parent=ShopIndexPageFactory())
    product = ProductPageFactory(
        parent=category, title="Field notebook", price="12.50", stock_quantity=3
    )
    html = render(EditorialBodyBlock, "product_teaser", {"product": product.pk, "note": "Our pick"})
    assert "Field notebook" in html
    assert "€12.50" in html
    assert "Only 3 left" in html
    product.unpublish()
    assert "Field notebook" not in render(
        EditorialBodyBlock, "product_teaser", {"product": product.pk, "note": ""}
    )


def test_product_feature_and_specification_blocks():
    html = render(ProductBodyBlock, "features", {"title": "Features", "features": ["Lay-flat"]})
    assert "<li>Lay-flat</li>" in html
    html = render(
        ProductBodyBlock,
        "specifications",
        {"title": "Specifications", "rows": [{"name": "Weight", "value": "340 g"}]},
    )
    assert '<th scope="row">Weight</th><td>340 g</td>' in html
