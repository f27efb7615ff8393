// Starts Swagger UI on the API's own document. A file of its own: the docs page's CSP allows no inline script.
window.addEventListener('DOMContentLoaded', () => {
  window.SwaggerUIBundle({ url: 'openapi.json', dom_id: '#swagger-ui' });
});
