// gezondewijk map viewer: buurten and cells, a layer per indicator and per preset.
// Loaded from the app itself (no CDN); Leaflet comes from npm at build time.
(function () {
  "use strict";
  // score colours come from the server (viridis, one distinct step per score: gezondewijk.palette)
  let SCORE = [];
  const VALUE = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"];
  const el = document.getElementById("kaart");
  const map = L.map(el, { preferCanvas: true });
  map.attributionControl.setPrefix(false);
  let info = null, layerKey = "score", level = "buurten", geo = null, buurten = null, breaks = [], picked = null;
  const selected = new Set();
  function selection() {
    const box = document.getElementById("selectie");
    box.textContent = "";
    if (!selected.size) return;
    const a = document.createElement("a");
    a.href = "/cellen/factsheet?ids=" + encodeURIComponent(Array.from(selected).join(","));
    a.textContent = "Factsheet van " + selected.size + " geselecteerde cellen";
    box.appendChild(a);
  }

  function esc(s) { return String(s === null || s === undefined ? "" : s).replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]); }
  function fmt(v) { return v === null || v === undefined ? "–" : (Math.round(v * 100) / 100).toLocaleString("nl-NL"); }
  function scoreColour(s) { if (s === null || s === undefined) return "#cccccc"; return SCORE[Math.max(0, Math.min(SCORE.length - 1, Math.round(s)))]; }
  function field() {
    if (layerKey === "score") return "score";
    if (info.classes.some(c => c.key === layerKey)) return layerKey;
    return layerKey + "_waarde";
  }
  function computeBreaks(features) {
    breaks = [];
    if (layerKey === "score" || layerKey === "stapel_klasse") return;
    const vals = features.map(f => f.properties[field()]).filter(v => typeof v === "number").sort((a, b) => a - b);
    for (let i = 1; i < VALUE.length; i++) breaks.push(vals[Math.floor(i * vals.length / VALUE.length)]);
  }
  const KLASSE = { "geen": "#f0f0f0", "druk op bescherming": "#fdae61", "druk op bevordering": "#abd9e9", "beide": "#d7191c" };
  function colour(p) {
    if (layerKey === "score") return scoreColour(p.score);
    const v = p[field()];
    if (layerKey === "stapel_klasse") return KLASSE[v] || "#cccccc";
    if (typeof v !== "number") return "#cccccc";
    let i = 0; while (i < breaks.length && v >= breaks[i]) i++;
    return VALUE[i];
  }
  function style(f) {
    const on = f.properties[layerKey + "_aan"] === 1;
    return { fillColor: colour(f.properties), fillOpacity: 0.85, color: on ? "#8b0000" : (level === "buurten" ? "#333" : "#888"), weight: on ? 1.5 : (level === "buurten" ? 1 : 0.3) };
  }
  function details(p) {
    const name = p.buurtnaam || (p.cel_id ? "Cel van 100 × 100 m" : "");
    let h = "<h2>" + esc(name) + "</h2><p>Score <strong>" + esc(p.score) + "</strong> van " + esc(p.n_beschikbaar) + " beschikbare indicatoren.</p>";
    h += "<table><thead><tr><th scope='col'>Indicator</th><th scope='col'>Waarde</th><th scope='col'>Aan</th></tr></thead><tbody>";
    for (const ind of info.indicators) {
      const on = p[ind.key + "_aan"];
      h += "<tr><th scope='row'>" + esc(ind.label) + "</th><td>" + fmt(p[ind.key + "_waarde"]) + " " + esc(ind.rules[0].unit) + "</td><td>" + (on === 1 ? "ja" : on === 0 ? "nee" : "–") + "</td></tr>";
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
      : ind0 ? ind0.label + (ind0.rules[0].unit ? " (" + ind0.rules[0].unit + ")" : "") : (cls0 ? cls0.label : layerKey);
    box.appendChild(title);
    const add = (c, text) => { const row = document.createElement("div"); row.className = "legend-row"; const sw = document.createElement("span"); sw.className = "swatch"; sw.style.background = c; row.appendChild(sw); row.appendChild(document.createTextNode(text)); box.appendChild(row); };
    if (layerKey === "score") { for (let s = 0; s <= info.max_score; s++) add(scoreColour(s), String(s)); }
    else if (layerKey === "stapel_klasse") { for (const k in KLASSE) add(KLASSE[k], k); }
    else {
      const edges = [null, ...breaks, null];
      for (let i = 0; i < VALUE.length; i++) add(VALUE[i], (edges[i] === null ? "≤" : fmt(edges[i]) + " –") + " " + (edges[i + 1] === null ? "" : fmt(edges[i + 1])));
      const ind = info.indicators.find(x => x.key === layerKey);
      if (ind) {
        const ul = document.createElement("ul"); ul.className = "src";
        for (const r of ind.rules) {
          const li = document.createElement("li");
          const t = r.rule === "quantile" ? "slechtste " + Math.round(r.share * 100) + "%" : (r.threshold === null ? "referentie" : "drempel " + fmt(r.threshold) + " " + r.unit);
          li.textContent = (r.substitute ? "vervanger " : "") + (r.label || r.variable) + ": " + t + " — " + r.source;
          ul.appendChild(li);
        }
        const p = document.createElement("p"); p.className = "src"; p.textContent = "Rode rand: indicator 'aan'.";
        box.appendChild(p); box.appendChild(ul);
      }
    }
  }
  function draw(data) {
    if (geo) map.removeLayer(geo);
    computeBreaks(data.features);
    picked = null;
    geo = L.geoJSON(data, { style, onEachFeature: (f, lyr) => { lyr.on("click", () => {
      details(f.properties);
      if (!f.properties.cel_id) {
        // highlight the clicked buurt; the previous one gets its normal style back
        if (picked) geo.resetStyle(picked);
        picked = lyr;
        lyr.setStyle({ color: "#e8a100", weight: 4 });
        lyr.bringToFront();
      }
      if (window.matchMedia("(max-width: 40rem)").matches) document.getElementById("details").scrollIntoView({ block: "nearest" });
      if (f.properties.cel_id) {
        const id = f.properties.cel_id;
        if (selected.has(id)) selected.delete(id); else selected.add(id);
        lyr.setStyle({ color: selected.has(id) ? "#e8a100" : "#888", weight: selected.has(id) ? 3 : 0.3 });
        selection();
      }
    }); } }).addTo(map);
    legend();
  }
  async function loadCells() {
    const b = map.getBounds();
    const url = "/kaart/cellen.geojson?bbox=" + [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(v => v.toFixed(5)).join(",");
    const r = await fetch(url);
    const n = Number(r.headers.get("X-Cellen-In-Beeld") || 0);
    const data = await r.json();
    if (!data.features.length && n > 0) { document.getElementById("details").textContent = n + " cellen in beeld: zoom verder in om ze te zien."; draw(buurten); return; }
    draw(data);
  }
  function refresh() { if (level === "cellen" && info.cells) loadCells(); else draw(buurten); }
  async function start() {
    info = await (await fetch("/kaart/lagen.json")).json();
    SCORE = info.score_colours;
    const select = document.getElementById("laag");
    for (const ind of info.indicators) select.add(new Option(ind.label, ind.key));
    for (const c of info.classes) select.add(new Option(c.label, c.key));
    if (info.basemap) L.tileLayer(info.basemap, { attribution: "Achtergrond: " + new URL(info.basemap).host }).addTo(map);
    map.attributionControl.addAttribution(esc(info.provenance));
    buurten = await (await fetch("/kaart/buurten.geojson")).json();
    draw(buurten);
    map.fitBounds(geo.getBounds());
    select.addEventListener("change", e => { layerKey = e.target.value; refresh(); });
    document.querySelectorAll("input[name=niveau]").forEach(r => r.addEventListener("change", e => { level = e.target.value; refresh(); }));
    map.on("moveend", () => { if (level === "cellen") refresh(); });
    document.getElementById("zoek").addEventListener("change", e => {
      const term = e.target.value.toLowerCase();
      const hit = buurten.features.find(f => (f.properties.buurtnaam || "").toLowerCase() === term || (f.properties.buurtcode || "").toLowerCase() === term);
      if (hit) { const l = L.geoJSON(hit); map.fitBounds(l.getBounds()); details(hit.properties); }
    });
    el.dataset.ready = "ja";
  }
  start();
})();
