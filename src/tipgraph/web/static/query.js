/* The query page: YASGUI on this server's SPARQL endpoint, example queries and permalinks.
   Configuration comes from the page (#query-config); nothing is loaded from elsewhere. */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("query-config").textContent);
  const root = document.getElementById("query-ui");
  if (!root || typeof Yasgui === "undefined") {
    return;
  }
  const endpoint = new URL(config.endpoint, document.baseURI).href;

  /* The page's own URL for a query: opening it loads the query and runs it. */
  function permalink(query) {
    return config.endpoint + "?query=" + encodeURIComponent(query);
  }

  /* IRIs minted by the dataset resolve on this server: link them here, not to the base. */
  function localise(node) {
    if (node.nodeType !== Node.ELEMENT_NODE) {
      return;
    }
    const anchors = node.matches("a[href]") ? [node] : node.querySelectorAll("a[href]");
    for (const anchor of anchors) {
      const href = anchor.getAttribute("href");
      if (href.startsWith(config.base)) {
        anchor.setAttribute("href", config.publicBase + href.slice(config.base.length));
        anchor.removeAttribute("target");
        anchor.classList.add("local");
      }
    }
  }
  /* YASGUI's markup, repaired for assistive technology (axe-core findings): unlabelled inputs,
     a button inside the tab list, an editor scroll area out of keyboard reach. */
  function repair() {
    const labels = [
      [".tab input[type=text]", "Tab name"],
      ["input.autocomplete", "SPARQL endpoint"],
      [".CodeMirror textarea", "SPARQL query"],
      ["select.tableSizer", "Rows per page"],
      [".tableFilter", "Filter query results"],
    ];
    for (const [selector, label] of labels) {
      for (const element of root.querySelectorAll(selector)) {
        element.setAttribute("aria-label", label);
      }
    }
    for (const button of root.querySelectorAll(".tabsList button.addTab")) {
      button.setAttribute("role", "tab");
      button.setAttribute("aria-selected", "false");
    }
    for (const scroll of root.querySelectorAll(".CodeMirror-scroll")) {
      scroll.setAttribute("tabindex", "0");
    }
  }
  let repairing = false;
  new MutationObserver(function (records) {
    for (const record of records) {
      record.addedNodes.forEach(localise);
    }
    if (!repairing) {
      repairing = true;
      window.requestAnimationFrame(function () { repair(); repairing = false; });
    }
  }).observe(root, { childList: true, subtree: true });

  /* The property and class completers ask a vocabulary service on the Web: keep to this server. */
  Yasgui.Yasqe.defaults.autocompleters = Yasgui.Yasqe.defaults.autocompleters.filter(
    function (name) { return name !== "property" && name !== "class"; }
  );
  /* YASGUI's share button gives the same permalink as ours. */
  Yasgui.Tab.prototype.getShareableLink = function () {
    return new URL(permalink(this.getQuery()), document.baseURI).href;
  };

  const yasgui = new Yasgui(root, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    populateFromUrl: false, // permalinks are opened below, and always run
    autoAddOnInit: config.query === null,
    yasqe: { value: config.defaultQuery },
  });

  const titles = new Map();
  for (const link of document.querySelectorAll("a.example")) {
    titles.set(new URL(link.href).searchParams.get("query"), link.textContent.trim());
  }

  /* Load a query into its tab (a new one unless a tab already holds it) and run it. */
  function openQuery(query) {
    const tabs = yasgui.persistentConfig;
    const existing = tabs.getTabs().find(function (id) {
      return tabs.getTab(id).yasqe.value === query;
    });
    let tab;
    if (existing) {
      yasgui.selectTabId(existing);
      tab = yasgui.getTab(existing);
    } else {
      tab = yasgui.addTab(true, {
        name: titles.get(query) || yasgui.createTabName(),
        yasqe: { value: query },
        requestConfig: { endpoint: endpoint },
      });
    }
    tab.query().catch(function () {});
  }

  const permalinkLink = document.getElementById("permalink");
  function refreshPermalink() {
    const tab = yasgui.getTab();
    if (tab && tab.getYasqe()) {
      permalinkLink.setAttribute("href", permalink(tab.getQuery()));
    }
  }
  for (const event of ["mousedown", "focus", "contextmenu", "touchstart"]) {
    permalinkLink.addEventListener(event, refreshPermalink);
  }
  yasgui.on("tabSelect", function () { window.setTimeout(refreshPermalink); });
  yasgui.on("tabChange", refreshPermalink);
  yasgui.on("query", function (_, tab) {
    refreshPermalink();
    /* The address bar shows the permalink of the query last run. */
    history.replaceState(null, "", permalink(tab.getQuery()));
  });
  document.getElementById("query-permalink").hidden = false;

  for (const link of document.querySelectorAll("a.example")) {
    link.addEventListener("click", function (event) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
        return; // a new browser tab or window: the permalink opens and runs it there
      }
      event.preventDefault();
      openQuery(new URL(link.href).searchParams.get("query"));
      root.scrollIntoView({ block: "start" });
    });
  }

  if (config.query !== null) {
    openQuery(config.query);
  }
  refreshPermalink();
})();
