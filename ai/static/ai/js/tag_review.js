// Accept or reject AI tag suggestions inside the page editor without
// submitting the editor form (buttons post on their own, then swap the row).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-ai-tag-action]");
    if (!button) {
      return;
    }
    event.preventDefault();
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    const row = button.closest("[data-ai-tag]");
    button.disabled = true;
    fetch(button.dataset.aiTagAction, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        const template = document.createElement("template");
        template.innerHTML = html.trim();
        row.replaceWith(template.content.firstElementChild);
      })
      .catch(function () {
        button.disabled = false;
        button.textContent = "Try again";
      });
  });
})();
