"""/api/v2/: the content endpoints (Wagtail's router), the assistant stream,
the OpenAPI 3 schema and its docs page; any other /api/ path is a JSON 404."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView
from wagtail.api.v2.router import WagtailAPIRouter

from api import errors
from api.assistant import assistant_stream
from api.endpoints import ENDPOINTS
from api.schema import SchemaView

router = WagtailAPIRouter("wagtailapi")
for name, endpoint in ENDPOINTS:
    router.register_endpoint(name, endpoint)

urlpatterns = [
    path("v2/schema/", SchemaView.as_view(), name="api_schema"),
    # The split view serves its script from its own URL: the CSP allows no inline script.
    path("v2/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("v2/assistant/", assistant_stream, name="api_assistant"),
    path("v2/", router.urls),
    # (?s): a newline (%0A) in the path is still an /api/ path, answered in JSON.
    re_path(r"^(?P<path>(?s:.*))$", errors.api_not_found),
]
