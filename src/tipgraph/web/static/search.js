// Suggestions as you type under the site's search box (input#site-search): asks the search
// form's own URL (?q=…&format=json) and lists what it answers as links. Without this script
// the form still works: it submits to /search, which answers a page.
(function () {
  "use strict";
  var input = document.getElementById("site-search");
  // Once, should the page include this script twice (base.html and a page of its own).
  if (!input || !input.form || !window.fetch || input.dataset.suggestions) return;
  input.dataset.suggestions = "on";
  var form = input.form;
  var list = document.createElement("ul");
  list.id = "site-search-suggestions";
  list.className = "search-suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");
  list.hidden = true;
  form.appendChild(list);
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");

  var timer = null;
  var asked = 0; // the latest request: older answers arriving late are dropped

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  function show(results) {
    list.textContent = "";
    results.forEach(function (result, position) {
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.id = "site-search-option-" + position;
      var link = document.createElement("a");
      link.href = result.page;
      link.textContent = result.label;
      if (result.language) link.lang = result.language;
      item.appendChild(link);
      if (result.type) {
        var kind = document.createElement("span");
        kind.className = "search-type";
        kind.textContent = result.type;
        item.appendChild(document.createTextNode(" "));
        item.appendChild(kind);
      }
      list.appendChild(item);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
  }

  function ask() {
    var text = input.value.trim();
    if (!text) return close();
    var number = ++asked;
    var url = form.action + "?" + new URLSearchParams({ q: text, format: "json", limit: "8" });
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (answer) { return answer.ok ? answer.json() : { results: [] }; })
      .then(function (body) { if (number === asked) show(body.results || []); })
      .catch(close);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 120);
  });
  input.addEventListener("keydown", function (event) {
    var links = list.querySelectorAll("a");
    if (event.key === "Escape" && !list.hidden) {
      event.preventDefault(); // the first Escape closes the list, the next clears the box
      return close();
    }
    if (event.key === "ArrowDown" && links.length && !list.hidden) {
      event.preventDefault();
      links[0].focus();
    }
  });
  list.addEventListener("keydown", function (event) {
    var links = Array.prototype.slice.call(list.querySelectorAll("a"));
    var at = links.indexOf(document.activeElement);
    if (event.key === "Escape") { close(); input.focus(); }
    else if (event.key === "ArrowDown" && at < links.length - 1) { event.preventDefault(); links[at + 1].focus(); }
    else if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? links[at - 1] : input).focus(); }
  });
  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) close();
  });
})();
