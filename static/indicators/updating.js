// The dashboard after a save: the cards whose indicator the engine has still to update
// say "updating…"; the page polls /indicators/version/ for a few seconds and, once the
// drain has run, swaps in the new cards without a reload. No inline script (CSP).
(function () {
  "use strict";
  var POLL_MS = 1000;
  var MAX_POLLS = 30;

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
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("dashboard-cards");
        var root = container();
        if (fresh && root) { root.innerHTML = fresh.innerHTML; }
      });
  }

  function poll(url, left, wasPending) {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        if (state.pending.length === 0) {
          if (wasPending) { swapCards().then(function () { mark([]); }); }
          return;
        }
        mark(state.pending);
        if (left > 0) { window.setTimeout(function () { poll(url, left - 1, true); }, POLL_MS); }
      })
      .catch(function () { /* the page stays as it is */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = container();
    if (root && root.getAttribute("data-version-url")) { poll(root.getAttribute("data-version-url"), MAX_POLLS, false); }
  });
}());
