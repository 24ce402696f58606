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

  // Before sending: a large phone photo is made smaller here (a canvas at the size the server
  // keeps, as JPEG), so it is never refused for its size and the caption is never lost. HEIC
  // photos from an iPhone are read where the browser can (Safari), else the resident is told.
  var form = document.querySelector("form.photo-form");
  var input = document.getElementById("f-foto");
  var maxBytes = form ? Number(form.dataset.maxBytes || 0) : 0;
  var maxEdge = form ? Number(form.dataset.maxEdge || 1600) : 1600;
  var sizeNote = document.getElementById("foto-status");
  function say(text) { if (sizeNote) { sizeNote.textContent = text; } }
  function heic(file) { return /heic|heif/i.test(file.type) || /\.(heic|heif)$/i.test(file.name); }
  function shrink(file) {
    if (!window.createImageBitmap || !window.DataTransfer) { return Promise.reject(new Error("old browser")); }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, maxEdge / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) { blob ? resolve(blob) : reject(new Error("no blob")); }, "image/jpeg", 0.9);
      });
    });
  }
  if (form && input) {
    var ready = false;
    form.addEventListener("submit", function (event) {
      var file = input.files && input.files[0];
      if (ready || !file) { return; }
      var big = maxBytes && file.size > maxBytes;
      if (!big && !heic(file) && file.size < 2 * 1024 * 1024) { return; }  // small: send as it is
      event.preventDefault();
      say("Foto wordt verkleind…");
      shrink(file).then(function (blob) {
        var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
        var list = new DataTransfer();
        list.items.add(new File([blob], name, { type: "image/jpeg" }));
        input.files = list.files;
        say("Foto verkleind tot " + (blob.size / 1048576).toFixed(1).replace(".", ",") + " MB.");
        ready = true;
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }, function () {
        if (heic(file)) {
          say("Deze HEIC-foto (iPhone) kan deze browser niet lezen. Kies bij Instellingen > Camera > Formaten 'Meest compatibel', of deel de foto als JPEG. Uw tekst blijft staan.");
        } else if (big) {
          say("De foto is te groot (" + (file.size / 1048576).toFixed(0) + " MB; hoogstens " + (maxBytes / 1048576).toFixed(0) + " MB) en kon hier niet verkleind worden. Kies een kleinere foto; uw tekst blijft staan.");
        } else {
          ready = true;
          form.requestSubmit ? form.requestSubmit() : form.submit();
        }
      });
    });
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
