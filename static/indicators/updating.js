// The dashboard keeps itself up to date. After a save, the cards whose indicator the engine has
// still to update say "updating…" and the page polls /indicators/version/ every second until the
// drain has run. A dashboard left open polls it every 30 seconds while the tab is visible; when a
// roll-up has stored new snapshots (the generation changed), it swaps in the new cards without a
// reload, and it says "updated N min ago" (the texts come translated in the page's data attributes).
// No inline script (CSP).
(function () {
  "use strict";
  var PENDING_MS = 1000;
  var MAX_PENDING_POLLS = 30;
  var IDLE_MS = 30000;

  var url = null;
  var live = false;
  var generation = "";
  var asOf = "";
  var timer = null;
  var pendingPolls = 0;

  function container() { return document.getElementById("dashboard-cards"); }

  function mark(pending) {
    var root = container();
    if (!root) { return; }
    root.querySelectorAll(".card-updating[data-indicator]").forEach(function (note) {
      note.hidden = pending.indexOf(note.getAttribute("data-indicator")) === -1;
    });
  }

  function swapCards() {
    return fetch(window.location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("dashboard-cards");
        var root = container();
        if (fresh && root) {
          root.innerHTML = fresh.innerHTML;
          // The charts came as containers with their data: charts.js draws them.
          if (window.lcampDrawCharts) { window.lcampDrawCharts(); }
          // The page read the generation before its cards: the next change is measured from it.
          if (fresh.hasAttribute("data-generation")) { generation = fresh.getAttribute("data-generation"); }
        }
      });
  }

  function showUpdated() {
    var label = document.getElementById("dashboard-updated");
    var at = Date.parse(asOf);
    if (!label || isNaN(at)) { return; }
    var minutes = Math.floor((Date.now() - at) / 60000);
    label.textContent = minutes < 1 ? label.getAttribute("data-just-now")
      : label.getAttribute("data-minutes").replace("{minutes}", String(minutes));
    label.hidden = false;
  }

  function schedule(ms) {
    window.clearTimeout(timer);
    timer = null;
    if (ms !== null) { timer = window.setTimeout(poll, ms); }
  }

  function poll() {
    timer = null;
    if (document.visibilityState === "hidden") { return; }  // polled again when the tab shows
    var idle = live ? IDLE_MS : null;
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return idle; }
        // Without a shared cache the generation is always "": the time of the last roll-up tells instead.
        var changed = state.generation !== generation || (asOf !== "" && state.as_of !== asOf);
        generation = state.generation;
        asOf = state.as_of;
        if (state.pending.length > 0) {
          mark(state.pending);
          pendingPolls += 1;
          return pendingPolls <= MAX_PENDING_POLLS ? PENDING_MS : idle;
        }
        if (pendingPolls === 0 && !(live && changed)) { return idle; }
        pendingPolls = 0;
        return swapCards().then(function () { mark([]); return idle; });
      })
      .catch(function () { return idle; })  // the page stays as it is; tried again later
      .then(function (next) {
        showUpdated();
        if (timer === null) { schedule(next); }
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = container();
    if (!root || !root.getAttribute("data-version-url")) { return; }
    url = root.getAttribute("data-version-url");
    live = root.hasAttribute("data-live");
    generation = root.getAttribute("data-generation") || "";
    poll();
  });

  document.addEventListener("visibilitychange", function () {
    if (url && live && document.visibilityState === "visible" && timer === null) { poll(); }
  });
}());
