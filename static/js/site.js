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

  // Pages served from the anonymous page cache carry no CSRF token; forms
  // that need one have an empty field, filled from a small uncached request.
  const deferred = document.querySelectorAll("[data-csrf-deferred]");
  if (deferred.length) {
    fetch("/csrf/", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data || !data.token) {
          return;
        }
        deferred.forEach(function (field) {
          field.value = data.token;
        });
        document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": data.token }));
      });
  }
})();
