/* The main menu on a phone: below 600 px wide the links, the user's links and the language
   switch fold behind a "Menu" button (app.css shows the button and hides the menu only once
   this script has marked the nav with .nav-collapsible). Without JavaScript the button stays
   hidden and the menu is always shown. Loaded right after the header, so it runs before the
   page is first drawn. */
(function () {
  "use strict";

  var toggle = document.querySelector(".nav-toggle");
  var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (!menu) {
    return;
  }
  var nav = toggle.closest(".nav");

  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("nav-open", open);
  }

  toggle.hidden = false;
  nav.classList.add("nav-collapsible");
  setOpen(false);

  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  // Escape closes the open menu and gives the focus back to its button.
  nav.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      if (window.getComputedStyle(toggle).display !== "none") {
        toggle.focus();
      }
    }
  });
})();
