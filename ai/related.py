"""Related content: the pages most similar to this one by page-level vectors."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, get_page_models

from ai import vector_store
from ai.models import PageVector
from core.listing import prefetch_for_listing


def related_scope():
    """Only content pages are recommended: types that set `show_in_related`
    (posts, articles, products), not index or category pages."""
    models = [model for model in get_page_models() if getattr(model, "show_in_related", False)]
    content_types = ContentType.objects.get_for_models(*models, for_concrete_models=False)
    return vector_store.Scope.page_types(ct.pk for ct in content_types.values())


def related_pages(page, count=None, floor=None):
    """Up to `count` live, public pages similar to `page` above the floor, best first."""
    count = count or settings.AI_RELATED_COUNT
    floor = settings.AI_RELATED_SIMILARITY_FLOOR if floor is None else floor
    vector = PageVector.objects.filter(page_id=page.pk).values_list("embedding", flat=True).first()
    if vector is None:
        return []
    hits = vector_store.search(PageVector, vector, count + 1, related_scope())
    ranked = [hit.row.page_id for hit in hits if hit.row.page_id != page.pk and hit.score >= floor]
    ranked = ranked[:count]
    pages = {found.pk: found for found in Page.objects.filter(pk__in=ranked).specific()}
    return prefetch_for_listing([pages[pk] for pk in ranked if pk in pages])
