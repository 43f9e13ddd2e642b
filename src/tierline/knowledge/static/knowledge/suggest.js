// Help articles that match what a customer types as the title of a new issue, shown before they
// submit (deflection). Reads /api/v1/articles/suggest with the session; no inline code (CSP).
(function () {
  "use strict";
  var panel = document.querySelector("[data-article-suggest]");
  if (!panel) return;
  var input = document.getElementById(panel.getAttribute("data-for"));
  var list = panel.querySelector("[data-article-list]");
  var hint = panel.querySelector("[data-article-hint]");
  if (!input || !list) return;
  var url = panel.getAttribute("data-url");
  var timer = null, asked = "", latest = 0;

  function show(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.portal_url + "?from=suggestion";
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = item.title;
      li.appendChild(link);
      if (item.summary) {
        var summary = document.createElement("p");
        summary.textContent = item.summary;
        li.appendChild(summary);
      }
      list.appendChild(li);
    });
    if (hint) hint.textContent = items.length ? "These articles may answer your question:" :
      "Start typing a title: help articles that match appear here.";
  }

  function lookup() {
    var q = input.value;
    if (q.trim().length < 3) { asked = ""; show([]); return; }
    if (q === asked) return;
    asked = q;
    var mine = ++latest;
    fetch(url + "?q=" + encodeURIComponent(q), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {items: []}; })
      .then(function (data) { if (mine === latest) show(data.items || []); })
      .catch(function () { /* suggestions are a help, never in the way of reporting */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 200);
  });
  if (input.value) lookup();
})();
