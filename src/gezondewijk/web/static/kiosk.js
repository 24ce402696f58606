// Kiosk (shared device): never show the previous person's answers.
// 1. A survey page shown again from the history (Back button, bfcache) is emptied and
//    reloaded, so it gets a fresh form token. Pages are sent with Cache-Control: no-store.
// 2. The thanks page counts down and opens an empty form (no meta refresh: WCAG 2.2.1 asks
//    that people can stop or extend a time limit, so the button is there and the count shows).
window.addEventListener("pageshow", function (event) {
  var forms = document.querySelectorAll("form.survey");
  forms.forEach(function (f) { f.reset(); });
  if (event.persisted && forms.length) { window.location.reload(); }
});
(function () {
  var box = document.getElementById("aftellen");
  if (!box) { return; }
  var left = parseInt(box.dataset.seconds, 10) || 15;
  var nl = document.documentElement.lang !== "en";
  var tick = function () {
    box.textContent = nl
      ? "Over " + left + " seconden verschijnt een leeg formulier voor de volgende persoon."
      : "An empty form for the next person appears in " + left + " seconds.";
    if (left <= 0) { window.location.replace(box.dataset.next); return; }
    left -= 1;
    window.setTimeout(tick, 1000);
  };
  tick();
})();
