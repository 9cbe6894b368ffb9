// A chat room: live messages, deletions and the presence count over a
// WebSocket (static/js/socket.js), on top of the history the server rendered;
// the server sends the history again on every (re)connect. Plain JS, no build
// step. Message text is only ever inserted as text (never as HTML).
(function () {
  "use strict";

  const MAX_SHOWN = 200; // older messages leave the page past this many
  const NEAR_BOTTOM = 80; // px: follow new messages only if already at the end
  const IN_FLIGHT_TIMEOUT = 10000;
  // Errors about the message being sent: its text goes back into the box.
  const SEND_ERRORS = [
    "login_required",
    "invalid_text",
    "empty_message",
    "message_too_long",
    "rate_limited",
    "banned",
    "room_closed",
  ];

  function presenceLabel(count) {
    if (count <= 0) {
      return "Nobody here right now";
    }
    return count + (count === 1 ? " person" : " people") + " here now";
  }

  function Room(element) {
    this.element = element;
    this.log = element.querySelector("[data-room-log]");
    this.empty = element.querySelector("[data-room-empty]");
    this.presence = element.querySelector("[data-room-presence]");
    this.status = element.querySelector("[data-room-status]");
    this.form = element.querySelector("[data-room-form]");
    this.input = this.form ? this.form.querySelector("textarea") : null;
    this.deleteUrl = element.dataset.deleteUrl || "";
    const token = element.querySelector("[name=csrfmiddlewaretoken]");
    this.csrfToken = token ? token.value : "";
    this.inFlight = null;
    this.inFlightTimer = null;
    this.scrollToEnd();
    this.bind();
    this.socket = this.connect();
  }

  Room.prototype.setStatus = function (text) {
    this.status.textContent = text;
  };

  Room.prototype.isOpen = function () {
    return this.socket.isOpen();
  };

  Room.prototype.connect = function () {
    const self = this;
    return window.Pressroom.openSocket(this.element.dataset.socketPath, {
      onOpen: function () {
        self.setStatus("");
      },
      onFrame: function (frame) {
        self.onFrame(frame);
      },
      onClose: function (event, info) {
        if (info.refused) {
          self.setStatus("Disconnected. Reload the page to rejoin.");
          return;
        }
        if (!info.reconnecting) {
          return; // closed on purpose, or the page was left
        }
        if (!info.opened) {
          // Refused at the handshake: is the room still open?
          self.checkRoomStillOpen();
        }
        self.setStatus("Connection lost. Reconnecting…");
      },
    });
  };

  Room.prototype.checkRoomStillOpen = function () {
    const self = this;
    fetch(window.location.pathname, { method: "HEAD", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 404) {
          self.socket.close();
          self.setStatus("This room has closed.");
          if (self.form) {
            self.form.hidden = true;
          }
        }
      })
      .catch(function () {
        // Offline: keep trying to reconnect.
      });
  };

  Room.prototype.bind = function () {
    const self = this;
    if (this.form) {
      this.form.addEventListener("submit", function (event) {
        if (self.isOpen()) {
          event.preventDefault();
          self.send();
        }
        // Not connected: the form posts and the page reloads.
      });
      this.input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          self.send();
        }
      });
    }
    this.log.addEventListener("submit", function (event) {
      const form = event.target.closest("[data-room-delete]");
      if (!form) {
        return;
      }
      if (!window.confirm("Delete this message for everyone?")) {
        event.preventDefault();
        return;
      }
      if (self.isOpen()) {
        event.preventDefault();
        const item = form.closest("[data-message-id]");
        self.socket.send({ type: "delete", id: Number(item.dataset.messageId) });
      }
    });
  };

  // One message in flight at a time, so an error can only be about that
  // one: its text goes back into the box (nothing typed is lost).
  Room.prototype.send = function () {
    const text = this.input.value.trim();
    if (!text) {
      return;
    }
    if (!this.isOpen()) {
      this.setStatus("Not connected yet; your message is still in the box.");
      return;
    }
    if (this.inFlight !== null) {
      this.setStatus("Sending…");
      return;
    }
    this.socket.send({ type: "message", text: text });
    this.inFlight = text;
    this.input.value = "";
    this.setStatus("");
    const self = this;
    window.clearTimeout(this.inFlightTimer);
    // No answer at all (the broadcast was lost): stop waiting; the history
    // sent on the next reconnect shows whether it arrived.
    this.inFlightTimer = window.setTimeout(function () {
      self.inFlight = null;
    }, IN_FLIGHT_TIMEOUT);
  };

  Room.prototype.settleSend = function (failed) {
    if (this.inFlight === null) {
      return;
    }
    if (failed && this.input) {
      const typedSince = this.input.value;
      this.input.value = typedSince ? this.inFlight + "\n" + typedSince : this.inFlight;
    }
    this.inFlight = null;
    window.clearTimeout(this.inFlightTimer);
  };

  Room.prototype.onFrame = function (frame) {
    if (frame.type === "history") {
      if (this.inFlight !== null) {
        // Sent just before the connection dropped: was it saved?
        const inFlight = this.inFlight;
        this.settleSend(!frame.messages.some(function (message) {
          return message.text === inFlight;
        }));
      }
      this.showHistory(frame.messages);
    } else if (frame.type === "message") {
      if (frame.text === this.inFlight) {
        this.settleSend(false);
      }
      this.addMessage(frame, true);
    } else if (frame.type === "deleted") {
      this.removeMessage(frame.id);
    } else if (frame.type === "presence") {
      this.presence.textContent = presenceLabel(frame.count);
    } else if (frame.type === "error") {
      this.setStatus(frame.message);
      if (SEND_ERRORS.indexOf(frame.code) !== -1) {
        this.settleSend(true);
      }
    }
  };

  Room.prototype.items = function () {
    return Array.prototype.slice.call(this.log.querySelectorAll("[data-message-id]"));
  };

  Room.prototype.findItem = function (id) {
    return this.log.querySelector('[data-message-id="' + Number(id) + '"]');
  };

  // Sent on every (re)connect: add what was missed, drop what a moderator
  // deleted meanwhile, keep older messages already on the page.
  Room.prototype.showHistory = function (messages) {
    const self = this;
    const atEnd = this.isNearEnd();
    const ids = new Set(messages.map(function (message) { return message.id; }));
    const oldest = messages.length ? messages[0].id : Infinity;
    this.items().forEach(function (item) {
      const id = Number(item.dataset.messageId);
      if (id >= oldest && !ids.has(id)) {
        item.remove();
      }
    });
    messages.forEach(function (message) {
      const existing = self.findItem(message.id);
      if (existing) {
        // Same message; its delete button depends on who is looking.
        self.setDeleteControl(existing, message.can_delete);
      } else {
        self.addMessage(message, false);
      }
    });
    this.afterChange(atEnd);
  };

  Room.prototype.addMessage = function (message, follow) {
    if (this.findItem(message.id)) {
      return; // a broadcast can overlap the history sent on connect
    }
    const atEnd = follow && this.isNearEnd();
    const item = this.renderMessage(message);
    const later = this.items().find(function (other) {
      return Number(other.dataset.messageId) > message.id;
    });
    this.log.insertBefore(item, later || null);
    const items = this.items();
    for (let index = 0; index < items.length - MAX_SHOWN; index += 1) {
      items[index].remove();
    }
    this.afterChange(atEnd);
  };

  Room.prototype.renderMessage = function (message) {
    const item = document.createElement("li");
    item.className = "room-message";
    item.id = "message-" + Number(message.id);
    item.dataset.messageId = String(Number(message.id));
    const meta = document.createElement("p");
    meta.className = "room-message__meta";
    const author = document.createElement("span");
    author.className = "room-message__author";
    author.textContent = message.author;
    const time = document.createElement("time");
    time.setAttribute("datetime", message.created_at);
    // Worded by the server (RoomMessage.time_label), as in the page it sent.
    time.textContent = message.time_label || "";
    meta.append(author, " ", time);
    const text = document.createElement("p");
    text.className = "room-message__text";
    text.textContent = message.text;
    item.append(meta, text);
    this.setDeleteControl(item, message.can_delete);
    return item;
  };

  Room.prototype.setDeleteControl = function (item, allowed) {
    const existing = item.querySelector("[data-room-delete]");
    if (!allowed || !this.deleteUrl) {
      if (existing) {
        existing.remove();
      }
      return;
    }
    if (existing) {
      return;
    }
    // A real form, so deleting still works if the socket is down.
    const form = document.createElement("form");
    form.className = "room-message__delete";
    form.method = "post";
    form.action = this.deleteUrl.replace(
      "/messages/0/",
      "/messages/" + Number(item.dataset.messageId) + "/"
    );
    form.dataset.roomDelete = "";
    const token = document.createElement("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    token.value = this.csrfToken;
    const button = document.createElement("button");
    button.type = "submit";
    button.className = "button--link";
    button.textContent = "Delete";
    form.append(token, button);
    item.appendChild(form);
  };

  Room.prototype.removeMessage = function (id) {
    const item = this.findItem(id);
    if (item) {
      item.remove();
      this.afterChange(false);
    }
  };

  Room.prototype.isNearEnd = function () {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < NEAR_BOTTOM;
  };

  Room.prototype.scrollToEnd = function () {
    this.log.scrollTop = this.log.scrollHeight;
  };

  Room.prototype.afterChange = function (follow) {
    const hasMessages = this.items().length > 0;
    this.empty.hidden = hasMessages;
    this.log.classList.toggle("room__log--empty", !hasMessages);
    if (follow) {
      this.scrollToEnd();
    }
  };

  document.querySelectorAll("[data-room]").forEach(function (element) {
    if (!element.dataset.roomReady) {
      element.dataset.roomReady = "true";
      new Room(element);
    }
  });
})();
