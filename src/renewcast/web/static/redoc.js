// ReDoc from the package's own copy, started from a file (the CSP allows no inline script).
window.addEventListener("load", function () {
  window.Redoc.init("/openapi.json", {}, document.getElementById("redoc"));
});
