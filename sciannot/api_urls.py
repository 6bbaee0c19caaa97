"""The REST API under /api/ (namespace `api`): each app's part, the OpenAPI schema and its
readable reference (Swagger UI and Redoc, served from drf-spectacular-sidecar's static files).

The apps' parts are included by name, so this bottom layer imports none of them.
"""

from __future__ import annotations

from csp.constants import NONCE, SELF
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

# The styles redoc.standalone.js (drf-spectacular-sidecar 2026.10.1) adds as it loads, before
# it is handed the nonce: an empty one and its base styles. A new Redoc version may change
# them; tests/browser/test_api_docs.py then reports the blocked style.
REDOC_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
]

app_name = "api"
urlpatterns = [
    # The baselines' routes come before the releases' `<filename>` route, which would match them.
    path("", include("baselines.api_urls")),
    path("", include("releases.api_urls")),
    path("", include("reviews.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The same audience as the schema (sciannot.settings SPECTACULAR_SETTINGS). Our templates
    # start the viewers from static/js/api-docs.js: no inline script or style (CSP).
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    # Redoc draws with styled-components, which adds <style> elements as it renders, and runs
    # its search in a worker made from a blob: this page alone lets in those styles that carry
    # its one-time nonce (handed to Redoc.init) or are the two the bundle adds as it loads
    # (REDOC_STYLE_HASHES), and blob: workers. Its "API docs by Redocly" logo stays blocked
    # (img-src): nothing is fetched from another origin, and Redoc hides the image.
    path(
        "redoc/",
        csp_update({"style-src": [NONCE, *REDOC_STYLE_HASHES], "worker-src": [SELF, "blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
]
