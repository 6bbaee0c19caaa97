/* Starts Swagger UI or Redoc (both served from drf-spectacular-sidecar) on the API reference
 * pages. The settings come from data attributes, so the pages need no inline script. */
(function () {
  "use strict";

  function startSwagger(root) {
    var header = root.dataset.csrfHeader;
    var token = root.dataset.csrfToken;
    window.SwaggerUIBundle({
      url: root.dataset.schemaUrl,
      domNode: root,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      deepLinking: true,
      // "Try it out" with the signed-in session: Django wants the CSRF token on writes.
      requestInterceptor: function (request) {
        var method = (request.method || "GET").toUpperCase();
        if (method !== "GET" && method !== "HEAD" && header && token) {
          request.headers[header] = token;
        }
        return request;
      }
    });
  }

  function startRedoc(root) {
    // The page's one-time CSP nonce: Redoc puts it on the <style> elements it adds.
    window.Redoc.init(root.dataset.schemaUrl, { nonce: root.dataset.nonce }, root);
  }

  var swagger = document.getElementById("swagger-ui");
  if (swagger && window.SwaggerUIBundle) { startSwagger(swagger); }
  var redoc = document.getElementById("redoc");
  if (redoc && window.Redoc) { startRedoc(redoc); }
})();
