// The KPI dashboard: reads /api/v1/kpis/... with the page's filters, fills the tables
// (text only, never HTML) and draws the charts with the vendored Chart.js.
(function () {
  "use strict";
  var root = document.getElementById("kpis");
  if (!root) { return; }
  var api = root.dataset.api, query = root.dataset.query;

  function url(endpoint, extra) {
    var q = [query, extra].filter(Boolean).join("&");
    return api + endpoint + "/" + (q ? "?" + q : "");
  }
  function get(endpoint) {
    return fetch(url(endpoint), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }
  function pick(row, path) {
    return path.split(".").reduce(function (v, k) { return v == null ? null : v[k]; }, row);
  }
  function show(value, path) {
    if (value == null) { return "–"; }
    if (path === "compliance_rate.value") { return (value * 100).toFixed(1) + " %"; }
    return String(value);
  }
  function text(id, value) { document.getElementById(id).textContent = value; }
  function pct(v) { return v == null ? "–" : (v * 100).toFixed(1) + " %"; }

  function table(section, rows) {
    var columns = section.dataset.columns.split(","), labels = section.dataset.labels.split("|");
    var t = document.createElement("table");
    t.className = "list";
    var head = t.createTHead().insertRow();
    columns.forEach(function (c, i) { var th = document.createElement("th"); th.textContent = labels[i] || c; head.appendChild(th); });
    var body = t.createTBody();
    if (!rows.length) {
      var cell = body.insertRow().insertCell();
      cell.colSpan = columns.length; cell.className = "empty"; cell.textContent = root.dataset.none;
    }
    rows.forEach(function (row) {
      var tr = body.insertRow();
      columns.forEach(function (c) { tr.insertCell().textContent = show(pick(row, c), c); });
    });
    section.appendChild(t);
    section.querySelector("a.csv").href = url(section.dataset.endpoint, "format=csv");
  }

  function chart(id, config) {
    if (typeof Chart === "undefined") { return; }
    config.options = Object.assign({responsive: true, maintainAspectRatio: false, animation: false}, config.options || {});
    new Chart(document.getElementById(id), config);
  }

  get("summary").then(function (s) {
    text("kpi-compliance", pct(s.compliance_rate.value));
    text("kpi-compliance-detail", s.compliance_rate.within + " / " + s.compliance_rate.decided);
    text("kpi-uptime", s.uptime_hours.median == null ? "–" : s.uptime_hours.median.toFixed(2));
    text("kpi-uptime-detail", "n = " + s.uptime_hours.n + ", p90 = " + show(s.uptime_hours.p90));
    text("kpi-forward", s.time_to_forward_hours.median == null ? "–" : s.time_to_forward_hours.median.toFixed(2));
    text("kpi-unmatched", pct(s.reports.unmatched_share));
    text("kpi-cases", s.cases.opened + " / " + s.cases.open);
  }).catch(function () { text("kpi-compliance", root.dataset.error); });

  document.querySelectorAll("section.kpi-table").forEach(function (section) {
    get(section.dataset.endpoint).then(function (data) {
      table(section, data.rows);
      var canvas = document.getElementById("chart-trend");
      if (section.dataset.endpoint === "trend") {
        chart("chart-trend", {type: "bar", data: {labels: data.rows.map(function (r) { return r.period; }), datasets: [
          {label: canvas.dataset.cases, data: data.rows.map(function (r) { return r.cases; }), yAxisID: "y"},
          {label: canvas.dataset.rate, type: "line", yAxisID: "y1",
           data: data.rows.map(function (r) { return r.compliance_rate.value == null ? null : r.compliance_rate.value * 100; })}
        ]}, options: {scales: {y: {beginAtZero: true}, y1: {position: "right", min: 0, max: 100}}}});
      } else if (section.dataset.endpoint === "by-entity") {
        chart("chart-entity", {type: "bar", data: {labels: data.rows.map(function (r) { return r.entity; }), datasets: [
          {label: canvas.dataset.rate, data: data.rows.map(function (r) { return r.compliance_rate.value == null ? null : r.compliance_rate.value * 100; })}
        ]}, options: {scales: {y: {min: 0, max: 100}}}});
      } else if (section.dataset.endpoint === "by-category") {
        chart("chart-category", {type: "bar", data: {labels: data.rows.map(function (r) { return r.category; }), datasets: [
          {label: canvas.dataset.uptime, data: data.rows.map(function (r) { return r.uptime_hours.median; })}
        ]}, options: {indexAxis: "y"}});
      }
    }).catch(function () {
      var p = document.createElement("p"); p.className = "muted"; p.textContent = root.dataset.error; section.appendChild(p);
    });
  });
})();
