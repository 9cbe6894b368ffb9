"""Serializer fields for the pages' `api_fields` (Wagtail's API v2).

Page types declare what the API shows in their own class, the way Wagtail
documents it (`api_fields = [APIField(...)]`); the fields here are the ones
that need more than a model attribute: tags with their provenance, related
items filtered by privacy again, authors, pictures as renditions, and stock
that only shop staff see exactly.
"""

from rest_framework.fields import Field, SkipField
from wagtail.api.utils import get_full_url
from wagtail.images.api.fields import ImageRenditionField
from wagtail.models import Page

from ai.models import AITag
from ai.related import related_pages
from core.privacy import public_pages
from core.tags import visible_tags

# The rendition every card-sized picture gets (listing images, authors' photos).
CARD_RENDITION = "fill-800x450"
LARGE_RENDITION = "max-1600x1600"

# Who may see a product's exact stock: shop managers and superusers.
STOCK_PERMISSION = "shop.add_stockadjustment"


def detail_url(context, page):
    """The API address of `page`, as Wagtail's get_object_detail_url gives it
    (that module cannot be imported while models load)."""
    url_path = context["router"].get_object_detail_urlpath(page.specific_class or Page, page.pk)
    return get_full_url(context["request"], url_path) if url_path else None


def page_link(page, context):
    """A short reference to a live, public page: id, type, title and URLs."""
    specific_class = page.specific_class
    return {
        "id": page.pk,
        "type": f"{specific_class._meta.app_label}.{specific_class.__name__}"
        if specific_class
        else None,
        "title": page.title,
        "html_url": page.full_url,
        "detail_url": detail_url(context, page),
    }


def only_public(pages):
    """The pages of a list that are live, public and unexpired now, in order."""
    ids = [page.pk for page in pages]
    if not ids:
        return []
    visible = set(public_pages(Page.objects.live().filter(pk__in=ids)).values_list("pk", flat=True))
    return [page for page in pages if page.pk in visible]


class WholeObjectField(Field):
    """A read-only field computed from the whole object."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance


class VisibleTagsField(WholeObjectField):
    """The tags readers see (`core.tags.visible_tags`), each with where it came
    from: `editor`, or `ai` with the method, the editors' decision and the score."""

    def to_representation(self, page):
        editor_ids = {tag.pk for tag in page.tags.all()} if hasattr(page, "tags") else set()
        ai_rows = {row.tag_id: row for row in AITag.objects.visible().filter(page_id=page.pk)}
        shown = []
        for tag in visible_tags(page):
            item = {"name": tag.name, "slug": tag.slug, "source": "editor", "ai": None}
            if tag.pk not in editor_ids:
                row = ai_rows.get(tag.pk)
                item["source"] = "ai" if row else "other"
                if row:
                    item["ai"] = {"method": row.source, "status": row.status, "score": row.score}
            shown.append(item)
        return shown


class RelatedPagesField(WholeObjectField):
    """The AI's related items (`ai.related.related_pages`), checked against the
    privacy rule again here: only live, public, unexpired pages."""

    def to_representation(self, page):
        return [page_link(item, self.context) for item in only_public(related_pages(page))]


class PageLinksField(Field):
    """A list of pages (e.g. editors' related articles), public ones only."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, pages):
        return [page_link(item, self.context) for item in only_public(list(pages))]


class ParentPageField(WholeObjectField):
    """The parent page (a product's category), when it is public."""

    def to_representation(self, page):
        parent = page.get_parent()
        if parent is None or not only_public([parent]):
            return None
        return page_link(parent, self.context)


class AuthorsField(Field):
    """Credited authors: name, slug, bio and photo."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", "author_list")
        super().__init__(**kwargs)

    def to_representation(self, authors):
        photo = ImageRenditionField("fill-240x240")
        return [
            {
                "id": author.pk,
                "name": author.name,
                "slug": author.slug,
                "bio": author.bio,
                "photo": photo.to_representation(author.photo) if author.photo_id else None,
            }
            for author in authors
        ]


class NamedSnippetField(Field):
    """A snippet with a name and a slug (category, series)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, snippet):
        return {"name": snippet.name, "slug": snippet.slug}


class GalleryField(Field):
    """A product's pictures in their order: rendition, alt text and caption."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, pictures):
        rendition = ImageRenditionField(LARGE_RENDITION)
        return [
            {
                "image": rendition.to_representation(picture.image),
                "alt_text": picture.alt_text,
                "caption": picture.caption,
            }
            for picture in pictures
        ]


class AvailabilityField(WholeObjectField):
    """Stock state for everyone: `in_stock`, `low_stock` or `sold_out`."""

    def to_representation(self, product):
        return str(product.availability.value)


def may_see_stock(user):
    """True for shop staff, who see exact stock numbers."""
    return user is not None and user.is_authenticated and user.has_perm(STOCK_PERMISSION)


class StaffStockField(WholeObjectField):
    """The exact stock, only in responses to shop staff (absent otherwise)."""

    def get_attribute(self, instance):
        request = self.context.get("request")
        if request is None or not may_see_stock(getattr(request, "user", None)):
            raise SkipField
        return instance

    def to_representation(self, product):
        return product.stock_quantity


class ListingImageField(WholeObjectField):
    """The page's card picture (`get_listing_image()`) as a rendition, or None."""

    def __init__(self, filter_spec, **kwargs):
        self.rendition = ImageRenditionField(filter_spec)
        super().__init__(**kwargs)

    def to_representation(self, page):
        image = page.get_listing_image()
        return self.rendition.to_representation(image) if image is not None else None
