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
  /* The endpoint predeclares these prefixes: the editor counts them as declared, so typing
     `skos:` adds no PREFIX line (and never one that binds the name to another namespace). */
  const ownPrefixes = Yasgui.Yasqe.prototype.getPrefixesFromQuery;
  Yasgui.Yasqe.prototype.getPrefixesFromQuery = function () {
    return Object.assign({}, config.prefixes, ownPrefixes.call(this));
  };

  /* Results: numbers as numbers, IRIs as their label or a prefixed name linked to their page,
     literals as text that wraps. */
  const NUMERIC = /#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger|negativeInteger|nonPositiveInteger|unsignedInt|unsignedLong|unsignedShort|unsignedByte)$/;
  const LABELS = ["Label", "_label", "Name", "_name"];
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function isNumber(binding) {
    return binding.type !== "uri" && NUMERIC.test(binding.datatype || "");
  }
  function prefixed(iri) {
    let best = null;
    for (const [name, namespace] of Object.entries(config.shownPrefixes)) {
      const local = iri.slice(namespace.length);
      if (iri.startsWith(namespace) && local && !local.includes("/")
          && (best === null || namespace.length > best[1].length)) {
        best = [name, namespace];
      }
    }
    return best === null ? iri : best[0] + ":" + iri.slice(best[1].length);
  }
  /* The label a row gives for the IRI in `variable`: ?xLabel, ?x_label, ?xName …, or ?label
     (?name) when that IRI is the row's only one. */
  function labelFor(variable, row, variables) {
    const value = function (name) {
      const at = variables.indexOf(name);
      const binding = at < 0 ? null : row[at + 1];
      return binding && binding.type !== "uri" && binding.value ? binding.value : null;
    };
    for (const suffix of LABELS) {
      const found = value(variable + suffix);
      if (found) {
        return found;
      }
    }
    const iris = variables.filter(function (name, at) {
      return row[at + 1] && row[at + 1].type === "uri";
    });
    return iris.length === 1 ? value("label") || value("name") : null;
  }
  function iriCell(iri, label) {
    const local = iri.startsWith(config.base);
    let shown = local && label ? label : prefixed(iri);
    if (local && shown === iri) {
      shown = iri.slice(config.base.length); // no prefixed name: its path on this server
    }
    const href = local ? config.publicBase + iri.slice(config.base.length) : iri;
    const target = local ? "" : ' target="_blank" rel="noopener noreferrer"';
    return '<a class="iri' + (local ? " local" : "") + '" href="' + escapeHtml(href) + '" title="'
      + escapeHtml(iri) + '"' + target + ">" + escapeHtml(shown) + "</a>";
  }
  function literalCell(binding) {
    if (isNumber(binding)) {
      const number = Number(binding.value);
      const shown = Number.isInteger(number) && /integer|int|long|short|byte/i.test(binding.datatype)
        ? number.toLocaleString("en") : binding.value;
      return '<div class="number" title="' + escapeHtml(prefixed(binding.datatype)) + '">'
        + escapeHtml(shown) + "</div>";
    }
    const language = binding["xml:lang"]
      ? ' <span class="language">@' + escapeHtml(binding["xml:lang"]) + "</span>" : "";
    const type = binding.datatype ? ' title="' + escapeHtml(prefixed(binding.datatype)) + '"' : "";
    return '<div class="literal"' + type + ">" + escapeHtml(binding.value) + language + "</div>";
  }
  function cell(binding, row, variable, variables) {
    if (binding.type === "uri") {
      return "<div>" + iriCell(binding.value, labelFor(variable, row, variables)) + "</div>";
    }
    if (binding.type === "bnode") {
      return '<div class="literal">_:' + escapeHtml(binding.value) + "</div>";
    }
    return literalCell(binding);
  }
  const Table = Yasgui.Yasr.plugins.table;
  const tableColumns = Table.prototype.getColumns;
  Table.prototype.getColumns = function () {
    if (this.persistentConfig.isEllipsed === undefined) {
      this.persistentConfig.isEllipsed = false; // long values wrap, shown whole
    }
    const columns = tableColumns.call(this);
    const variables = this.yasr.results ? this.yasr.results.getVariables() : [];
    return columns.map(function (column, at) {
      if (at === 0) {
        return column;
      }
      const variable = variables[at - 1];
      return Object.assign({}, column, {
        render: function (binding, type, row) {
          if (binding === "" || binding === undefined) {
            return "";
          }
          if (type === "sort" && isNumber(binding)) {
            return Number(binding.value);
          }
          if (type === "filter" || type === "sort" || !type) {
            return binding.value;
          }
          return cell(binding, row, variable, variables);
        },
      });
    });
  };

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
