// Werksessie pages: live input through server-sent events, forms sent in the background,
// the step timer. Every page works without this script (forms post and the page reloads).
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) return;
  var me = live.dataset.me || "";
  var leader = live.dataset.leader === "1";
  var csrf = live.dataset.csrf || "";
  var pending = {};

  // Input arrives rendered for anyone; show each person the buttons that are theirs.
  function personalise(root) {
    root.querySelectorAll(".ctl[data-p]").forEach(function (el) {
      var region = el.closest(".region");
      var open = region && region.dataset.open === "1";
      el.hidden = !(leader || (me && el.dataset.p === me && open));
    });
    root.querySelectorAll(".lead-only").forEach(function (el) { el.hidden = !leader; });
    // on the quick-win / impact board, what you may change can also be dragged
    root.querySelectorAll(".kind-kansen li[data-entry]").forEach(function (li) {
      var ctl = li.querySelector(".ctl");
      li.draggable = !!ctl && !ctl.hidden;
    });
    root.querySelectorAll('input[name="csrf"]').forEach(function (el) {
      if (!el.value) el.value = csrf;
    });
  }

  function replaceRegion(stepId, html) {
    var old = document.getElementById("inhoud-" + stepId);
    if (!old) return;
    if (old.contains(document.activeElement) || old.querySelector("details.edit[open]")) {
      pending[stepId] = html; // someone is editing in it: update when they are done
      return;
    }
    var box = document.createElement("div");
    box.innerHTML = html;
    var fresh = box.firstElementChild;
    if (!fresh) return;
    personalise(fresh);
    old.replaceWith(fresh);
  }

  document.addEventListener("focusout", function () {
    setTimeout(function () {
      Object.keys(pending).forEach(function (id) {
        var html = pending[id];
        delete pending[id];
        replaceRegion(id, html);
      });
    }, 300);
  });

  if (window.EventSource && live.dataset.stream) {
    var source = new EventSource(live.dataset.stream);
    source.addEventListener("inhoud", function (e) {
      var d = JSON.parse(e.data);
      replaceRegion(d.step, d.html);
    });
    source.addEventListener("klaar", function (e) {
      var d = JSON.parse(e.data);
      var box = document.getElementById("klaar-" + d.step);
      if (box) box.innerHTML = d.html;
    });
    source.addEventListener("stap", function () { window.location.reload(); });
    // a newer window of the same person took over the live updates: this one stops
    source.addEventListener("einde", function () { source.close(); });
  }

  function showErrors(form, messages) {
    var box = form.querySelector(".form-errors");
    if (!box) {
      box = document.createElement("div");
      box.className = "form-errors";
      box.setAttribute("role", "alert");
      form.prepend(box);
    }
    box.textContent = messages.join(" ");
    box.hidden = messages.length === 0;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-live]") || !window.fetch) return;
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    fetch(form.action, { method: "POST", body: body, headers: { "X-Live": "1" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 204) {
          showErrors(form, []);
          if (form.classList.contains("add")) {
            form.querySelectorAll("textarea, input:not([type=hidden]):not([type=radio]):not([data-keep])").forEach(function (el) { el.value = ""; });
            var text = form.querySelector("textarea");
            if (text) text.focus();
          }
          var details = form.closest("details.edit");
          if (details) details.open = false;
          return null;
        }
        return response.json().then(function (d) {
          var problems = (d.error && d.error.problems) || [];
          showErrors(form, problems.length ? problems.map(function (x) { return x.problem + (x.fix ? " " + x.fix + "." : ""); }) : [(d.error && d.error.message) || "Niet opgeslagen."]);
        }, function () { showErrors(form, ["Niet opgeslagen (" + response.status + "). Laad de pagina opnieuw."]); });
      })
      .catch(function () { showErrors(form, ["Geen verbinding. Probeer het opnieuw."]); })
      .finally(function () { if (button) button.disabled = false; });
  });

  // Dragging an opportunity to another field of the board: the same change as choosing the
  // field in its "Wijzig" form (which stays the way for keyboards and phones).
  document.addEventListener("dragstart", function (event) {
    var li = event.target.closest && event.target.closest(".kind-kansen li[data-entry]");
    if (!li || !li.draggable) return;
    event.dataTransfer.setData("text/plain", li.dataset.entry);
    event.dataTransfer.effectAllowed = "move";
  });
  document.addEventListener("dragover", function (event) {
    var field = event.target.closest && event.target.closest(".kind-kansen [data-quadrant]");
    if (field) { event.preventDefault(); field.classList.add("drop-here"); }
  });
  document.addEventListener("dragleave", function (event) {
    var field = event.target.closest && event.target.closest("[data-quadrant]");
    if (field && !field.contains(event.relatedTarget)) field.classList.remove("drop-here");
  });
  document.addEventListener("drop", function (event) {
    var field = event.target.closest && event.target.closest(".kind-kansen [data-quadrant]");
    if (!field) return;
    event.preventDefault();
    field.classList.remove("drop-here");
    var id = event.dataTransfer.getData("text/plain");
    var li = document.getElementById("e-" + id);
    var form = li && li.querySelector('form[action$="/wijzig"]');
    if (!form || li.closest("[data-quadrant]") === field) return;
    var select = form.querySelector('select[name="quadrant"]');
    if (!select) return;
    select.value = field.dataset.quadrant;
    form.requestSubmit();
  });

  // The step timer: time left, then time over.
  var timer = document.querySelector(".timer[data-ends]");
  if (timer) {
    var ends = Date.parse(timer.dataset.ends);
    var tick = function () {
      var left = Math.round((ends - Date.now()) / 1000);
      var abs = Math.abs(left);
      var mmss = Math.floor(abs / 60) + ":" + String(abs % 60).padStart(2, "0");
      timer.textContent = left >= 0 ? "Nog " + mmss + " minuten" : "Tijd is om (" + mmss + " over tijd)";
      timer.classList.toggle("over", left < 0);
    };
    tick();
    setInterval(tick, 1000);
  }
  personalise(document);
})();
