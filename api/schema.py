"""The OpenAPI 3 description of /api/v2/ (drf-spectacular).

Wagtail's viewsets build their serializers per request (`?type=`,
`?fields=`), so no serializer describes a response ahead of time: each
operation names its parameters and its response shapes here, loose where
`?fields=` lets a client choose (extra properties allowed) and exact where
the API promises something (pagination, errors, stock state, prices).
"""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import JSONRenderer

from api.errors import json_exception_handler
from api.throttling import SharedCacheThrottle
from shop.models import Availability

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "example": "bad_request"},
                "message": {"type": "string"},
                "retry_after": {"type": "integer"},
                "fields": {"type": "object"},
            },
        }
    },
}

NULLABLE_STRING = {"type": "string", "nullable": True}
RENDITION = {
    "type": "object",
    "nullable": True,
    "properties": {
        "url": {"type": "string"},
        "full_url": {"type": "string"},
        "width": {"type": "integer"},
        "height": {"type": "integer"},
        "alt": {"type": "string"},
    },
}
META = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "example": "blog.PostPage"},
        "detail_url": {"type": "string", "format": "uri"},
        "html_url": NULLABLE_STRING,
        "slug": {"type": "string"},
        "first_published_at": {"type": "string", "format": "date-time", "nullable": True},
        "download_url": {"type": "string"},
    },
}
TAG = {
    "type": "object",
    "required": ["name", "slug", "source"],
    "properties": {
        "name": {"type": "string"},
        "slug": {"type": "string"},
        "source": {"type": "string", "enum": ["editor", "ai", "other"]},
        "ai": {
            "type": "object",
            "nullable": True,
            "properties": {
                "method": {"type": "string", "enum": ["llm", "keyphrase"]},
                "status": {"type": "string", "enum": ["suggested", "accepted"]},
                "score": {"type": "number", "nullable": True},
            },
        },
    },
}
PAGE_LINK = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "type": NULLABLE_STRING,
        "title": {"type": "string"},
        "html_url": NULLABLE_STRING,
        "detail_url": NULLABLE_STRING,
    },
}
# Every field a page type declares may appear (with ?fields=); these are
# the ones with a fixed shape. StreamField bodies are lists of blocks.
PAGE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "meta": META,
        "title": {"type": "string"},
        "summary": {"type": "string"},
        "picture": RENDITION,
        "tags": {"type": "array", "items": TAG},
        "body": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "value"],
                "properties": {"type": {"type": "string"}, "id": {"type": "string"}},
            },
        },
        "related": {"type": "array", "items": PAGE_LINK},
    },
    "additionalProperties": True,
}
PRODUCT = {
    **PAGE,
    "properties": {
        **PAGE["properties"],
        "sku": {"type": "string"},
        "price": {"type": "string", "pattern": r"^\d+\.\d{2}$", "example": "24.00"},
        "compare_at_price": {"type": "string", "nullable": True, "pattern": r"^\d+\.\d{2}$"},
        "currency": {"type": "string", "example": "EUR"},
        "availability": {"type": "string", "enum": list(Availability.values)},
        "stock": {"type": "integer", "description": "Shop staff only."},
        "category": {**PAGE_LINK, "nullable": True},
    },
}
IMAGE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "meta": META,
        "title": {"type": "string"},
        "width": {"type": "integer"},
        "height": {"type": "integer"},
        "card": RENDITION,
        "large": RENDITION,
    },
    "additionalProperties": True,
}
DOCUMENT = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "meta": META, "title": {"type": "string"}},
    "additionalProperties": True,
}


def listing(item):
    """The paginated listing of `item` objects."""
    return {
        "type": "object",
        "required": ["meta", "items"],
        "properties": {
            "meta": {
                "type": "object",
                "required": ["total_count"],
                "properties": {"total_count": {"type": "integer", "minimum": 0}},
            },
            "items": {"type": "array", "items": item},
        },
    }


def errors_for(*statuses):
    """The error response of each status."""
    return {status: ERROR for status in statuses}


def query(name, description, type_=str, **kwargs):
    """A query parameter."""
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, description=description, **kwargs)


