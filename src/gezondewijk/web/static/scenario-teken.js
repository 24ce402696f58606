// gezondewijk scenario editor: draw changes on the map with Terra Draw (npm, bundled at build
// time; no CDN) over the run's buurten, give each a kind and amount, save as TOML + GeoJSON.
// The server checks every change with the same rules as a file from QGIS
// (gezondewijk.scenarios.files.changes_of) and answers which change and field is wrong.
(function () {
  "use strict";
  const el = document.getElementById("kaart");
  const KINDS = JSON.parse(el.dataset.soorten);
  const MEASURES = JSON.parse(el.dataset.maatregelen);
  const MODE_OF = { Point: "point", LineString: "linestring", Polygon: "polygon" };
  const DEFAULT = { point: ["huisarts", ""], linestring: ["geluid", "3"], polygon: ["groen_erbij", ""] };
  const hint = document.getElementById("tekenhint");
  const box = document.getElementById("wijziging");
  const soort = document.getElementById("w-soort");
  const maatregel = document.getElementById("w-maatregel");
  const waarde = document.getElementById("w-waarde");
  const breedte = document.getElementById("w-breedte");
  const naam = document.getElementById("w-naam");
  let map = null, draw = null, current = null;

  // each kind of change its own colour on the drawing (green for green, purple for a service)
  const COLOUR = { groen_erbij: "#1a7f37", groen_eraf: "#8c510a", huisarts: "#6a3d9a", supermarkt: "#6a3d9a", basisschool: "#6a3d9a", geluid: "#1f5fa8", no2: "#1f5fa8", pm25: "#1f5fa8", woningen: "#b35806" };
  function colourOf(f) { return COLOUR[f.properties.soort] || "#333333"; }
  function kind(key) { return KINDS.find(k => k.key === key); }
  function typeOf(f) { return f.geometry.type; }
  function fits(k, type) { return k.types.includes(type); }
  function ours() { return draw.getSnapshot().filter(f => MODE_OF[typeOf(f)] === f.properties.mode); }
  function label(f) {
    const p = f.properties, k = kind(p.soort);
    let t = k ? k.label : "soort kiezen";
    if (p.naam) t += ": " + p.naam;
    if (k && k.unit && p.waarde) t += " (" + (p.soort === "woningen" ? "+" : "−") + String(p.waarde).replace(".", ",") + " " + k.unit + ")";
    return t;
  }
  function list() {
    const ol = document.getElementById("lijst");
    ol.textContent = "";
    const all = ours();
    if (!all.length) { const li = document.createElement("li"); li.className = "src"; li.textContent = "Nog niets getekend."; ol.appendChild(li); return; }
    for (const f of all) {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button"; b.className = "link"; b.textContent = label(f);
      b.addEventListener("click", () => { mode("select"); draw.selectFeature(f.id); show(f.id); });
      li.appendChild(b); ol.appendChild(li);
    }
  }
  function fill(select, options, chosen) {
    select.textContent = "";
    for (const [value, text] of options) select.add(new Option(text, value, false, value === chosen));
  }
  function show(id) {
    const f = draw.getSnapshotFeature(id);
    if (!f) { box.hidden = true; current = null; return; }
    current = id;
    const type = typeOf(f), p = f.properties;
    fill(soort, KINDS.filter(k => fits(k, type)).map(k => [k.key, k.label]), p.soort);
    fill(maatregel, [["", "geen"]].concat(MEASURES.filter(m => m.changes.some(c => kind(c.soort) && fits(kind(c.soort), type))).map(m => [m.key, m.title])), p.maatregel || "");
    waarde.value = p.waarde === undefined || p.waarde === null ? "" : String(p.waarde).replace(".", ",");
    breedte.value = p.breedte_m === undefined ? "50" : String(p.breedte_m).replace(".", ",");
    naam.value = p.naam || "";
    units();
    document.getElementById("wijziging-titel").textContent = "Wijziging " + (ours().findIndex(x => x.id === id) + 1);
    box.hidden = false;
  }
  function units() {
    const k = kind(soort.value);
    document.getElementById("w-waarde-blok").hidden = !(k && k.unit);
    document.getElementById("w-eenheid").textContent = k && k.unit ? (k.key === "woningen" ? "nieuwe inwoners" : k.unit + " minder") : "";
    const f = current && draw.getSnapshotFeature(current);
    document.getElementById("w-breedte-blok").hidden = !(f && typeOf(f) === "LineString");
  }
  function store() {
    if (!current || !draw.hasFeature(current)) return;
    const k = kind(soort.value);
    draw.updateFeatureProperties(current, {
      soort: soort.value, maatregel: maatregel.value,
      waarde: k && k.unit ? waarde.value.replace(",", ".") : undefined,
      breedte_m: breedte.value.replace(",", "."), naam: naam.value,
    });
    list();
  }
  function mode(name) {
    draw.setMode(name);
    document.querySelectorAll("[data-modus]").forEach(b => b.setAttribute("aria-pressed", String(b.dataset.modus === name)));
    hint.textContent = {
      point: "Klik op de kaart om een punt te zetten.",
      linestring: "Klik de punten van de straat; klik het laatste punt nog eens (of Enter) om af te sluiten.",
      polygon: "Klik de hoeken van het gebied; klik het eerste punt (of Enter) om af te sluiten.",
      select: "Klik een wijziging om haar soort te kiezen of haar hoeken te verslepen.",
    }[name];
  }
  function finished(id) {
    const f = draw.getSnapshotFeature(id);
    if (!f || f.properties.soort) return;
    const [k, v] = DEFAULT[f.properties.mode] || ["", ""];
    draw.updateFeatureProperties(id, { soort: k, waarde: v || undefined, breedte_m: "50", naam: "" });
    list();
    mode("select");
    draw.selectFeature(id);
    show(id);
    soort.focus();
  }
  function payload() {
    const form = document.getElementById("scenario");
    const features = ours().map(f => {
      const p = f.properties, out = { soort: p.soort || "", naam: p.naam || "" };
      if (p.waarde !== undefined && p.waarde !== "") out.waarde = p.waarde;
      if (typeOf(f) === "LineString") out.breedte_m = p.breedte_m;
      if (p.maatregel) out.maatregel = p.maatregel;
      return { type: "Feature", properties: out, geometry: f.geometry };
    });
    const v = id => document.getElementById(id).value;
    return {
      naam: v("naam"), titel: v("titel"), beschrijving: v("beschrijving"), oude_naam: form.dataset.oudeNaam,
      levenstafel: v("levenstafel"), doel_gezonde_levensjaren: v("doel_gezonde_levensjaren").replace(",", "."),
      doel_minder_ongelijkheid: v("doel_minder_ongelijkheid").replace(",", "."),
      wijzigingen: { type: "FeatureCollection", features: features },
    };
  }
  async function save(e) {
    e.preventDefault();
    store();
    const form = document.getElementById("scenario");
    const out = document.getElementById("fouten");
    out.textContent = "";
    const r = await fetch("/scenarios/opslaan", {
      method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": form.dataset.csrf },
      body: JSON.stringify(payload()), credentials: "same-origin",
    });
    let answer = {};
    try { answer = await r.json(); } catch (err) { answer = {}; }
    if (r.ok && answer.url) { window.location.assign(answer.url); return; }
    const ul = document.createElement("ul"); ul.className = "errors";
    const problems = (answer.error && answer.error.problems && answer.error.problems.length) ? answer.error.problems
      : [{ problem: (answer.error && answer.error.message) || "Opslaan mislukt (" + r.status + ")." }];
    for (const f of problems) {
      const li = document.createElement("li");
      // a numbered change's problem has the field "wijzigingen.<n>.<field>"
      const change = /^wijzigingen\.(\d+)\.?(.*)$/.exec(f.field || "");
      const where = change ? "Wijziging " + change[1] + (change[2] ? ", " + change[2] : "") : f.field;
      li.textContent = (where ? where + ": " : "") + f.problem + (f.fix ? " " + f.fix + "." : "");
      ul.appendChild(li);
    }
    out.appendChild(ul);
  }
  function round(c) { return Array.isArray(c[0]) ? c.map(round) : c.map(x => Math.round(x * 1e7) / 1e7); }
  async function load() {
    const src = el.dataset.bron;
    if (!src) { list(); return; }
    const data = await (await fetch(src)).json();
    const add = [];
    for (const f of data.features || []) {
      if (!f.geometry) continue;
      const parts = f.geometry.type.startsWith("Multi")
        ? f.geometry.coordinates.map(c => ({ type: f.geometry.type.slice(5), coordinates: c })) : [f.geometry];
      for (const g of parts) {
        const m = MODE_OF[g.type];
        if (m) add.push({ type: "Feature", geometry: { type: g.type, coordinates: round(g.coordinates) }, properties: Object.assign({}, f.properties, { mode: m }) });
      }
    }
    const checked = draw.addFeatures(add);
    const bad = checked.filter(c => !c.valid).length;
    if (bad) hint.textContent = bad + " wijziging(en) uit het bestand kunnen hier niet getekend worden (" + (checked.find(c => !c.valid).reason || "") + ").";
    list();
  }
  // the stacked score as on the map viewer, paler, so that drawn changes stand out
  function scoreColour(info) {
    const steps = ["step", ["get", "score"], info.score_colours[0]];
    for (let s = 1; s < info.score_colours.length; s++) steps.push(s, info.score_colours[s]);
    return ["case", ["==", ["typeof", ["get", "score"]], "number"], steps, "#cccccc"];
  }
  function style(info) {
    const origin = window.location.origin;
    return {
      version: 8,
      sources: { buurten: { type: "vector", tiles: [origin + "/kaart/tegels/buurten/{z}/{x}/{y}.pbf"], minzoom: info.zoom.buurten, maxzoom: info.zoom.max, attribution: info.provenance } },
      layers: [
        { id: "achtergrond", type: "background", paint: { "background-color": "#f4f4f4" } },
        { id: "buurten-vlak", type: "fill", source: "buurten", "source-layer": "buurten", paint: { "fill-color": scoreColour(info), "fill-opacity": 0.45 } },
        { id: "buurten-rand", type: "line", source: "buurten", "source-layer": "buurten", paint: { "line-color": "#555555", "line-width": 0.8 } },
      ],
    };
  }
  async function start() {
    const r = await fetch("/kaart/lagen.json");
    if (!r.ok || !window.maplibregl || !window.terraDraw) {
      hint.textContent = "De kaart kan hier niet getekend worden (geen kaart geladen of geen WebGL). Zet een GeoJSON-bestand in de scenariomap.";
      el.dataset.ready = "geen-kaart";
      return;
    }
    const info = await r.json();
    maplibregl.setWorkerUrl("/vendor/maplibre-gl-csp-worker.js");
    const b = info.bounds;
    map = new maplibregl.Map({
      container: el, style: style(info), bounds: [[b[0], b[1]], [b[2], b[3]]], fitBoundsOptions: { padding: 20 },
      maxZoom: 19, dragRotate: false, pitchWithRotate: false, doubleClickZoom: false, attributionControl: { compact: true },
      locale: { "NavigationControl.ZoomIn": "Inzoomen", "NavigationControl.ZoomOut": "Uitzoomen", "AttributionControl.ToggleAttribution": "Bronnen tonen", "Map.Title": "Kaart" },
    });
    map.touchZoomRotate.disableRotation();
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    map.getCanvas().setAttribute("aria-label", "Tekenkaart; kies eerst Punt, Lijn of Vlak");
    map.on("load", async () => {
      const T = window.terraDraw;
      const editable = { feature: { draggable: true, coordinates: { draggable: true, midpoints: true, deletable: true } } };
      draw = new T.TerraDraw({
        adapter: new window.terraDrawMaplibreGlAdapter.TerraDrawMapLibreGLAdapter({ map: map, coordinatePrecision: 7 }),
        modes: [
          new T.TerraDrawSelectMode({ flags: { point: { feature: { draggable: true } }, linestring: editable, polygon: editable } }),
          new T.TerraDrawPointMode({ styles: { pointColor: colourOf, pointOutlineColor: () => "#ffffff", pointWidth: () => 7 } }),
          new T.TerraDrawLineStringMode({ styles: { lineStringColor: colourOf, lineStringWidth: () => 4 } }),
          new T.TerraDrawPolygonMode({ styles: { fillColor: colourOf, outlineColor: colourOf, fillOpacity: () => 0.45, outlineWidth: () => 2 } }),
        ],
      });
      draw.start();
      draw.on("finish", (id, ctx) => { if (!ctx || ctx.action === "draw") finished(id); else list(); });
      draw.on("select", id => show(id));
      // the form stays with the last chosen change: a phone's keyboard resizes the map, and
      // Terra Draw then deselects while the amount is being typed
      draw.on("deselect", () => store());
      document.querySelectorAll("[data-modus]").forEach(b => b.addEventListener("click", () => mode(b.dataset.modus)));
      [soort, waarde, breedte, naam].forEach(i => i.addEventListener("change", () => { units(); store(); }));
      maatregel.addEventListener("change", () => {
        const m = MEASURES.find(x => x.key === maatregel.value);
        const f = current && draw.getSnapshotFeature(current);
        const c = m && f && m.changes.find(x => kind(x.soort) && fits(kind(x.soort), typeOf(f)));
        if (c) { soort.value = c.soort; waarde.value = c.waarde === null || c.waarde === undefined ? "" : String(c.waarde).replace(".", ","); }
        units(); store();
      });
      document.getElementById("w-weg").addEventListener("click", () => {
        if (current) { const id = current; current = null; draw.removeFeatures([id]); box.hidden = true; list(); }
      });
      await load();
      mode("select");
      el.dataset.ready = "ja";
    });
    document.getElementById("scenario").addEventListener("submit", save);
    // the short name follows the title until it is typed in itself
    const title = document.getElementById("titel"), short = document.getElementById("naam");
    let own = short.value !== "";
    short.addEventListener("input", () => { own = short.value !== ""; });
    title.addEventListener("input", () => {
      if (!own) short.value = title.value.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60);
    });
  }
  start();
})();
