// Photo form: pick the place on a small map, or "use my current place"; both fill the place
// fields, which the server keeps to about 100 m. Without this script the fields are typed.
(function () {
  "use strict";
  var lat = document.getElementById("f-lat-in");
  var lon = document.getElementById("f-lon-in");
  var status = document.getElementById("plek-status");
  var marker = null;
  var map = null;

  function put(y, x, text) {
    lat.value = y.toFixed(3).replace(".", ",");
    lon.value = x.toFixed(3).replace(".", ",");
    status.textContent = text;
    if (map) {
      if (!marker) marker = new maplibregl.Marker({ color: "#5b2a86" });
      marker.setLngLat([x, y]).addTo(map);
    }
  }

  var box = document.getElementById("plek-kaart");
  function webgl() {
    var c = document.createElement("canvas");
    try { return !!(c.getContext("webgl2") || c.getContext("webgl")); } catch (e) { return false; }
  }
  if (box && window.maplibregl && webgl()) {
    box.hidden = false;
    document.getElementById("plek-uitleg").hidden = false;
    maplibregl.setWorkerUrl("/vendor/maplibre-gl-csp-worker.js");
    var b = box.dataset.bounds.split(",").map(Number);
    var sources = { buurten: { type: "geojson", data: window.location.origin + "/kaart/buurten.geojson" } };
    var layers = [{ id: "achtergrond", type: "background", paint: { "background-color": "#f4f4f4" } }];
    if (box.dataset.basemap) {
      sources.basis = { type: "raster", tiles: [box.dataset.basemap], tileSize: 256 };
      layers.push({ id: "basis", type: "raster", source: "basis" });
    }
    layers.push({ id: "buurten", type: "line", source: "buurten", paint: { "line-color": "#333333", "line-width": 1 } });
    map = new maplibregl.Map({
      container: box, style: { version: 8, sources: sources, layers: layers },
      bounds: [[b[0], b[1]], [b[2], b[3]]], fitBoundsOptions: { padding: 10 },
      maxZoom: 17, dragRotate: false, attributionControl: false,
    });
    map.touchZoomRotate.disableRotation();
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    map.on("click", function (e) { put(e.lngLat.lat, e.lngLat.lng, "Plek gekozen (op ongeveer 100 meter)."); });
    map.once("idle", function () { box.dataset.ready = "ja"; });
  }

  var button = document.getElementById("mijn-plek");
  if (!button || !("geolocation" in navigator)) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = "Plek zoeken…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      put(pos.coords.latitude, pos.coords.longitude, "Plek ingevuld (op ongeveer 100 meter).");
      if (map) map.flyTo({ center: [pos.coords.longitude, pos.coords.latitude], zoom: 15 });
    }, function () {
      status.textContent = "Geen plek gevonden; vul hem zelf in of laat hem leeg.";
    }, { enableHighAccuracy: false, timeout: 10000 });
  });
}());
