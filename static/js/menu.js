// The main menu (templates/base.html) at phone width. Without JavaScript the menu stays open and
// its entries wrap, so every page remains reachable; with it, the entries fold behind the "Menu"
// button until the officer opens them. At desktop width the stylesheet hides the button and
// shows the entries whatever its state.
(function () {
  "use strict";

  function setUpMenu() {
    var nav = document.querySelector("nav.site-nav");
    var button = nav && nav.querySelector(".menu-toggle");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) return;

    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("menu-open", open);
    }

    nav.classList.add("collapsible");
    button.hidden = false;
    setOpen(false);
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    // Escape closes the open menu and gives the focus back to its button, as for a dialog.
    nav.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") return;
      if (event.target.closest && event.target.closest("details[open]")) return;
      setOpen(false);
      button.focus();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpMenu);
  } else {
    setUpMenu();
  }
})();
