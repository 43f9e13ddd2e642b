// The desk's live pages: the conversations queue refreshes its rows when a conversation changes and
// counts waiting time every second; an issue page's chat panel shows messages as they arrive.
(function () {
  "use strict";
  var table = document.getElementById("live-conversations");
  var panel = document.querySelector("section.conversation[data-issue]");
  if (!table && !panel) return;
  var status = document.getElementById("live-status");
  var retry = 1000;

  function duration(seconds) {
    if (seconds < 60) return seconds + " s";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min " + (seconds % 60) + " s";
    return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-waiting-since]").forEach(function (el) {
      var since = Date.parse(el.getAttribute("data-waiting-since"));
      if (!isNaN(since)) el.textContent = duration(Math.max(0, Math.round((now - since) / 1000)));
    });
  }

  function refreshRows() {
    fetch(table.getAttribute("data-rows-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { table.tBodies[0].innerHTML = html; tick(); })
      .catch(function () { if (status) status.textContent = "Could not refresh the list."; });
  }

  function showMessage(message) {
    var list = panel.querySelector(".live-messages");
    if (list.querySelector('[data-id="' + message.id + '"]')) return;
    var item = document.createElement("li");
    item.setAttribute("data-id", message.id);
    var who = document.createElement("strong");
    who.textContent = message.author + ": ";
    item.appendChild(who);
    item.appendChild(document.createTextNode(message.body));
    if (message.attachments.length) item.appendChild(document.createTextNode(" [" + message.attachments.join(", ") + "]"));
    list.appendChild(item);
  }

  function connect() {
    var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/desk/");
    socket.onopen = function () {
      retry = 1000;
      if (table) document.body.setAttribute("data-live", "on");
      if (panel) socket.send(JSON.stringify({ type: "watch", issue: panel.getAttribute("data-issue") }));
      if (table) refreshRows();
    };
    socket.onmessage = function (e) {
      var data = JSON.parse(e.data);
      if (data.type === "queue" && table) refreshRows();
      if (data.type === "message" && panel) showMessage(data.message);
      if (data.type === "watching") document.body.setAttribute("data-live", "on");
    };
    socket.onclose = function () {
      document.body.removeAttribute("data-live");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }

  if (table) setInterval(tick, 1000);
  tick();
  connect();
})();
