"""A document in a login-restricted collection, and the URL spellings that
once reached its file under /media/ (unit and integration tests share them)."""

import uuid

from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

# Each is sent exactly as written (the client must not normalise it); {name}
# is the document's file name, which every document link makes public.
TRICK_PATHS = [
    "/media/documents/{name}",
    "/media//documents/{name}",
    "/media///documents/{name}",
    "/media/./documents/{name}",
    "/media/././documents/{name}",
    "/media/%2fdocuments/{name}",
    "/media/%2Fdocuments/{name}",
    "/media/%252fdocuments/{name}",
    "/media/%25252fdocuments/{name}",
    "/media/avatars/../documents/{name}",
    "/media/images/../documents/{name}",
    "/media/images/./../documents/{name}",
    "/media/images/x/../../documents/{name}",
    "/media/avatars/%2e%2e/documents/{name}",
    "/media/avatars/%2E%2E%2Fdocuments/{name}",
    "/media/avatars/..%2fdocuments/{name}",
    "/media/avatars/..%2Fdocuments%2F{name}",
    "/media/avatars/%252e%252e%252fdocuments/{name}",
    "/media/avatars/%252e%252e/documents/{name}",
    "/media/avatars/..%252fdocuments/{name}",
    "/media/avatars/..\\documents\\{name}",
    "/media/avatars/..%5cdocuments%5c{name}",
    "/media/avatars/..%255cdocuments%255c{name}",
    "/media/images\\..\\documents\\{name}",
    "/media/Documents/{name}",
    "/media/DOCUMENTS/{name}",
    "/media/documents./{name}",
    "/media/documents/{name}.",
    "/media/documents/{name}%20",
    "/media/documents/{name}%00",
    "/media/images/%00/../../documents/{name}",
    "/media/documents/./{name}",
    "/media/documents//{name}",
    "/media/avatars/%2e%2e%2f%2e%2e%2fmedia/documents/{name}",
    "/media/original_documents/../documents/{name}",
]


def restricted_document(canary):
    """A document whose file holds `canary`, in a new collection that only
    logged-in users may view; its file name is unique."""
    collection = Collection.get_first_root_node().add_child(name=f"Private {uuid.uuid4().hex[:8]}")
    CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.LOGIN
    )
    return get_document_model().objects.create(
        title="Board minutes",
        collection=collection,
        file=ContentFile(canary.encode(), name=f"minutes-{uuid.uuid4().hex[:8]}.txt"),
    )
