// gezondewijk map viewer: buurten and cells as vector tiles, a layer per indicator and per preset.
// MapLibre GL JS (CSP build, from npm at build time; no CDN) draws the tiles that the app cuts
// on request (/kaart/tegels/...); colours are expressions, so changing a layer loads nothing.
(function () {
  "use strict";
  const VALUE = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"];
  const KLASSE = { "geen": "#f0f0f0", "druk op bescherming": "#fdae61", "druk op bevordering": "#abd9e9", "beide": "#d7191c" };
  const NONE = "#cccccc";
  const el = document.getElementById("kaart");
  const hint = document.getElementById("hint");
  let info = null, map = null, layerKey = "score", level = "buurten", picked = null;
  const selected = new Set();

  function esc(s) { return String(s === null || s === undefined ? "" : s).replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]); }
  function fmt(v) { return v === null || v === undefined ? "–" : (Math.round(v * 100) / 100).toLocaleString("nl-NL"); }
  // a value rounded to what its unit carries (the server's one table, number_format.UNIT_PRECISION)
  function fmtUnit(v, unit) {
    const rule = ((info && info.precision) || {})[unit];
    if (v === null || v === undefined || !rule) { return fmt(v); }
    const r = Math.round(v / rule[0]) * rule[0];
    return r.toLocaleString("nl-NL", { minimumFractionDigits: rule[1], maximumFractionDigits: rule[1] });
  }
  function unitOf(ind, p) {
    const used = p[ind.key + "_variabele"];
    const rule = ind.rules.find(function (r) { return r.variable === used; });
    return rule ? rule.unit : ind.unit;
  }
  function field() {
    if (layerKey === "score") return "score";
    if (info.classes.some(c => c.key === layerKey)) return layerKey;
    return layerKey + "_waarde";
  }
  function breaks() { return (info.breaks[level] || {})[field()] || []; }
  // step expression over the legend's breaks; equal breaks skip a colour, as in the legend
  function colourExpression() {
    const f = ["get", field()];
    if (layerKey === "score") {
      const steps = ["step", f, info.score_colours[0]];
      for (let s = 1; s < info.score_colours.length; s++) steps.push(s, info.score_colours[s]);
      return ["case", ["==", ["typeof", f], "number"], steps, NONE];
    }
    if (layerKey === "stapel_klasse") {
      const m = ["match", ["to-string", f]];
      for (const k in KLASSE) m.push(k, KLASSE[k]);
      m.push(NONE);
      return m;
    }
    const b = breaks();
    const steps = ["step", f, VALUE[0]];
    const unique = [...new Set(b)];
    for (const u of unique) steps.push(u, VALUE[b.filter(v => v <= u).length]);
    return ["case", ["==", ["typeof", f], "number"], steps, NONE];
  }
  function lineExpression(dflt) {
    return ["case", ["boolean", ["feature-state", "sel"], false], "#e8a100",
      ["==", ["get", layerKey + "_aan"], 1], "#8b0000", dflt];
  }
  // thin outlines when zoomed out (thousands of buurten), full width from zoom 12
  function widthExpression(dflt) {
    const at = k => ["case", ["boolean", ["feature-state", "sel"], false], 3.5,
      ["==", ["get", layerKey + "_aan"], 1], 1.5 * k, dflt * k];
    return ["interpolate", ["linear"], ["zoom"], 6, at(0.2), 12, at(1)];
  }
  function restyle() {
    const colour = colourExpression();
    map.setPaintProperty("buurten-vlak", "fill-color", colour);
    map.setPaintProperty("cellen-vlak", "fill-color", colour);
    map.setPaintProperty("buurten-rand", "line-color", level === "buurten" ? lineExpression("#333333") : "#333333");
    map.setPaintProperty("buurten-rand", "line-width", level === "buurten" ? widthExpression(0.8) : ["interpolate", ["linear"], ["zoom"], 6, 0.15, 12, 0.8]);
    map.setPaintProperty("cellen-rand", "line-color", lineExpression("#888888"));
    map.setPaintProperty("cellen-rand", "line-width", widthExpression(0.3));
    const cells = level === "cellen" ? "visible" : "none";
    map.setLayoutProperty("cellen-vlak", "visibility", cells);
    map.setLayoutProperty("cellen-rand", "visibility", cells);
    map.setLayerZoomRange("buurten-vlak", 0, level === "cellen" ? info.zoom.cellen : 24);
    legend();
    hints();
  }
  function hints() {
    hint.textContent = level === "cellen" && !cellsShown()
      ? "Zoom verder in om de cellen te zien; tot dan ziet u de buurten." : "";
  }
  function selection() {
    const box = document.getElementById("selectie");
    box.textContent = "";
    if (!selected.size) return;
    const a = document.createElement("a");
    a.href = "/cellen/factsheet?ids=" + encodeURIComponent(Array.from(selected).join(","));
    a.textContent = "Factsheet van " + selected.size + " geselecteerde cellen";
    box.appendChild(a);
  }
  function details(p) {
    const name = p.buurtnaam || (p.cel_id ? "Cel van 100 × 100 m" : "");
    let h = "<h2>" + esc(name) + "</h2><p>Score <strong>" + esc(p.score) + "</strong> van " + esc(p.n_beschikbaar) + " beschikbare indicatoren.</p>";
    h += "<table><thead><tr><th scope='col'>Indicator</th><th scope='col'>Waarde</th><th scope='col'>Aan</th></tr></thead><tbody>";
    for (const ind of info.indicators) {
      const on = p[ind.key + "_aan"];
      h += "<tr><th scope='row'>" + esc(ind.label) + "</th><td>" + fmtUnit(p[ind.key + "_waarde"], unitOf(ind, p)) + " " + esc(unitOf(ind, p)) + "</td><td>" + (on === 1 ? "ja" : on === 0 ? "nee" : "–") + "</td></tr>";
    }
    h += "</tbody></table>";
    if (p.buurtcode) h += "<p><a href='/buurt/" + encodeURIComponent(p.buurtcode) + "'>Factsheet van de buurt</a></p>";
    document.getElementById("details").innerHTML = h;
  }
  function legend() {
    const box = document.getElementById("legenda");
    box.innerHTML = "";
    const title = document.createElement("h2"); title.className = "legend-title";
    const ind0 = info.indicators.find(x => x.key === layerKey);
    const cls0 = info.classes.find(x => x.key === layerKey);
    title.textContent = layerKey === "score" ? "Score: aantal indicatoren 'aan' (van " + info.max_score + ")"
      : ind0 ? ind0.label + (ind0.unit ? " (" + ind0.unit + ")" : "") : (cls0 ? cls0.label : layerKey);
    box.appendChild(title);
    const add = (c, text) => { const row = document.createElement("div"); row.className = "legend-row"; const sw = document.createElement("span"); sw.className = "swatch"; sw.style.background = c; row.appendChild(sw); row.appendChild(document.createTextNode(text)); box.appendChild(row); };
    if (layerKey === "score") { for (let s = 0; s <= info.max_score; s++) add(info.score_colours[s], String(s)); }
    else if (layerKey === "stapel_klasse") { for (const k in KLASSE) add(KLASSE[k], k); }
    else {
      const edges = [null, ...breaks(), null];
      const u = ind0 ? ind0.unit : "";
      for (let i = 0; i < VALUE.length; i++) add(VALUE[i], (edges[i] === null ? "≤" : fmtUnit(edges[i], u) + " –") + " " + (edges[i + 1] === null ? "" : fmtUnit(edges[i + 1], u)));
      const p0 = document.createElement("p"); p0.className = "src";
      p0.textContent = "Vijf even grote groepen van alle " + (level === "cellen" ? "cellen" : "buurten") + " in deze kaart.";
      box.appendChild(p0);
      if (ind0) {
        const ul = document.createElement("ul"); ul.className = "src";
        for (const r of ind0.rules) {
          const li = document.createElement("li");
          const t = r.rule === "quantile" ? "slechtste " + Math.round(r.share * 100) + "%" : (r.threshold === null ? "referentie" : "drempel " + fmtUnit(r.threshold, r.unit) + " " + r.unit);
          li.textContent = (r.substitute ? "vervanger " : "") + (r.label || r.variable) + ": " + t + " — " + r.source;
          ul.appendChild(li);
        }
        const p = document.createElement("p"); p.className = "src"; p.textContent = "Rode rand: indicator 'aan'.";
        box.appendChild(p); box.appendChild(ul);
      }
    }
  }
  function mark(target, on) { map.setFeatureState(target, { sel: on }); }
  // cells answer clicks only where they are drawn; elsewhere the buurten do
  function cellsShown() { return level === "cellen" && map.getZoom() >= info.zoom.cellen; }
  function hitAt(point) { return map.queryRenderedFeatures(point, { layers: [cellsShown() ? "cellen-vlak" : "buurten-vlak"] })[0]; }
  function clicked(e) {
    const cells = cellsShown();
    const hit = hitAt(e.point);
    if (!hit) return;
    const p = hit.properties;
    details(p);
    if (window.matchMedia("(max-width: 40rem)").matches) document.getElementById("details").scrollIntoView({ block: "nearest" });
    if (cells) {
      const id = p.cel_id;
      const on = !selected.has(id);
      if (on) selected.add(id); else selected.delete(id);
      mark({ source: "cellen", sourceLayer: "cellen", id: id }, on);
      selection();
    } else {
      if (picked) mark(picked, false);
      picked = { source: "buurten", sourceLayer: "buurten", id: p.buurtcode };
      mark(picked, true);
    }
  }
  function webgl() {
    const c = document.createElement("canvas");
    return !!(c.getContext("webgl2") || c.getContext("webgl"));
  }
  function style() {
    const origin = window.location.origin;
    const src = (name, min) => ({
      type: "vector", tiles: [origin + "/kaart/tegels/" + name + "/{z}/{x}/{y}.pbf"],
      minzoom: min, maxzoom: info.zoom.max, promoteId: { [name]: name === "cellen" ? "cel_id" : "buurtcode" },
      attribution: esc(info.provenance),
    });
    const layers = [{ id: "achtergrond", type: "background", paint: { "background-color": "#f4f4f4" } }];
    const sources = { buurten: src("buurten", info.zoom.buurten), cellen: src("cellen", info.zoom.cellen) };
    if (info.basemap) {
      sources.basis = { type: "raster", tiles: [info.basemap], tileSize: 256, attribution: "Achtergrond: " + esc(new URL(info.basemap).host) };
      layers.push({ id: "basis", type: "raster", source: "basis" });
    }
    layers.push(
      { id: "buurten-vlak", type: "fill", source: "buurten", "source-layer": "buurten", paint: { "fill-color": NONE, "fill-opacity": 0.85 } },
      { id: "cellen-vlak", type: "fill", source: "cellen", "source-layer": "cellen", layout: { visibility: "none" }, paint: { "fill-color": NONE, "fill-opacity": 0.85 } },
      { id: "cellen-rand", type: "line", source: "cellen", "source-layer": "cellen", layout: { visibility: "none" }, paint: { "line-color": "#888888", "line-width": 0.3 } },
      { id: "buurten-rand", type: "line", source: "buurten", "source-layer": "buurten", paint: { "line-color": "#333333", "line-width": 0.8 } },
    );
    // colours appear at once: no 300 ms fade on every tile and restyle (data, not decoration)
    return { version: 8, sources: sources, layers: layers, transition: { duration: 0, delay: 0 } };
  }
  async function find(term) {
    const r = await fetch("/kaart/zoek.json?q=" + encodeURIComponent(term));
    if (!r.ok) return;
    const hit = await r.json();
    const b = hit.bounds;
    map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 30, duration: 0 });
    map.once("idle", () => {
      const f = map.querySourceFeatures("buurten", { sourceLayer: "buurten", filter: ["==", ["get", "buurtcode"], hit.buurtcode] })[0];
      if (f) details(f.properties);
      if (picked) mark(picked, false);
      picked = { source: "buurten", sourceLayer: "buurten", id: hit.buurtcode };
      mark(picked, true);
    });
  }
  // a national run's names come when the search field is first used, not with the page
  async function names() {
    const list = document.getElementById("buurtnamen");
    if (list.dataset.later !== "ja") return;
    list.dataset.later = "bezig";
    const rows = await (await fetch("/kaart/namen.json")).json();
    const frag = document.createDocumentFragment();
    for (const [name, code] of rows) { const o = document.createElement("option"); o.value = name; o.textContent = code; frag.appendChild(o); }
    list.appendChild(frag);
    list.dataset.later = "nee";
  }
  async function start() {
    document.getElementById("zoek").addEventListener("focus", names, { once: true });
    info = await (await fetch("/kaart/lagen.json")).json();
    const select = document.getElementById("laag");
    for (const ind of info.indicators) select.add(new Option(ind.label, ind.key));
    for (const c of info.classes) select.add(new Option(c.label, c.key));
    if (!window.maplibregl || !webgl()) {
      document.getElementById("details").textContent = "Deze browser kan de kaart niet tekenen (WebGL staat uit). Zoek een buurt hierboven of bekijk het overzicht.";
      el.dataset.ready = "geen-webgl";
      return;
    }
    maplibregl.setWorkerUrl("/vendor/maplibre-gl-csp-worker.js");
    const b = info.bounds;
    map = new maplibregl.Map({
      container: el, style: style(), bounds: [[b[0], b[1]], [b[2], b[3]]], fitBoundsOptions: { padding: 20 },
      hash: true, maxZoom: 18, attributionControl: { compact: true }, dragRotate: false, pitchWithRotate: false,
      fadeDuration: 0,
      locale: {
        "NavigationControl.ZoomIn": "Inzoomen", "NavigationControl.ZoomOut": "Uitzoomen",
        "NavigationControl.ResetBearing": "Noorden boven", "AttributionControl.ToggleAttribution": "Bronnen tonen",
        "Map.Title": "Kaart",
      },
    });
    map.touchZoomRotate.disableRotation();
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    map.getCanvas().setAttribute("aria-label", "Kaart met buurten en cellen; sleep of gebruik de pijltjestoetsen om te schuiven, + en - om te zoomen");
    map.on("load", () => {
      restyle();
      select.addEventListener("change", e => { layerKey = e.target.value; restyle(); });
      document.querySelectorAll("input[name=niveau]").forEach(r => r.addEventListener("change", e => { level = e.target.value; restyle(); }));
      document.getElementById("zoek").addEventListener("change", e => find(e.target.value));
      map.on("click", clicked);
      map.on("zoomend", hints);
      map.on("mousemove", e => { map.getCanvas().style.cursor = hitAt(e.point) ? "pointer" : ""; });
      map.once("idle", () => { el.dataset.ready = "ja"; });
      // a count of finished redraws (all tiles in view drawn), for tests and the benchmark
      map.on("idle", () => { el.dataset.getekend = String(Number(el.dataset.getekend || 0) + 1); });
    });
  }
  start();
})();
