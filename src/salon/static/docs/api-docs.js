// Starts Swagger UI on the API reference page (/v1/docs). A file of Salon's own rather than an
// inline script, so that the page's Content-Security-Policy can allow scripts from 'self' only.
// A block, so that the name stays out of the page's global scope (a classic script).
{
  /** Swagger UI's bundle, loaded just before, defines the global `SwaggerUIBundle`. */
  const page = /** @type {any} */ (window);
  page.ui = page.SwaggerUIBundle({
    url: document.body.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    // Swagger UI would otherwise ask validator.swagger.io about the document: nothing leaves.
    validatorUrl: null,
    presets: [page.SwaggerUIBundle.presets.apis],
  });
}
