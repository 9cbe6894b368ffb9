// A product's pictures, larger: each thumbnail links to its large image, and
// here that link opens a modal <dialog> instead. Previous/Next buttons, the
// arrow keys and a horizontal swipe move through the pictures; Escape, the
// Close button or a click on the backdrop close it, and the focus goes back
// to the picture that opened it. Plain JS under the site's strict CSP.
(function () {
  "use strict";

  const SWIPE_DISTANCE = 40; // px of horizontal travel that counts as a swipe

  const gallery = document.querySelector("[data-gallery]");
  const dialog = document.querySelector("[data-gallery-dialog]");
  if (!gallery || !dialog || typeof dialog.showModal !== "function") {
    return; // the links still open the images
  }
  const items = Array.from(gallery.querySelectorAll("[data-gallery-item]"));
  const image = dialog.querySelector("[data-gallery-image]");
  const caption = dialog.querySelector("[data-gallery-caption]");
  const counter = dialog.querySelector("[data-gallery-counter]");
  const previous = dialog.querySelector("[data-gallery-prev]");
  const next = dialog.querySelector("[data-gallery-next]");
  let current = 0;
  let opener = null;

  function show(index) {
    current = (index + items.length) % items.length;
    const item = items[current];
    image.src = item.href;
    image.alt = item.dataset.alt || "";
    // The intrinsic size, so the box is laid out before the image arrives.
    ["width", "height"].forEach(function (side) {
      if (item.dataset[side]) {
        image.setAttribute(side, item.dataset[side]);
      } else {
        image.removeAttribute(side);
      }
    });
    caption.textContent = item.dataset.caption || "";
    caption.hidden = !item.dataset.caption;
    counter.textContent = items.length > 1 ? "(" + (current + 1) + " of " + items.length + ")" : "";
  }

  items.forEach(function (item, index) {
    item.addEventListener("click", function (event) {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) {
        return; // a new tab or window: let the link do it
      }
      event.preventDefault();
      opener = item;
      show(index);
      dialog.showModal();
    });
  });

  dialog.querySelector("[data-gallery-close]").addEventListener("click", function () {
    dialog.close();
  });
  if (previous && next) {
    previous.addEventListener("click", function () {
      show(current - 1);
    });
    next.addEventListener("click", function () {
      show(current + 1);
    });
  }

  dialog.addEventListener("keydown", function (event) {
    if (items.length < 2) {
      return;
    }
    if (event.key === "ArrowLeft") {
      event.preventDefault();
      show(current - 1);
    } else if (event.key === "ArrowRight") {
      event.preventDefault();
      show(current + 1);
    }
  });

  // A click on the backdrop lands on the <dialog> itself, outside its box.
  dialog.addEventListener("click", function (event) {
    if (event.target !== dialog) {
      return;
    }
    const box = dialog.getBoundingClientRect();
    const inside =
      event.clientX >= box.left &&
      event.clientX <= box.right &&
      event.clientY >= box.top &&
      event.clientY <= box.bottom;
    if (!inside) {
      dialog.close();
    }
  });

  let swipeStart = null;
  image.addEventListener("pointerdown", function (event) {
    swipeStart = { x: event.clientX, y: event.clientY };
  });
  image.addEventListener("pointerup", function (event) {
    if (!swipeStart || items.length < 2) {
      return;
    }
    const dx = event.clientX - swipeStart.x;
    const dy = event.clientY - swipeStart.y;
    swipeStart = null;
    if (Math.abs(dx) >= SWIPE_DISTANCE && Math.abs(dx) > Math.abs(dy)) {
      show(dx < 0 ? current + 1 : current - 1);
    }
  });
  image.addEventListener("pointercancel", function () {
    swipeStart = null;
  });

  dialog.addEventListener("close", function () {
    if (opener) {
      opener.focus();
      opener = null;
    }
  });
})();
