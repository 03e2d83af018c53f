// Suggestions while typing in the search box (progressive enhancement: the form
// works without this script). Calls /api/v1/titles?q= and fills the <datalist>;
// choosing a suggestion goes straight to its page.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("q-suggestions");
  if (!input || !list || !window.fetch) { return; }
  var endpoint = input.getAttribute("data-suggest");
  var urls = {};
  var timer = null;
  var last = "";

  function label(row) { return row.season_title || row.show_title; }

  function update() {
    var q = input.value.trim();
    if (q.length < 2 || q === last) { return; }
    last = q;
    fetch(endpoint + "?limit=8&q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) {
        if (input.value.trim() !== q) { return; }
        urls = {};
        list.textContent = "";
        (data.results || []).forEach(function (row) {
          var option = document.createElement("option");
          option.value = label(row);
          option.textContent = row.category;
          urls[label(row)] = row.url;
          list.appendChild(option);
        });
      })
      .catch(function () { /* suggestions are optional */ });
  }

  input.addEventListener("input", function () {
    if (urls[input.value]) { window.location.href = urls[input.value]; return; }
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  });
  input.form.addEventListener("submit", function (event) {
    if (urls[input.value]) { event.preventDefault(); window.location.href = urls[input.value]; }
  });
})();
