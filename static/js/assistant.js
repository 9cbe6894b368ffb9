// The assistant panel: ask a question, watch the answer stream in over a
// WebSocket (static/js/socket.js), follow citations to the exact section.
// Plain JS, no build step. Model output is only ever inserted as text (never
// as HTML).
(function () {
  "use strict";

  function safeHref(url, anchor) {
    try {
      const target = new URL(url, window.location.href);
      if (target.protocol !== "http:" && target.protocol !== "https:") {
        return null;
      }
      if (anchor) {
        target.hash = anchor;
      }
      return target.href;
    } catch (error) {
      return null;
    }
  }

  // Render answer text with [n] citations turned into links to the sources.
  function renderAnswer(element, text, sources) {
    element.replaceChildren();
    const parts = text.split(/(\[\d+\])/);
    parts.forEach(function (part) {
      const match = /^\[(\d+)\]$/.exec(part);
      const source = match && sources.find(function (item) {
        return item.number === Number(match[1]);
      });
      const href = source && safeHref(source.url, source.anchor);
      if (href) {
        const link = document.createElement("a");
        link.href = href;
        link.textContent = part;
        link.title = source.title;
        link.className = "assistant__cite";
        element.appendChild(link);
      } else {
        element.appendChild(document.createTextNode(part));
      }
    });
  }

  function renderSources(list, sources) {
    list.replaceChildren();
    sources.forEach(function (source) {
      const href = safeHref(source.url, source.anchor);
      const item = document.createElement("li");
      const label = "[" + source.number + "] " + source.title;
      if (href) {
        const link = document.createElement("a");
        link.href = href;
        link.textContent = label;
        item.appendChild(link);
      } else {
        item.textContent = label;
      }
      list.appendChild(item);
    });
    list.hidden = sources.length === 0;
  }

  function Assistant(panel) {
    this.panel = panel;
    this.form = panel.querySelector(".assistant__form");
    this.input = panel.querySelector("textarea");
    this.log = panel.querySelector(".assistant__log");
    this.stopButton = panel.querySelector("[data-assistant-stop]");
    this.status = panel.querySelector(".assistant__status");
    this.pageId = panel.dataset.pageId ? Number(panel.dataset.pageId) : null;
    this.conversationId = null;
    this.current = null;
    this.pending = null;
    this.form.hidden = false;
    this.bind();
    this.socket = null;
    this.connecting = null;
    this.waiting = false;
  }

  // The page itself sets no cookie (it may come from the page cache). The
  // session that keeps this reader's conversation is asked for, and the
  // socket opened, only when the reader turns to the assistant: asked for at
  // page load, it raced the page's other first requests, and its cookie
  // could replace the session an "Add to cart" had just made.
  Assistant.prototype.ensureConnected = function () {
    if (this.connecting) {
      return;
    }
    const self = this;
    const url = this.panel.dataset.sessionUrl;
    const ready = url
      ? fetch(url, { credentials: "same-origin" }).catch(function () {})
      : Promise.resolve();
    this.connecting = ready.then(function () {
      self.socket = self.connect();
    });
  };

  Assistant.prototype.setStatus = function (text) {
    this.status.textContent = text;
  };

  Assistant.prototype.connect = function () {
    const self = this;
    return window.Pressroom.openSocket(this.panel.dataset.socketPath, {
      onOpen: function () {
        self.setStatus("");
        if (self.waiting) {
          // Asked before the socket was open: the question is still typed in.
          self.waiting = false;
          self.ask(null);
        }
      },
      onFrame: function (frame) {
        self.onFrame(frame);
      },
      onClose: function (event, info) {
        if (self.current) {
          self.finish("The connection dropped; the answer may be incomplete.");
        }
        if (info.reconnecting) {
          self.setStatus("Reconnecting…");
        }
      },
    });
  };

  Assistant.prototype.bind = function () {
    const self = this;
    this.input.addEventListener("focus", function () {
      self.ensureConnected();
    });
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.ask(null);
    });
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        self.ask(null);
      } else if (event.key === "Escape") {
        self.stop();
      }
    });
    this.stopButton.addEventListener("click", function () {
      self.stop();
    });
  };

  Assistant.prototype.ask = function (queued) {
    const question = queued || this.input.value.trim();
    if (!question) {
      return;
    }
    if (this.current) {
      // One answer at a time: stop this one, ask the new question after it.
      this.pending = question;
      this.input.value = "";
      this.stop();
      return;
    }
    if (!this.socket || !this.socket.isOpen()) {
      // Sent as soon as the socket opens (the question stays in the box).
      this.waiting = !queued;
      this.ensureConnected();
      this.setStatus("Connecting…");
      return;
    }
    const frame = { type: "ask", question: question };
    if (this.pageId !== null) {
      frame.page_id = this.pageId;
    }
    if (this.conversationId) {
      frame.conversation_id = this.conversationId;
    }
    this.startEntry(question);
    this.socket.send(frame);
    if (!queued) {
      this.input.value = "";
    }
  };

  Assistant.prototype.stop = function () {
    if (this.current) {
      this.socket.send({ type: "stop" });
    }
  };

  Assistant.prototype.startEntry = function (question) {
    this.log.hidden = false;
    const asked = document.createElement("li");
    asked.className = "assistant__message assistant__message--user";
    asked.textContent = question;
    const answer = document.createElement("li");
    answer.className = "assistant__message assistant__message--assistant";
    answer.setAttribute("aria-busy", "true");
    const text = document.createElement("p");
    text.className = "assistant__text";
    const sources = document.createElement("ul");
    sources.className = "assistant__sources";
    sources.hidden = true;
    answer.append(text, sources);
    this.log.append(asked, answer);
    this.current = { element: answer, text: text, sourceList: sources, answer: "", sources: [] };
    this.stopButton.hidden = false;
    this.setStatus("Thinking…");
  };

  Assistant.prototype.finish = function (note) {
    if (!this.current) {
      return;
    }
    this.current.element.removeAttribute("aria-busy");
    if (note) {
      const extra = document.createElement("p");
      extra.className = "assistant__stopped";
      extra.textContent = note;
      this.current.element.appendChild(extra);
    }
    this.current = null;
    this.stopButton.hidden = true;
  };

  Assistant.prototype.onFrame = function (frame) {
    const current = this.current;
    if (frame.type === "sources" && current) {
      current.sources = frame.items;
      renderSources(current.sourceList, frame.items);
    } else if (frame.type === "token" && current) {
      current.answer += frame.text;
      renderAnswer(current.text, current.answer, current.sources);
      this.setStatus("Answering…");
    } else if (frame.type === "done") {
      this.conversationId = frame.conversation_id || this.conversationId;
      if (current && Array.isArray(frame.cited) && frame.cited.length) {
        // Only the sources the answer cites stay listed under it.
        current.sources = current.sources.filter(function (source) {
          return frame.cited.indexOf(source.number) !== -1;
        });
        renderSources(current.sourceList, current.sources);
      }
      this.setStatus("");
      this.finish(frame.stopped ? "Stopped." : "");
      if (this.pending) {
        const next = this.pending;
        this.pending = null;
        this.ask(next);
      }
    } else if (frame.type === "error") {
      const wait = frame.retry_after ? " (" + frame.retry_after + " s)" : "";
      this.setStatus(frame.message + wait);
      this.finish("");
    }
  };

  document.querySelectorAll("[data-assistant]").forEach(function (panel) {
    if (!panel.dataset.assistantReady) {
      panel.dataset.assistantReady = "true";
      new Assistant(panel);
    }
  });
})();
