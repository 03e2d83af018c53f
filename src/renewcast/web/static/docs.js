// The API docs page: Swagger UI from the package's own copy, started from a file (the CSP
// allows scripts from this origin only, so nothing inline).
window.addEventListener("load", function () {
  window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
