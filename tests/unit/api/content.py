"""A small site for the API tests: public content, and a canary in every
kind of content readers must never get (its title or text says CANARY)."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from taggit.models import Tag
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from ai.models import AITag
from tests.factories import (
    ArticleIndexPageFactory,
    ArticlePageFactory,
    AuthorFactory,
    BlogIndexPageFactory,
    ImageFactory,
    PostPageFactory,
    ProductCategoryPageFactory,
    ProductPageFactory,
    ShopIndexPageFactory,
    paragraph,
    publish,
)

CANARY = "CANARY"


def build_site():
    """Public pages, a product, pictures and a document, plus one canary of
    each private kind. Returns a dict of the objects by role."""
    blog = BlogIndexPageFactory(slug="blog")
    author = AuthorFactory(name="Ada Writer", slug="ada")
    post = PostPageFactory(
        parent=blog,
        title="Bread at dawn",
        intro="Why bakers rise early.",
        body=[paragraph("Sourdough needs time and a warm kitchen.")],
    )
    post.tags.set(["bread"])
    post.authors.set([author])
    post = publish(post)
    ai_tag = AITag.objects.create(
        page=post, tag=Tag.objects.create(name="baking", slug="baking"), source="llm", score=0.8
    )
    AITag.objects.create(
        page=post,
        tag=Tag.objects.create(name=f"{CANARY} rejected", slug="canary-rejected"),
        source="llm",
        status=AITag.Status.REJECTED,
    )

    canaries = {}
    for kind in ("login", "password", "groups"):
        page = publish(PostPageFactory(parent=blog, title=f"{CANARY} {kind} post"))
        page.tags.set(["bread"])
        page.save()
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=kind, password="pw" if kind == "password" else ""
        )
        if kind == "groups":
            restriction.groups.set([Group.objects.get_or_create(name="Members")[0]])
        canaries[kind] = page
    draft = PostPageFactory(parent=blog, title=f"{CANARY} draft post")
    draft.save_revision()
    draft.unpublish()
    canaries["draft"] = draft
    expired = publish(PostPageFactory(parent=blog, title=f"{CANARY} expired post"))
    expired.expire_at = timezone.now() - datetime.timedelta(minutes=1)
    expired.save()
    canaries["expired"] = expired
    # A live page whose newest revision is an unpublished draft.
    revised = publish(PostPageFactory(parent=blog, title="Live title", intro="Live intro."))
    revised.title = f"{CANARY} draft title"
    revised.intro = f"{CANARY} draft intro"
    revised.save_revision()
    canaries["draft_revision"] = revised
    # A public page under a restricted one is private too.
    members = ArticleIndexPageFactory(slug="members", title=f"{CANARY} members")
    PageViewRestriction.objects.create(page=members, restriction_type="login")
    canaries["under_restricted"] = publish(
        ArticlePageFactory(parent=members, title=f"{CANARY} article")
    )

    articles = ArticleIndexPageFactory(slug="articles")
    article = publish(ArticlePageFactory(parent=articles, title="A long read on rye"))

    shop = ShopIndexPageFactory(slug="shop")
    category = ProductCategoryPageFactory(parent=shop, title="Ovens", slug="ovens")
    product = publish(
        ProductPageFactory(parent=category, title="Stone oven", price=Decimal("199.00"))
    )
    hidden_product = publish(ProductPageFactory(parent=category, title=f"{CANARY} product"))
    PageViewRestriction.objects.create(page=hidden_product, restriction_type="login")
    canaries["product"] = hidden_product

    root = Collection.get_first_root_node()
    private_collection = root.add_child(name="Private pictures")
    CollectionViewRestriction.objects.create(
        collection=private_collection, restriction_type="login"
    )
    picture = ImageFactory(title="Public loaf")
    private_picture = ImageFactory(title=f"{CANARY} picture", collection=private_collection)
    document_model = get_document_model()
    document = document_model.objects.create(
        title="Public price list", file=ContentFile(b"prices", name="prices.txt")
    )
    private_document = document_model.objects.create(
        title=f"{CANARY} document",
        file=ContentFile(b"secret", name="secret.txt"),
        collection=private_collection,
    )
    return {
        "blog": blog,
        "post": post,
        "ai_tag": ai_tag,
        "author": author,
        "article": article,
        "product": product,
        "category": category,
        "picture": picture,
        "document": document,
        "canaries": canaries,
        "private_picture": private_picture,
        "private_document": private_document,
    }
