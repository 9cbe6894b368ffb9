"""Blocks for product pages, and the product teaser other apps embed."""

from wagtail import blocks

from core.privacy import public_pages
from home.blocks import BodyBlock


class ProductTeaserValue(blocks.StructValue):
    def visible_product(self):
        """The product if readers may see it (live, no view restriction), else None."""
        product = self.get("product")
        if product is None or not product.live:
            return None
        if not public_pages(type(product).objects.filter(pk=product.pk)).exists():
            return None
        return product


class ProductTeaserBlock(blocks.StructBlock):
    """A card for one product, with its price and availability."""

    product = blocks.PageChooserBlock(page_type="shop.ProductPage")
    note = blocks.CharBlock(
        required=False, max_length=200, help_text="Why this product fits here (optional)."
    )

    class Meta:
        icon = "tag"
        template = "blocks/product_teaser.html"
        value_class = ProductTeaserValue
        description = "A product from the shop, with its price and stock."
        preview_value = {"note": "The notebook our editors write their drafts in."}


class FeatureListBlock(blocks.StructBlock):
    """Short selling points, shown as a checklist."""

    title = blocks.CharBlock(required=False, max_length=120, default="Features")
    features = blocks.ListBlock(blocks.CharBlock(max_length=200), min_num=1)

    class Meta:
        icon = "list-ul"
        template = "blocks/feature_list.html"
        description = "A checklist of the product's main features."
        preview_value = {
            "title": "Features",
            "features": ["Lay-flat binding", "100 gsm paper", "Numbered pages"],
        }


class SpecificationBlock(blocks.StructBlock):
    name = blocks.CharBlock(max_length=80)
    value = blocks.CharBlock(max_length=200)

    class Meta:
        icon = "list-ol"


class SpecificationsBlock(blocks.StructBlock):
    """Technical details as a two-column table."""

    title = blocks.CharBlock(required=False, max_length=120, default="Specifications")
    rows = blocks.ListBlock(SpecificationBlock(), min_num=1)

    class Meta:
        icon = "table"
        template = "blocks/specifications.html"
        description = "A table of specifications: size, weight, materials."
        preview_value = {
            "title": "Specifications",
            "rows": [
                {"name": "Size", "value": "A5 (148 x 210 mm)"},
                {"name": "Weight", "value": "340 g"},
            ],
        }


class ProductBodyBlock(BodyBlock):
    """A product page body: the shared blocks plus features and specifications."""

    features = FeatureListBlock()
    specifications = SpecificationsBlock()

    class Meta:
        template = "blocks/stream.html"
