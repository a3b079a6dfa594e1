/* Start Swagger UI on /openapi.json (kept out of the HTML so the CSP can forbid inline scripts). */
"use strict";
window.ui = window.SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  layout: "BaseLayout",
});
