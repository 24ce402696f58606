// Lees voor: the browser's own speech synthesis reads the page aloud, in Dutch (or English on
// an English page). Nothing is sent anywhere: no service, no recording. Without speech
// synthesis the button stays hidden and the page works as before.
(function () {
  "use strict";
  var button = document.getElementById("voorlezen");
  if (!button || !("speechSynthesis" in window) || !window.SpeechSynthesisUtterance) { return; }
  var synth = window.speechSynthesis;
  var lang = document.documentElement.lang === "en" ? "en-GB" : "nl-NL";
  var labels = lang === "nl-NL" ? ["Lees voor", "Stop met voorlezen"] : ["Read aloud", "Stop reading"];
  button.hidden = false;

  function voice() {
    var all = synth.getVoices ? synth.getVoices() : [];
    var prefix = lang.slice(0, 2);
    return all.find(function (v) { return v.lang === lang; }) ||
      all.find(function (v) { return (v.lang || "").slice(0, 2) === prefix; }) || null;
  }

  // what a reader sees, in page order: headings, text, the questions and their choices
  function parts() {
    var main = document.querySelector("main") || document.body;
    var nodes = main.querySelectorAll("h1, h2, h3, p, legend, label, li");
    var out = [];
    nodes.forEach(function (el) {
      if (el.closest("[hidden], .vh, script, noscript") || el.closest("#voorlezen")) { return; }
      var text = (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim();
      if (text && out[out.length - 1] !== text) { out.push(text); }
    });
    return out;
  }

  function stop() {
    synth.cancel();
    button.textContent = labels[0];
    button.setAttribute("aria-pressed", "false");
  }

  button.addEventListener("click", function () {
    if (button.getAttribute("aria-pressed") === "true") { stop(); return; }
    var chosen = voice();
    var texts = parts();
    button.textContent = labels[1];
    button.setAttribute("aria-pressed", "true");
    texts.forEach(function (text, i) {
      var u = new SpeechSynthesisUtterance(text);
      u.lang = lang;
      if (chosen) { u.voice = chosen; }
      if (i === texts.length - 1) { u.onend = stop; }
      synth.speak(u);
    });
  });
})();
