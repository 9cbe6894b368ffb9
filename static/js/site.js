// Progressive enhancement for every page: no build step, no dependencies.
(function () {
  "use strict";
  document.documentElement.classList.replace("no-js", "js");

  // Collapsible main navigation on small screens.
  const nav = document.querySelector(".site-nav");
  const toggle = nav && nav.querySelector(".site-nav__toggle");
  if (nav && toggle) {
    nav.dataset.open = "false";
    toggle.addEventListener("click", function () {
      const open = nav.dataset.open !== "true";
      nav.dataset.open = String(open);
      toggle.setAttribute("aria-expanded", String(open));
    });
  }
})();
