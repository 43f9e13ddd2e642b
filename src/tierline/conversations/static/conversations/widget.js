/* Tierline chat widget: <script src="https://TIERLINE/widget.js" data-identity="SIGNED" data-app-version="2.4.1" async>
   Renders inside a shadow root on its own <tierline-chat> element (no global CSS in or out, no globals but
   window.TierlineChat), talks to Tierline over one websocket. The host page is not ours: no Array.prototype
   method is relied on (pages replace them), every callback is guarded, and the :host rules are !important
   (in a shadow root they then win over the page's). Tested in Chromium and Firefox. See README.md "In-app chat". */
(function () {
  "use strict";
  function guard(fn) {
    return function (event) {
      try { return fn(event); } catch (error) { try { say("The chat hit a problem. Reload the page to try again."); } catch (ignored) { /* nothing left to tell */ } }
    };
  }
  var say = function () {};
  try { start(); } catch (error) { /* never throw into the host page */ }
  function start() {
    if (window.TierlineChat) return;
    var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
    var base = new URL(script.src, location.href);
    var origin = base.origin;
    var data = script.dataset || {};
    var STORE = "tierline-chat:" + origin;
    var CSS = ":host{all:initial!important;display:block!important;position:fixed!important;right:16px!important;bottom:16px!important;z-index:2147483000!important;font:15px/1.4 system-ui,sans-serif!important;color:#1d2433!important}" +
      "button{font:inherit;cursor:pointer;border-radius:6px;border:1px solid #243b6b;padding:.45em .9em;background:#243b6b;color:#fff}" +
      "button.secondary{background:#fff;color:#243b6b}button:focus-visible,textarea:focus-visible,input:focus-visible{outline:3px solid #f0a500;outline-offset:2px}" +
      ".panel{display:flex;flex-direction:column;width:min(360px,calc(100vw - 32px));height:min(480px,calc(100vh - 96px));background:#fff;border:1px solid #c5cbd8;border-radius:10px;box-shadow:0 8px 30px rgba(0,0,0,.2);margin-bottom:8px}" +
      ".panel[hidden]{display:none}header{display:flex;justify-content:space-between;align-items:center;padding:.6em .8em;border-bottom:1px solid #e3e6ee}" +
      "h2{font-size:1em;margin:0}ol{list-style:none;margin:0;padding:.6em .8em;overflow-y:auto;flex:1}li{margin:.3em 0;padding:.4em .6em;border-radius:8px;background:#eef1f7;white-space:pre-wrap;word-wrap:break-word}" +
      "li.customer{background:#243b6b;color:#fff;margin-left:2em}li.agent{margin-right:2em}.who{display:block;font-size:.8em;opacity:.8}" +
      ".notice{margin:0;padding:.4em .8em;font-size:.85em;background:#fff6da}.notice:empty{display:none}form{display:flex;flex-direction:column;gap:.4em;padding:.6em .8em;border-top:1px solid #e3e6ee}" +
      "textarea{font:inherit;resize:vertical;min-height:3em;border:1px solid #8a93a8;border-radius:6px;padding:.4em}.row{display:flex;gap:.5em;align-items:center;justify-content:space-between}" +
      ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}label.file{font-size:.85em}";
    var HTML = '<div class="panel" id="tl-panel" role="dialog" aria-labelledby="tl-title" hidden>' +
      '<header><h2 id="tl-title">Chat with support</h2><button type="button" class="secondary" id="tl-close" aria-label="Close chat">×</button></header>' +
      '<p class="notice" id="tl-notice" role="status"></p>' +
      '<ol id="tl-log" role="log" aria-live="polite" aria-label="Messages"></ol>' +
      '<form id="tl-form"><label for="tl-body">Your message</label><textarea id="tl-body" rows="2" maxlength="5000"></textarea>' +
      '<div class="row"><label class="file">Screenshot <input type="file" id="tl-shot" accept="image/png,image/jpeg,image/gif,image/webp"></label>' +
      '<button type="submit">Send</button></div></form></div>' +
      '<button type="button" id="tl-open" aria-expanded="false" aria-controls="tl-panel">Chat with support</button>' +
      '<p class="sr" id="tl-announce" aria-live="polite"></p>';

    var host = document.createElement("tierline-chat");
    host.setAttribute("data-tierline-chat", "");
    var root = host.attachShadow({ mode: "open" });
    if (root.adoptedStyleSheets && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);  // constructed sheets are not blocked by a host page's style-src policy
      root.adoptedStyleSheets = [sheet];
    } else {
      var style = document.createElement("style");
      style.textContent = CSS;
      root.appendChild(style);
    }
    var shell = document.createElement("div");
    shell.innerHTML = HTML;
    root.appendChild(shell);
    function $(id) { return root.getElementById(id); }
    var panel = $("tl-panel"), openButton = $("tl-open"), log = $("tl-log"), notice = $("tl-notice"), announce = $("tl-announce");
    var form = $("tl-form"), body = $("tl-body"), shot = $("tl-shot");
    var socket = null, ticket = null, greeted = false, seen = Object.create(null), queue = [], retry = 1000, unread = 0;

    say = function (text) { notice.textContent = text || ""; };
    function stored() { try { return localStorage.getItem(STORE) || ""; } catch (e) { return ""; } }
    function store(token) { try { if (token) localStorage.setItem(STORE, token); else localStorage.removeItem(STORE); } catch (e) { /* private mode */ } }

    function show(message) {
      var id = message.from + ":" + message.id;
      if (seen[id]) return;
      seen[id] = true;
      var item = document.createElement("li");
      item.className = message.from;
      var who = document.createElement("span");
      who.className = "who";
      who.textContent = message.from === "customer" ? "You" : message.author;
      item.appendChild(who);
      var files = "";
      for (var i = 0; i < message.attachments.length; i++) files += (i ? ", " : "") + message.attachments[i];
      item.appendChild(document.createTextNode(message.body + (files ? " [" + files + "]" : "")));
      log.appendChild(item);
      log.scrollTop = log.scrollHeight;
      if (panel.hidden && message.from !== "customer") {
        unread += 1;  // the log is hidden with the panel: say it where a screen reader still hears it
        announce.textContent = "New reply from " + message.author;
        label();
      }
    }

    function label() {
      openButton.textContent = panel.hidden ? "Chat with support" + (unread ? " (" + unread + " new)" : "") : "Hide chat";
    }

    function connect() {
      socket = new WebSocket(origin.replace(/^http/, "ws") + "/ws/chat/");
      socket.onopen = guard(function () {
        retry = 1000;
        socket.send(JSON.stringify({ type: "hello", identity: data.identity || "", conversation: stored(),
          page_url: location.href, app_version: data.appVersion || "" }));
      });
      socket.onmessage = guard(function (e) {
        var m = JSON.parse(e.data);
        if (m.type === "welcome") {
          say(m.refused ? "We could not verify who you are, so this chat is anonymous." : "");
          if (!m.key && !m.verified) store("");
          ticket = m.upload_ticket;
          greeted = true;
          for (var i = 0; i < m.messages.length; i++) show(m.messages[i]);
          host.setAttribute("data-state", m.verified ? "verified" : (m.refused ? "refused" : "anonymous"));
          for (var j = 0; j < queue.length; j++) socket.send(queue[j]);
          queue = [];
        } else if (m.type === "opened") {
          ticket = m.upload_ticket;
          if (m.conversation) store(m.conversation);
        } else if (m.type === "message") {
          show(m.message);
        } else if (m.type === "error") {
          say(m.detail);
        }
      });
      socket.onclose = guard(function () { socket = null; greeted = false; if (!panel.hidden) setTimeout(guard(connect), retry); retry = Math.min(retry * 2, 30000); });
    }

    function send(payload) {
      var text = JSON.stringify(payload);
      if (socket && socket.readyState === 1 && greeted) socket.send(text); else queue[queue.length] = text;
    }

    function upload(file, text) {
      if (!ticket) { say("Send a message first, then attach a screenshot."); return; }
      var formData = new FormData();
      formData.append("ticket", ticket);
      formData.append("screenshot", file);
      formData.append("body", text);
      say("Uploading the screenshot…");
      fetch(origin + "/widget/screenshot", { method: "POST", body: formData, mode: "cors", credentials: "omit" })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
        .then(guard(function (r) { if (r.ok) { say(""); show(r.j.message); } else { say(r.j.detail); } }))
        .catch(guard(function () { say("The screenshot could not be sent."); }));
    }

    function toggle(open) {
      var hadFocus = Boolean(root.activeElement) && panel.contains(root.activeElement);
      panel.hidden = !open;
      openButton.setAttribute("aria-expanded", String(open));
      if (open) { unread = 0; announce.textContent = ""; }
      label();
      // Opening moves the focus into the panel; closing gives it back only if it was there.
      if (open) { if (!socket) connect(); body.focus(); } else if (hadFocus) { openButton.focus(); }
    }

    openButton.addEventListener("click", guard(function () { toggle(panel.hidden); }));
    $("tl-close").addEventListener("click", guard(function () { toggle(false); }));
    panel.addEventListener("keydown", guard(function (e) { if (e.key === "Escape") toggle(false); }));
    body.addEventListener("keydown", guard(function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit")); }
    }));
    form.addEventListener("submit", guard(function (e) {
      e.preventDefault();
      var text = body.value.trim();
      if (shot.files.length) { upload(shot.files[0], text); shot.value = ""; body.value = ""; return; }
      if (!text) return;
      send({ type: "message", body: text });
      body.value = "";
    }));
    setInterval(guard(function () { if (socket && socket.readyState === 1) socket.send('{"type":"ping"}'); }), 30000);
    window.TierlineChat = { open: guard(function () { toggle(true); }), close: guard(function () { toggle(false); }) };
    (document.body || document.documentElement).appendChild(host);
  }
})();
