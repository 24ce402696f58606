// Buurten by name: pick one from the map's list ("Naam (BU…)") and add it to the field of
// buurten. Without this script the names or codes are typed there, separated by ";".
(function () {
  "use strict";
  var search = document.getElementById("zoek-buurt");
  var add = document.getElementById("voeg-buurt");
  var field = document.getElementById("areas");
  if (!search || !add || !field) { return; }
  add.hidden = false;
  function pick() {
    var value = search.value.trim();
    if (!value) { return; }
    var now = field.value.trim().replace(/;\s*$/, "");
    field.value = now ? now + "; " + value : value;
    search.value = "";
    search.focus();
  }
  add.addEventListener("click", pick);
  search.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); pick(); } });
})();
