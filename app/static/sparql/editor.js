/* The query editor at /sparql: YASGUI with pop-ld's prefixes, example menu, autocompletion
 * from the store's VoID description, and two result views YASR lacks: a Leaflet map of WKT
 * values and a Chart.js chart of counts. Everything is served from /vendor: no network. */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("pop-ld-editor-config").textContent);
  const examples = JSON.parse(document.getElementById("pop-ld-examples").textContent);
  const byName = new Map(examples.map((e) => [e.name, e]));
  const Yasgui = window.Yasgui;
  const Yasqe = Yasgui.Yasqe;
  const Yasr = Yasgui.Yasr;

  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const WKT_LITERAL = "http://www.opengis.net/ont/geosparql#wktLiteral";
  const VOID = "http://rdfs.org/ns/void#";
  const NUMERIC = new Set(
    ["integer", "decimal", "double", "float", "int", "long", "short", "byte",
     "nonNegativeInteger", "positiveInteger", "unsignedInt", "unsignedLong"].map((t) => XSD + t));
  const WKT_TEXT = /^\s*(<[^>]*>\s*)?(MULTI)?(POINT|LINESTRING|POLYGON)\s*(Z|M|ZM)?\s*\(/i;

  // ---- autocompletion: the project's prefixes, and the classes and properties in the store ----

  let voidTerms = null;
  function loadVoid() {
    if (!voidTerms) {
      voidTerms = fetch(config.void, { headers: { Accept: "application/ld+json" } })
        .then((r) => (r.ok ? r.json() : []))
        .then((nodes) => {
          const terms = { classes: [], properties: [] };
          for (const node of Array.isArray(nodes) ? nodes : []) {
            for (const c of node[VOID + "class"] || []) terms.classes.push(c["@id"]);
            for (const p of node[VOID + "property"] || []) terms.properties.push(p["@id"]);
          }
          return terms;
        })
        .catch(() => ({ classes: [], properties: [] }));
    }
    return voidTerms;
  }

  Yasqe.forkAutocompleter("class", {
    name: "pop-classes", bulk: true, persistenceId: null,
    get: () => loadVoid().then((t) => t.classes),
  }, false);
  Yasqe.forkAutocompleter("property", {
    name: "pop-properties", bulk: true, persistenceId: null,
    get: () => loadVoid().then((t) => t.properties),
  }, false);
  const bundledPrefixes = Yasqe.Autocompleters.prefixes.get;
  Yasqe.forkAutocompleter("prefixes", {
    name: "pop-prefixes", persistenceId: null,
    get: (yasqe) => Promise.resolve(bundledPrefixes(yasqe)).then((bundled) => {
      const ours = Object.entries(config.prefixes).map(([p, iri]) => `${p}: <${iri}>`);
      const taken = new Set(Object.keys(config.prefixes));
      return ours.concat(bundled.filter((line) => !taken.has(line.split(":")[0])));
    }),
  }, false);

  // ---- result views ----

  function isWkt(binding) {
    return !!binding && binding.type !== "uri" &&
      (binding.datatype === WKT_LITERAL || WKT_TEXT.test(binding.value));
  }

  function isNumeric(binding) {
    return !!binding && NUMERIC.has(binding.datatype) && !Number.isNaN(Number(binding.value));
  }

  /** Coordinates of a WKT literal as Leaflet layers (WKT is longitude first). */
  function wktLayers(text) {
    const wkt = text.replace(/^\s*<[^>]*>\s*/, "").trim();
    const kind = (wkt.match(/^[A-Z]+/i) || [""])[0].toUpperCase();
    const body = wkt.slice(wkt.indexOf("("));
    const pair = (s) => { const [x, y] = s.trim().split(/\s+/).map(Number); return [y, x]; };
    const ring = (s) => s.replace(/[()]/g, "").split(",").map(pair);
    const groups = (s, depth) => {
      // split "((a),(b))" into its top-level parts at the given nesting depth
      const parts = []; let level = 0; let start = 0;
      for (let i = 0; i < s.length; i++) {
        if (s[i] === "(") { level++; if (level === depth) start = i; }
        if (s[i] === ")") { if (level === depth) parts.push(s.slice(start, i + 1)); level--; }
      }
      return parts;
    };
    switch (kind) {
      case "POINT": return [{ point: pair(body.replace(/[()]/g, "")) }];
      case "MULTIPOINT": return ring(body).map((p) => ({ point: p }));
      case "LINESTRING": return [{ line: ring(body) }];
      case "MULTILINESTRING": return groups(body, 2).map((l) => ({ line: ring(l) }));
      case "POLYGON": return [{ polygon: groups(body, 2).map(ring) }];
      case "MULTIPOLYGON": return groups(body, 2).map((p) => ({ polygon: groups(p, 2).map(ring) }));
      default: return [];
    }
  }

  /** A popup listing a row's other values; IRIs become links, nothing is parsed as HTML. */
  function popup(row, vars, skip) {
    const dl = document.createElement("dl");
    for (const v of vars) {
      const b = row[v];
      if (!b || v === skip) continue;
      const dt = document.createElement("dt"); dt.textContent = v;
      const dd = document.createElement("dd");
      if (b.type === "uri" && /^https?:\/\//.test(b.value)) {
        const a = document.createElement("a"); a.href = b.value; a.textContent = b.value; dd.appendChild(a);
      } else {
        dd.textContent = b.value;
      }
      dl.append(dt, dd);
    }
    return dl;
  }

  class MapPlugin {
    constructor(yasr) {
      this.yasr = yasr;
      this.priority = 3;
      this.label = "Carte · Map";
      this.helpReference = undefined;
    }
    wktVariables() {
      const results = this.yasr.results;
      if (!results || results.hasError() || !results.getVariables) return [];
      const rows = results.getBindings() || [];
      return (results.getVariables() || []).filter((v) => rows.some((r) => isWkt(r[v])));
    }
    canHandleResults() { return this.wktVariables().length > 0; }
    getIcon() { return iconOf("M12 2a7 7 0 0 0-7 7c0 5 7 13 7 13s7-8 7-13a7 7 0 0 0-7-7zm0 9.5a2.5 2.5 0 1 1 0-5 2.5 2.5 0 0 1 0 5z"); }
    draw() {
      const results = this.yasr.results;
      const vars = results.getVariables();
      const wktVars = this.wktVariables();
      const el = document.createElement("div");
      el.className = "pop-ld-map";
      const note = document.createElement("p");
      note.className = "pop-ld-map-note";
      this.yasr.resultsEl.append(el, note);
      const map = L.map(el, { worldCopyJump: true });
      this.map = map;
      const tiles = L.tileLayer(config.tiles, { attribution: config.tilesAttribution, maxZoom: 19 });
      tiles.once("tileerror", () => {
        el.classList.add("offline");
        note.textContent = "Fond de carte indisponible (hors ligne) : les points restent placés. " +
          "Base map unavailable (offline): the points are still placed.";
      });
      tiles.addTo(map);
      const points = L.markerClusterGroup ? L.markerClusterGroup({ chunkedLoading: true }) : L.featureGroup();
      const shapes = L.featureGroup();
      let markers = 0, polygons = 0;
      for (const row of results.getBindings()) {
        for (const v of wktVars) {
          if (!isWkt(row[v])) continue;
          for (const part of wktLayers(row[v].value)) {
            let layer;
            if (part.point && part.point.every(Number.isFinite)) { layer = L.marker(part.point); markers++; points.addLayer(layer); }
            else if (part.line) { layer = L.polyline(part.line); polygons++; shapes.addLayer(layer); }
            else if (part.polygon && part.polygon.length) { layer = L.polygon(part.polygon); polygons++; shapes.addLayer(layer); }
            if (layer) layer.bindPopup(() => popup(row, vars, v));
          }
        }
      }
      points.addTo(map);
      shapes.addTo(map);
      el.dataset.markers = String(markers);
      el.dataset.shapes = String(polygons);
      const bounds = L.featureGroup([points, shapes]).getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16 });
      else map.setView([46.6, 2.4], 5);  // France
      setTimeout(() => map.invalidateSize(), 0);
    }
    destroy() { if (this.map) { this.map.remove(); this.map = undefined; } }
  }

  class ChartPlugin {
    constructor(yasr) {
      this.yasr = yasr;
      this.priority = 2;
      this.label = "Graphique · Chart";
    }
    columns() {
      const results = this.yasr.results;
      if (!results || results.hasError() || !results.getVariables) return null;
      const rows = results.getBindings() || [];
      const vars = results.getVariables() || [];
      const numeric = vars.filter((v) => rows.some((r) => r[v]) && rows.every((r) => !r[v] || isNumeric(r[v])));
      const labels = vars.filter((v) => !numeric.includes(v));
      if (!rows.length || !numeric.length) return null;
      return { rows, numeric, label: labels.find((v) => /label|name|nom/i.test(v)) || labels[0] };
    }
    canHandleResults() { return !!window.Chart && this.columns() !== null; }
    getIcon() { return iconOf("M4 20h16v2H2V2h2zm3-2V10h3v8zm5 0V5h3v13zm5 0v-6h3v6z"); }
    draw() {
      const { rows, numeric, label } = this.columns();
      const shown = rows.slice(0, 200);
      const name = (b) => {
        if (!b) return "";
        if (b.type !== "uri") return b.value;
        for (const [p, iri] of Object.entries(config.prefixes)) if (b.value.startsWith(iri)) return `${p}:${b.value.slice(iri.length)}`;
        return decodeURIComponent(b.value.replace(/\/$/, "").split(/[/#]/).pop());
      };
      const wrap = document.createElement("div");
      wrap.className = "pop-ld-chart";
      wrap.dataset.bars = String(shown.length);
      const canvas = document.createElement("canvas");
      wrap.appendChild(canvas);
      this.yasr.resultsEl.appendChild(wrap);
      const colours = ["#000091", "#e1000f", "#18753c", "#b34000", "#6a6af4"];
      this.chart = new Chart(canvas, {
        type: "bar",
        data: {
          labels: shown.map((r, i) => (label ? name(r[label]) : String(i + 1))),
          datasets: numeric.map((v, i) => ({
            label: v, data: shown.map((r) => (r[v] ? Number(r[v].value) : null)),
            backgroundColor: colours[i % colours.length],
          })),
        },
        options: {
          responsive: true, maintainAspectRatio: false, animation: false,
          indexAxis: shown.length > 15 ? "y" : "x",
          plugins: { legend: { display: numeric.length > 1 } },
        },
      });
    }
    destroy() { if (this.chart) { this.chart.destroy(); this.chart = undefined; } }
  }

  function iconOf(path) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    const p = document.createElementNS(ns, "path");
    p.setAttribute("d", path);
    svg.appendChild(p);
    const span = document.createElement("span");
    span.appendChild(svg);
    return span;
  }

  Yasr.registerPlugin("map", MapPlugin);
  Yasr.registerPlugin("chart", ChartPlugin);

  // ---- the editor ----

  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint: config.endpoint }] },
    persistenceId: "pop-ld-editor",
    yasqe: {
      value: config.defaultQuery,
      autocompleters: ["pop-prefixes", "variables", "pop-classes", "pop-properties"],
      editorHeight: "22rem",
    },
    yasr: {
      prefixes: config.prefixes,
      pluginOrder: ["table", "map", "chart", "response"],
      defaultPlugin: "table",
    },
  });
  window.popLdEditor = yasgui;  // for the page tests and the curious

  const description = document.getElementById("example-description");
  const buttons = document.querySelectorAll("button.example");

  function loadExample(name) {
    const example = byName.get(name);
    if (!example) return;
    const tab = yasgui.getTab();
    tab.setQuery(example.query);
    tab.getYasr().selectPlugin(example.view);
    description.querySelector(".description").textContent = example.description || example.summary;
    description.querySelector(".description-en").textContent = example.description_en || example.summary_en;
    description.hidden = false;
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.example === name));
  }

  for (const button of buttons) {
    button.addEventListener("click", () => loadExample(button.dataset.example));
  }
  const asked = new URLSearchParams(window.location.search).get("example");
  if (asked) loadExample(asked);
})();
