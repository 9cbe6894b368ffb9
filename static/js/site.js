// Progressive enhancement for every page: no build step, no dependencies.
(function () {
  "use strict";
  document.documentElement.classList.replace("no-js", "js");

  // The header menu collapses behind "Menu" on narrow screens (layout.css);
  // without JavaScript it stays open. Escape closes it and gives the focus
  // back to the toggle.
  const header = document.querySelector("[data-site-header]");
  const toggle = header && header.querySelector("[data-menu-toggle]");
  if (header && toggle) {
    const setOpen = function (open) {
      header.dataset.menu = open ? "open" : "closed";
      toggle.setAttribute("aria-expanded", String(open));
    };
    setOpen(false);
    toggle.addEventListener("click", function () {
      setOpen(header.dataset.menu !== "open");
    });
    header.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && header.dataset.menu === "open") {
        setOpen(false);
        toggle.focus();
      }
    });
  }
})();
