"""Blocks for posts and articles: the shared body plus product teasers."""

from home.blocks import BodyBlock
from shop.blocks import ProductTeaserBlock


class EditorialBodyBlock(BodyBlock):
    """The body of posts and articles: the shared blocks and a product teaser."""

    product_teaser = ProductTeaserBlock()

    class Meta:
        template = "blocks/stream.html"
