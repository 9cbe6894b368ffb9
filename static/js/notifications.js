// The notification bell: the unread count stays live over a WebSocket
// (static/js/socket.js), on the site and in the Wagtail admin. The server sends
// the count on connect, so a reconnect is also a refetch. A 4401 close (signed
// out) ends the reconnecting.
(function () {
  "use strict";

  const bell = document.querySelector("[data-notifications]");
  const adminScript = document.querySelector("script[data-notifications-socket]");
  const socketPath = bell
    ? bell.dataset.socketPath
    : adminScript && adminScript.dataset.notificationsSocket;
  if (!socketPath || window.pressroomNotifications) {
    return;
  }
  window.pressroomNotifications = true;

  function showCount(count) {
    if (bell) {
      const badge = bell.querySelector("[data-bell-count]");
      badge.textContent = String(count);
      badge.hidden = count === 0;
      bell.querySelector("[data-bell-label]").setAttribute(
        "aria-label",
        "Notifications, " + count + " unread"
      );
    }
    // The admin's menu item: "Notifications (3)".
    document.querySelectorAll('a[href="/notifications/"]').forEach(function (link) {
      const label = link.querySelector(".menuitem-label") || link;
      if (/^Notifications( \(\d+\))?$/.test(label.textContent.trim())) {
        label.textContent = count ? "Notifications (" + count + ")" : "Notifications";
      }
    });
  }

  // The panel is a <details>: Escape and a click elsewhere close it, as
  // readers expect of a drop-down.
  const menu = bell && bell.querySelector("details");
  if (menu) {
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        event.stopPropagation();
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) {
        menu.open = false;
      }
    });
  }

  function refreshPanel() {
    const panel = bell && bell.querySelector(".bell__panel");
    if (panel && bell.querySelector("details").open && window.htmx) {
      window.htmx.trigger(panel, "notifications-changed");
    }
  }

  window.Pressroom.openSocket(socketPath, {
    onFrame: function (frame) {
      if (frame.type === "unread_count") {
        showCount(frame.count);
        refreshPanel();
      } else if (frame.type === "notification") {
        showCount(frame.unread_count);
        refreshPanel();
      }
    },
  });
})();
