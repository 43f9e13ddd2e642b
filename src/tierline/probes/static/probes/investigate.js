// The issue page's "Investigate" panel: hits arrive live (long polls of the probe-hits endpoint
// with the session cookie), statuses per agent instance refresh, and the kind picks which fields
// of the form apply. The page works without it; this only adds what arrives later.
// The captured-value tree mirrors templatetags/_captured.py; keep the two alike.
(function () {
  "use strict";
  var panel = document.querySelector("section.investigate[data-hits-url]");
  if (!panel) return;
  var list = panel.querySelector("ol.probe-hits");
  var status = panel.querySelector(".hits-status");
  var lastId = parseInt(panel.getAttribute("data-last-id") || "0", 10);
  var retry = 1000;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function note(value) {
    var notes = [];
    if ("size" in value && ("items" in value || "entries" in value || value.truncated)) notes.push("size " + value.size);
    if (value.truncated) notes.push("truncated");
    return notes.length ? " (" + notes.join(", ") + ")" : "";
  }

  function scalar(value) {
    if (value.redacted) {
      var r = el("span", "redacted", "[redacted" + ("size" in value ? ", " + value.size + " characters" : "") + "]");
      r.title = "hidden by the agent";
      return [r];
    }
    if ("notCapturedReason" in value) return [el("span", "not-captured", "not captured: " + value.notCapturedReason)];
    var shown = value.value;
    var text = typeof shown === "string" ? "'" + shown + "'" : shown === null || shown === undefined ? "None" : String(shown);
    return [el("span", "value", text), document.createTextNode(note(value))];
  }

  function key(k) {
    if (k && typeof k === "object") {
      var shown = "value" in k ? k.value : k.type;
      return typeof shown === "string" ? "'" + shown + "'" : String(shown);
    }
    return String(k);
  }

  function children(value) {
    if (value.fields && typeof value.fields === "object") return Object.keys(value.fields).map(function (k) { return [k, value.fields[k]]; });
    if (Array.isArray(value.entries)) return value.entries.filter(function (p) { return Array.isArray(p) && p.length === 2; })
      .map(function (p) { return [key(p[0]), p[1]]; });
    if (Array.isArray(value.items)) return value.items.map(function (item, i) { return ["[" + i + "]", item]; });
    return [];
  }

  function node(name, value) {
    var li = el("li");
    if (!value || typeof value !== "object") {
      li.append(el("span", "name", name), " = ", el("span", "value", value));
      return li;
    }
    var nested = "fields" in value || "entries" in value || "items" in value;
    if (!nested || value.redacted) {
      li.append(el("span", "name", name), " ", el("span", "type", value.type || ""), " = ");
      li.append.apply(li, scalar(value));
      return li;
    }
    var details = el("details"), summary = el("summary");
    summary.append(el("span", "name", name), " ", el("span", "type", value.type || ""), note(value));
    details.append(summary, tree(children(value)));
    li.append(details);
    return li;
  }

  function tree(pairs) {
    var ul = el("ul", "captured");
    pairs.forEach(function (pair) { ul.append(node(pair[0], pair[1])); });
    return ul;
  }

  function values(heading, object) {
    var wrap = document.createDocumentFragment();
    wrap.append(el("h4", null, heading));
    var pairs = object ? Object.keys(object).map(function (k) { return [k, object[k]]; }) : [];
    wrap.append(pairs.length ? tree(pairs) : el("p", "empty", "none"));
    return wrap;
  }

  function snapshot(hit) {
    var snap = hit.snapshot || {};
    var details = el("details", "snapshot");
    details.append(el("summary", null, "Snapshot at " + (hit.location || hit.probe)));
    details.append(el("h4", null, "Stack"));
    var stack = el("ol", "stack");
    (snap.stack || []).forEach(function (frame) {
      var li = el("li");
      li.append(el("code", null, frame.function), " " + frame.file + ":" + frame.line);
      if (frame.locals) {
        var d = el("details");
        d.append(el("summary", null, "locals"), tree(Object.keys(frame.locals).map(function (k) { return [k, frame.locals[k]]; })));
        li.append(d);
      }
      stack.append(li);
    });
    details.append(stack, values("Arguments", snap.arguments), values("Locals", snap.locals));
    if (snap.exception) details.append(values("Exception", { exception: snap.exception }));
    else if (snap["return"]) details.append(values("Return value", { "return": snap["return"] }));
    if (snap.duration_ms !== undefined) details.append(el("p", null, "Took " + snap.duration_ms + " ms"));
    return details;
  }

  function metricText(m) {
    var parts = [(m.name || "") + " " + (m.metric_type || ""), "count " + m.count];
    ["sum", "value", "min", "max"].forEach(function (f) { if (m[f] !== undefined && m[f] !== null) parts.push(f + " " + m[f]); });
    return parts.join(", ");
  }

  // A metric probe's chart gets each interval as it arrives, scaled as tierline/charts/panels.py scales it.
  function metricValue(m) {
    var kind = m.metric_type || "count";
    if (kind === "gauge") return m.value;
    if (kind === "histogram" || kind === "duration") return m.count && m.sum !== undefined && m.sum !== null ? m.sum / m.count : null;
    return m.sum !== undefined && m.sum !== null ? m.sum : m.count;
  }

  function addToChart(hit) {
    var m = hit.metric || {};
    var figure = panel.querySelector('figure.probe-chart[data-probe="' + hit.probe + '"]');
    var value = metricValue(m);
    if (!figure || value === null || value === undefined || m.end === undefined) return;
    var series = JSON.parse(figure.getAttribute("data-series") || "[]");
    series.push([Number(m.end), Number(value)]);
    series.sort(function (a, b) { return a[0] - b[0]; });
    figure.setAttribute("data-series", JSON.stringify(series));
    if (series.length < 2) return;
    var width = Number(figure.getAttribute("data-width")), height = Number(figure.getAttribute("data-height")), pad = 8;
    var values = series.map(function (p) { return p[1]; });
    var lo = Math.min(0, Math.min.apply(null, values)), hi = Math.max.apply(null, values) * 1.05 || 1.0;
    var t0 = series[0][0], span = Math.max(series[series.length - 1][0] - t0, 1.0);
    var points = series.map(function (p) {
      var x = pad + (p[0] - t0) / span * (width - 2 * pad);
      var y = hi <= lo ? height / 2 : height - pad - (p[1] - lo) / (hi - lo) * (height - 2 * pad);
      return x.toFixed(1) + "," + y.toFixed(1);
    });
    figure.querySelector("polyline").setAttribute("points", points.join(" "));
    var fmt = function (v) { return String(Number(v.toFixed(3))); };
    figure.querySelector("figcaption").textContent = figure.querySelector("figcaption").getAttribute("data-title") +
      ": from " + fmt(Math.min.apply(null, values)) + " to " + fmt(Math.max.apply(null, values)) + " over " + series.length + " intervals.";
  }

  function render(hit) {
    var li = el("li", "hit hit-" + hit.kind);
    li.setAttribute("data-hit-id", hit.id);
    var meta = el("p", "meta");
    var when = el("time", null, (hit.captured_at || "").replace("T", " ").slice(0, 19));
    when.setAttribute("datetime", hit.captured_at || "");
    var ctx = hit.context || {};
    meta.append(when, " " + hit.probe + " on " + (hit.host || hit.instance_id || "?"));
    if (ctx.organization || ctx.user) meta.append(" for " + [ctx.organization, ctx.user].filter(Boolean).join(" / "));
    li.append(meta);
    if (hit.kind === "log") li.append(el("p", "message", hit.message));
    else if (hit.kind === "snapshot") li.append(snapshot(hit));
    else if (hit.kind === "metric") li.append(el("p", "metric", metricText(hit.metric || {})));
    else if (hit.record) li.append(el("p", "record", hit.record.level + " " + hit.record.logger + ": " + hit.record.message));
    return li;
  }

  function poll() {
    fetch(panel.getAttribute("data-hits-url") + "?after=" + lastId + "&wait=20", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (body) {
        retry = 1000;
        var hits = body.hits || [];
        hits.forEach(function (hit) {
          if (list.querySelector('[data-hit-id="' + hit.id + '"]')) return;
          list.prepend(render(hit));
          if (hit.kind === "metric") addToChart(hit);
        });
        if (body.last_id) lastId = Math.max(lastId, body.last_id);
        if (hits.length) {
          status.textContent = hits.length === 1 ? "1 new hit" : hits.length + " new hits";
          var empty = panel.querySelector(".no-hits");
          if (empty) empty.remove();
          refreshStatuses();
        }
        poll();
      })
      .catch(function () {
        status.textContent = "Waiting for hits: could not reach the server, retrying.";
        setTimeout(poll, retry);
        retry = Math.min(retry * 2, 30000);
      });
  }

  function refreshStatuses() {
    var url = panel.getAttribute("data-probes-url");
    if (!url || !panel.querySelector("li.probe")) return;
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (probes) {
        probes.forEach(function (probe) {
          var item = panel.querySelector('li.probe[data-probe-id="' + probe.id + '"]');
          if (!item) return;
          var hits = item.querySelector(".probe-hit-count");
          if (hits) hits.textContent = probe.hits;
          var ul = item.querySelector("ul.statuses");
          var fresh = el("ul", "statuses");
          fresh.setAttribute("aria-label", ul.getAttribute("aria-label"));
          (probe.statuses || []).forEach(function (s) {
            var li = el("li", "status status-" + s.status);
            li.append((s.host || s.instance_id) + ": ", el("strong", null, s.status));
            if (s.message) li.append(" — ", el("span", "message", s.message));
            li.append(", hits: " + s.hits);
            fresh.append(li);
          });
          if (!probe.statuses || !probe.statuses.length) fresh.append(el("li", "status", "no instance has reported yet"));
          ul.replaceWith(fresh);
        });
      })
      .catch(function () {});
  }

  var kind = panel.querySelector("select[name=kind]");
  function showKindFields() {
    panel.querySelectorAll("[data-kinds]").forEach(function (group) {
      group.hidden = group.getAttribute("data-kinds").split(" ").indexOf(kind.value) < 0;
    });
  }
  if (kind) { kind.addEventListener("change", showKindFields); showKindFields(); }

  poll();
  setInterval(refreshStatuses, 3000);
})();
