"""The API's readable reference: Swagger UI and Redoc over the OpenAPI schema, from
drf-spectacular-sidecar's static files, started by static/js/api-docs.js (no inline script).

The pages are HTML, but a refusal (a dead account's token, a POST without the CSRF token)
answers JSON like everything else under /api/.
"""

from __future__ import annotations

from csp.constants import NONCE, SELF
from csp.decorators import csp_update
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

# The styles redoc.standalone.js (drf-spectacular-sidecar 2026.10.1) adds as it loads, before
# it is handed the nonce: an empty one and its base styles. A new Redoc version may change
# them; tests/browser/test_api_docs.py then reports the blocked style.
REDOC_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
]


class _ReferencePage(APIView):
    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


class SwaggerPage(_ReferencePage, SpectacularSwaggerView):
    url_name = "api:schema"
    template_name = "api/swagger_ui.html"


class RedocPage(_ReferencePage, SpectacularRedocView):
    url_name = "api:schema"
    template_name = "api/redoc.html"


swagger_page = SwaggerPage.as_view()

# Redoc draws with styled-components, which adds <style> elements as it renders, and runs its
# search in a worker made from a blob: this page alone lets in the styles that carry its
# one-time nonce (handed to Redoc.init) or are the two the bundle adds as it loads, and blob:
# workers. Its "API docs by Redocly" logo stays blocked (img-src): nothing is fetched from
# another origin, and Redoc hides the image.
redoc_page = csp_update({"style-src": [NONCE, *REDOC_STYLE_HASHES], "worker-src": [SELF, "blob:"]})(
    RedocPage.as_view()
)
