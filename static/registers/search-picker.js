/* Search-as-you-type pickers: <span class="picker" data-picker-url> holds a search box and a
   hidden input with the chosen id (registers/pickers.py), or, for a choice of several
   (class picker-multiple), the chosen records as ticked boxes. Typing asks the JSON endpoint for
   matches and lists them; choosing one fills the hidden id. Without this script the form
   still works: the typed text is searched on submit and several matches become a short list.
   No library, no inline script (CSP script-src 'self'). */
(function () {
  "use strict";

  // Django's JavaScript catalogue (/jsi18n/, loaded by base.html) translates; without it, English.
  var gettext = window.gettext || function (text) { return text; };

  function enhance(picker) {
    if (picker.dataset.pickerReady) { return; }
    picker.dataset.pickerReady = "1";
    var box = picker.querySelector('input[type="search"]');
    var hidden = picker.querySelector('input[type="hidden"]');
    // A choice of several: the chosen records are ticked boxes; choosing a match adds one.
    var chosenList = picker.classList.contains("picker-multiple") ? picker.querySelector(".picker-chosen") : null;
    if (!box || (!hidden && !chosenList)) { return; }
    var list = document.createElement("ul");
    list.className = "picker-results";
    list.id = box.id + "_results";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-controls", list.id);
    box.setAttribute("aria-expanded", "false");
    picker.appendChild(list);
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      box.setAttribute("aria-expanded", "false");
    }

    function add(item) {
      var boxes = chosenList.querySelectorAll('input[type="checkbox"]');
      for (var i = 0; i < boxes.length; i += 1) {
        if (boxes[i].value === item.dataset.id) { boxes[i].checked = true; return; }
      }
      var chip = document.createElement("label");
      chip.className = "picker-chip";
      var tick = document.createElement("input");
      tick.type = "checkbox";
      tick.name = picker.dataset.pickerName;
      tick.value = item.dataset.id;
      tick.checked = true;
      chip.appendChild(tick);
      chip.appendChild(document.createTextNode(" " + item.textContent));
      chosenList.appendChild(chip);
      tick.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function choose(item) {
      close();
      if (chosenList) {
        add(item);
        box.value = "";
        box.focus();
        return;
      }
      hidden.value = item.dataset.id;
      box.value = item.textContent;
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(results) {
      list.textContent = "";
      results.forEach(function (result, index) {
        var item = document.createElement("li");
        item.setAttribute("role", "option");
        item.id = box.id + "_option_" + index;
        item.dataset.id = result.id;
        item.textContent = result.label;
        item.tabIndex = -1;
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item); });
        item.addEventListener("keydown", function (event) {
          if (event.key === "Enter") { event.preventDefault(); choose(item); }
          if (event.key === "ArrowDown" && item.nextSibling) { item.nextSibling.focus(); }
          if (event.key === "ArrowUp") { (item.previousSibling || box).focus(); }
          if (event.key === "Escape") { close(); box.focus(); }
        });
        list.appendChild(item);
      });
      if (!results.length) {
        var none = document.createElement("li");
        none.className = "picker-none";
        none.textContent = gettext("No match");
        list.appendChild(none);
      }
      list.hidden = false;
      box.setAttribute("aria-expanded", "true");
    }

    function search() {
      var text = box.value.trim();
      if (text.length < 3) { close(); return; }  // the endpoint searches from the third letter
      var ticket = ++asked;
      fetch(picker.dataset.pickerUrl + "?q=" + encodeURIComponent(text), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : { results: [] };
      }).then(function (data) {
        if (ticket === asked) { show(data.results || []); }
      }).catch(close);
    }

    box.addEventListener("input", function () {
      if (hidden) { hidden.value = ""; }
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && !list.hidden && list.firstChild && list.firstChild.dataset.id) {
        event.preventDefault();
        list.firstChild.focus();
      }
      if (event.key === "Escape") { close(); }
      // Enter in a choice of several adds the first match rather than submitting the form.
      if (event.key === "Enter" && chosenList && !list.hidden && list.firstChild && list.firstChild.dataset.id) {
        event.preventDefault();
        choose(list.firstChild);
      }
    });
    box.addEventListener("blur", function () { window.setTimeout(function () {
      if (!picker.contains(document.activeElement)) { close(); }
    }, 150); });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".picker[data-picker-url]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
