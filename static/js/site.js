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
