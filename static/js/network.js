/* The network map's play control: steps the month select forward every 1.5 s; htmx redraws
   the map on each change. Without JavaScript the button stays hidden and the form works. */
(function () {
  "use strict";
  var timer = null;
  var STEP_MS = 1500;

  function select() { return document.getElementById("network-at"); }
  function button() { return document.getElementById("network-play"); }

  function show(playing) {
    var b = button();
    if (!b) { return; }
    b.hidden = false;
    b.setAttribute("aria-pressed", playing ? "true" : "false");
    b.textContent = playing ? b.dataset.pause : b.dataset.play;
  }

  function change(s) { s.dispatchEvent(new Event("change", { bubbles: true })); }

  function stop() {
    clearInterval(timer);
    timer = null;
    show(false);
  }

  function step() {
    var s = select();
    if (!s || s.selectedIndex >= s.options.length - 1) { stop(); return; }
    s.selectedIndex += 1;
    change(s);
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("#network-play")) { return; }
    event.preventDefault();
    if (timer) { stop(); return; }
    var s = select();
    if (s && s.selectedIndex >= s.options.length - 1) {
      s.selectedIndex = 0;
      change(s);
    }
    timer = setInterval(step, STEP_MS);
    show(true);
  });
  document.addEventListener("htmx:afterSwap", function () { show(timer !== null); });
  document.addEventListener("DOMContentLoaded", function () { show(false); });
})();