PAGINATION = [
    query("limit", "Items per page (default 20, at most API_LIMIT_MAX).", int),
    query("offset", "Items to skip.", int),
    query("fields", "Fields to add (`title,body`), remove (`-title`), or all (`*`)."),
]
PAGE_FILTERS = [
    query("child_of", "Only direct children of this page id (or `root`)."),
    query("descendant_of", "Only pages below this page id.", int),
    query("ancestor_of", "Only pages above this page id.", int),
    query("tag", "Only pages with this tag slug (editors' or the AI's)."),
    query("search", "Site search (keywords and meaning), best first unless ?order=."),
    query("order", "A field to order by (`-` for descending), or `random`."),
    query("site", "The site's hostname (default: the request's site)."),
]


class ContentEndpointSchema(AutoSchema):
    """The description of one Wagtail endpoint (listing and detail; `find/`,
    a redirect to the detail URL, stays out): its item shape and filters."""

    def __init__(self, tag, item, filters, description):
        super().__init__()
        self.tag, self.item, self.filters, self.description = tag, item, filters, description

    def is_excluded(self):
        return self.view.action == "find_view" or super().is_excluded()

    def is_listing(self):
        return self.view.action == "listing_view"

    def _get_serializer(self):
        return None  # responses are described below, not by a serializer

    def get_operation_id(self):
        return f"{self.tag}_{'list' if self.is_listing() else 'detail'}"

    def get_tags(self):
        return [self.tag]

    def get_description(self):
        return self.description if self.is_listing() else ""

    def get_override_parameters(self):
        if self.is_listing():
            return [*PAGINATION, *self.filters]
        return [PAGINATION[2]]

    def get_response_serializers(self):
        if self.is_listing():
            return {200: listing(self.item), **errors_for(400, 429)}
        return {200: self.item, **errors_for(400, 404, 429)}


class SessionCookieScheme(OpenApiAuthenticationExtension):
    """The session cookie: optional; shop staff see exact stock with it."""

    target_class = "api.authentication.SessionCookieAuthentication"
    name = "sessionCookie"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


def only_the_api(endpoints, **kwargs):
    """SPECTACULAR_SETTINGS["PREPROCESSING_HOOKS"]: only /api/v2/ is described
    (Wagtail's admin API is not a public interface)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v2/")]


ASSISTANT_OPERATION = {
    "operationId": "assistant_ask",
    "tags": ["assistant"],
    "description": (
        "Ask the site's assistant. The answer streams as Server-Sent Events, one "
        "event per frame of the WebSocket protocol: `sources` (the cited "
        "passages), `token` (text), `done` (conversation id, usage) or `error` "
        "(code, message). Limited to CHAT_RATE_LIMIT questions a minute per "
        "address and per user. With the session cookie, send the CSRF token "
        "in X-CSRFToken."
    ),
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["question"],
                    "properties": {
                        "question": {"type": "string", "minLength": 1},
                        "page_id": {"type": "integer", "description": "Ask about one page."},
                        "conversation_id": {"type": "string", "format": "uuid"},
                    },
                }
            }
        },
    },
    "responses": {
        "200": {
            "description": "The answer, as Server-Sent Events.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **{
            str(status): {
                "description": description,
                "content": {"application/json": {"schema": ERROR}},
            }
            for status, description in [
                (400, "Not a question (invalid_question, question_too_long, invalid_json, ...)."),
                (403, "The session cookie came without its CSRF token."),
                (405, "Only POST."),
                (413, "The body is too large."),
                (415, "Not JSON."),
                (429, "Too many questions (Retry-After)."),
                (503, "The assistant cannot count questions right now (Retry-After)."),
            ]
        },
    },
}


def add_the_assistant(result, generator, request, public):
    """SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]: the assistant stream is a
    plain async Django view (DRF views cannot stream asynchronously), so its
    operation is described here."""
    result["paths"]["/api/v2/assistant/"] = {"post": ASSISTANT_OPERATION}
    return result


class SchemaView(SpectacularAPIView):
    """The schema, YAML (or JSON with ?format=json). Building it costs CPU,
    so it counts against API_RATE_LIMIT like any API request."""

    throttle_classes = [SharedCacheThrottle]

    def get_exception_handler(self):
        return json_exception_handler

    def handle_exception(self, exc):
        # Errors are JSON, whichever schema format was asked for.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)
