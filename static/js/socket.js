// The site's one WebSocket client, shared by the notification bell, the
// assistant and the chat rooms: JSON frames in and out, and reconnection
// with capped exponential backoff and jitter. A classic script (no build
// step, no eval, nothing inline, so the strict CSP holds) that defines
//
//   const socket = window.Pressroom.openSocket("/ws/rooms/lobby/", {
//     onOpen() {},                       // after every (re)connect
//     onFrame(frame) {},                 // each JSON object the server sends
//     onClose(event, info) {},           // info: {opened, reconnecting, delay, refused}
//   });
//   socket.send({type: "message"});      // false (nothing sent) unless open
//   socket.isOpen();
//   socket.close();                      // for good: no reconnect
//
// A third argument, {firstDelay, maxDelay} in ms, changes the backoff.
//
// The server decides when retrying is pointless: a close code from 4400 to
// 4499 (4401 signed out, 4403 forbidden, 4404 gone, like HTTP's 4xx) stops
// reconnecting. Any other close (a dropped network, a server restart, a
// refused handshake) is retried after 1 s, 2 s, 4 s ... up to 30 s, each
// delay drawn between half and all of that so that many pages do not all
// come back at the same instant; a successful open starts over at 1 s.
(function () {
  "use strict";

  const Pressroom = (window.Pressroom = window.Pressroom || {});
  if (Pressroom.openSocket) {
    return; // loaded twice (site and admin): one module is enough
  }

  const FIRST_DELAY = 1000;
  const MAX_DELAY = 30000;
  const live = new Set(); // {suspend, resume} of each socket not closed for good

  function socketUrl(path) {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + path;
  }

  function isRefusal(code) {
    return code >= 4400 && code <= 4499;
  }

  Pressroom.openSocket = function (path, handlers, options) {
    const settings = options || {};
    const firstDelay = settings.firstDelay || FIRST_DELAY;
    const maxDelay = settings.maxDelay || MAX_DELAY;
    let socket = null;
    let failures = 0; // closes since the last successful open
    let timer = null;
    let closed = false; // by close() or a refusal: never again
    let suspended = false; // the page was left (and may come back from the cache)

    function notify(name) {
      const handler = handlers && handlers[name];
      if (handler) {
        handler.apply(null, Array.prototype.slice.call(arguments, 1));
      }
    }

    function nextDelay() {
      const ceiling = Math.min(maxDelay, firstDelay * Math.pow(2, failures));
      failures += 1;
      return ceiling / 2 + (Math.random() * ceiling) / 2;
    }

    function connect() {
      timer = null;
      const current = new WebSocket(socketUrl(path));
      let opened = false;
      socket = current;
      current.addEventListener("open", function () {
        if (closed || suspended) {
          current.close(1000); // closed while it was still connecting
          return;
        }
        opened = true;
        failures = 0;
        notify("onOpen");
      });
      current.addEventListener("message", function (event) {
        let frame;
        try {
          frame = JSON.parse(event.data);
        } catch (error) {
          return; // not a frame of ours
        }
        notify("onFrame", frame);
      });
      current.addEventListener("close", function (event) {
        if (socket !== current) {
          return;
        }
        socket = null;
        const refused = isRefusal(event.code);
        if (refused) {
          handle.close();
        }
        const reconnecting = !closed && !suspended;
        const delay = reconnecting ? nextDelay() : null;
        if (reconnecting) {
          timer = window.setTimeout(connect, delay);
        }
        notify("onClose", event, {
          opened: opened,
          reconnecting: reconnecting,
          delay: delay,
          refused: refused,
        });
      });
    }

    // Leaving the page: drop the socket without reconnecting.
    function suspend() {
      suspended = true;
      window.clearTimeout(timer);
      timer = null;
      if (socket !== null && socket.readyState === WebSocket.OPEN) {
        socket.close(1000);
      }
    }

    // Back from the back/forward cache: connect again at once.
    function resume() {
      if (closed || !suspended) {
        return;
      }
      suspended = false;
      failures = 0;
      if (socket === null && timer === null) {
        connect();
      }
    }

    const lifecycle = { suspend: suspend, resume: resume };
    const handle = {
      send: function (frame) {
        if (!handle.isOpen()) {
          return false;
        }
        socket.send(JSON.stringify(frame));
        return true;
      },
      isOpen: function () {
        return socket !== null && socket.readyState === WebSocket.OPEN;
      },
      close: function () {
        closed = true;
        live.delete(lifecycle);
        suspend();
      },
    };

    live.add(lifecycle);
    connect();
    return handle;
  };

  window.addEventListener("pagehide", function () {
    live.forEach(function (socket) {
      socket.suspend();
    });
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      live.forEach(function (socket) {
        socket.resume();
      });
    }
  });
})();
