// gezondewijk scenario map: the change in stacked score per cell and per buurt on a diverging
// scale (blue lower = better, red higher), with the drawn changes outlined. One GeoJSON from
// /scenarios/<naam>/verschil.geojson: only the cells that changed, every buurt, the changes.
(function () {
  "use strict";
  const el = document.getElementById("kaart");
  // ColorBrewer RdBu (reversed), as the fact sheet's picture (matplotlib RdBu_r)
  const DOWN = ["#2166ac", "#67a9cf", "#d1e5f0"], UP = ["#fddbc7", "#ef8a62", "#b2182b"];
  let level = "cel", reach = 1, reachBuurt = 1;

  function esc(s) { return String(s === null || s === undefined ? "" : s).replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]); }
  function fmt(v, d) { return Number(v).toLocaleString("nl-NL", { minimumFractionDigits: d, maximumFractionDigits: d, signDisplay: "exceptZero" }); }
  function colour(r) {
    const f = ["get", "verschil"];
    return ["case", ["==", f, 0], "#f7f7f7",
      ["interpolate", ["linear"], f, -r, DOWN[0], -r / 2, DOWN[1], -r / 6, DOWN[2], 0, "#f7f7f7", r / 6, UP[0], r / 2, UP[1], r, UP[2]]];
  }
  function legend() {
    const box = document.getElementById("legenda");
    box.textContent = "";
    const r = level === "cel" ? reach : reachBuurt;
    const h = document.createElement("h2"); h.className = "legend-title";
    h.textContent = level === "cel" ? "Verandering gestapelde score per cel" : "Gemiddelde verandering per inwoner";
    box.appendChild(h);
    for (const [c, v] of [[DOWN[0], -r], [DOWN[1], -r / 2], ["#f7f7f7", 0], [UP[1], r / 2], [UP[2], r]]) {
      const row = document.createElement("div"); row.className = "legend-row";
      const sw = document.createElement("span"); sw.className = "swatch"; sw.style.background = c;
      row.appendChild(sw); row.appendChild(document.createTextNode(v === 0 ? "geen verandering" : fmt(v, level === "cel" ? 0 : 2)));
      box.appendChild(row);
    }
    const p = document.createElement("p"); p.className = "src";
    p.textContent = "Blauw: minder ongunstige factoren. Zwarte rand: de getekende wijzigingen.";
    box.appendChild(p);
  }
  function show() {
    map.setLayoutProperty("cel-vlak", "visibility", level === "cel" ? "visible" : "none");
    map.setPaintProperty("buurt-vlak", "fill-opacity", level === "buurt" ? 0.85 : 0.0);
    legend();
  }
  let map = null;
  async function start() {
    const data = await (await fetch(el.dataset.bron)).json();
    const cells = data.features.filter(f => f.properties.laag === "cel");
    const buurten = data.features.filter(f => f.properties.laag === "buurt");
    reach = Math.max(1, ...cells.map(f => Math.abs(f.properties.verschil)));
    reachBuurt = Math.max(0.01, ...buurten.map(f => Math.abs(f.properties.verschil)));
    if (!window.maplibregl) { el.dataset.ready = "geen-webgl"; return; }
    maplibregl.setWorkerUrl("/vendor/maplibre-gl-csp-worker.js");
    let b = [180, 90, -180, -90];
    for (const f of buurten) {
      const walk = c => { if (typeof c[0] === "number") { b = [Math.min(b[0], c[0]), Math.min(b[1], c[1]), Math.max(b[2], c[0]), Math.max(b[3], c[1])]; } else c.forEach(walk); };
      walk(f.geometry.coordinates);
    }
    map = new maplibregl.Map({
      container: el, bounds: [[b[0], b[1]], [b[2], b[3]]], fitBoundsOptions: { padding: 20 }, maxZoom: 18,
      dragRotate: false, pitchWithRotate: false, attributionControl: false,
      locale: { "NavigationControl.ZoomIn": "Inzoomen", "NavigationControl.ZoomOut": "Uitzoomen", "Map.Title": "Kaart" },
      style: {
        version: 8,
        sources: { verschil: { type: "geojson", data: data } },
        layers: [
          { id: "achtergrond", type: "background", paint: { "background-color": "#ffffff" } },
          { id: "buurt-vlak", type: "fill", source: "verschil", filter: ["==", ["get", "laag"], "buurt"], paint: { "fill-color": colour(reachBuurt), "fill-opacity": 0 } },
          { id: "cel-vlak", type: "fill", source: "verschil", filter: ["==", ["get", "laag"], "cel"], paint: { "fill-color": colour(reach), "fill-opacity": 0.9 } },
          { id: "buurt-rand", type: "line", source: "verschil", filter: ["==", ["get", "laag"], "buurt"], paint: { "line-color": "#8a8a8a", "line-width": 0.7 } },
          { id: "wijziging-rand", type: "line", source: "verschil", filter: ["==", ["get", "laag"], "wijziging"], paint: { "line-color": "#000000", "line-width": 2 } },
          { id: "wijziging-punt", type: "circle", source: "verschil", filter: ["all", ["==", ["get", "laag"], "wijziging"], ["==", ["geometry-type"], "Point"]], paint: { "circle-color": "#000000", "circle-radius": 5, "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5 } },
        ],
      },
    });
    map.touchZoomRotate.disableRotation();
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    map.getCanvas().setAttribute("aria-label", "Kaart met de verandering per cel en per buurt; sleep om te schuiven, + en - om te zoomen");
    map.on("load", () => {
      show();
      document.querySelectorAll("input[name=niveau]").forEach(r => r.addEventListener("change", e => { level = e.target.value; show(); }));
      map.on("click", e => {
        const hit = map.queryRenderedFeatures(e.point, { layers: ["wijziging-punt", "wijziging-rand", level === "cel" ? "cel-vlak" : "buurt-vlak", "buurt-vlak"] })[0];
        const box = document.getElementById("details");
        if (!hit) return;
        const p = hit.properties;
        box.innerHTML = p.laag === "wijziging" ? "<p><strong>Wijziging</strong>: " + esc(p.naam) + "</p>"
          : p.laag === "cel" ? "<p>Cel van 100 × 100 m: gestapelde score " + esc(fmt(p.verschil, 0)) + "</p>"
          : "<p><strong>" + esc(p.naam) + "</strong>: gemiddeld " + esc(fmt(p.verschil, 3)) + " per inwoner</p>";
      });
      map.once("idle", () => { el.dataset.ready = "ja"; });
    });
  }
  start();
})();
