/* Searchable selects: a filter box above every <select data-searchable>.
   Typing hides the options that do not contain the text (accents and case ignored).
   No library, no inline script: served from static under CSP script-src 'self'. */
(function () {
  "use strict";

  // Django's JavaScript catalogue (/jsi18n/, loaded by base.html) translates; without it, English.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, count) { return count === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values, named) {
    return format.replace(/%\(\w+\)s/g, function (match) { return String(values[match.slice(2, -2)]); });
  };

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function enhance(select) {
    if (select.dataset.pickerReady) { return; }
    select.dataset.pickerReady = "1";
    var box = document.createElement("input");
    box.type = "search";
    box.className = "picker-filter";
    box.placeholder = gettext("Type to filter the list…");
    box.setAttribute("autocomplete", "off");
    var label = document.querySelector('label[for="' + select.id + '"]');
    box.setAttribute("aria-label", label
      ? interpolate(gettext("Filter %(field)s"), { field: label.textContent.replace("*", "").trim() }, true)
      : gettext("Filter the list"));
    box.id = select.id ? select.id + "_filter" : "";
    var status = document.createElement("span");
    status.className = "helptext picker-status";
    status.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(status, select.nextSibling);

    box.addEventListener("input", function () {
      var needle = fold(box.value.trim());
      var shown = 0;
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var match = !needle || option.value === "" || fold(option.text).indexOf(needle) !== -1;
        option.hidden = !match && !(select.multiple && option.selected);
        if (match && option.value !== "") {
          shown += 1;
          if (!first) { first = option; }
        }
      });
      if (!select.multiple && needle && first) {
        var current = select.options[select.selectedIndex];
        if (!current || current.hidden || current.value === "") {
          first.selected = true;
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
      }
      status.textContent = needle
        ? interpolate(ngettext("%(count)s match", "%(count)s matches", shown), { count: shown }, true) : "";
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-searchable]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
