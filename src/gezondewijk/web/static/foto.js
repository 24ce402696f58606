// Photo form: "use my current place" fills the place fields (rounded to ~100 m on the server).
(function () {
  "use strict";
  var button = document.getElementById("mijn-plek");
  if (!button || !("geolocation" in navigator)) { return; }
  var status = document.getElementById("plek-status");
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = "Plek zoeken…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("f-lat-in").value = pos.coords.latitude.toFixed(3).replace(".", ",");
      document.getElementById("f-lon-in").value = pos.coords.longitude.toFixed(3).replace(".", ",");
      status.textContent = "Plek ingevuld (op ongeveer 100 meter).";
    }, function () {
      status.textContent = "Geen plek gevonden; vul hem zelf in of laat hem leeg.";
    }, { enableHighAccuracy: false, timeout: 10000 });
  });
}());
