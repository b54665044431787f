// abusedesk: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Language switch submits on change (a button is shown without JS).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });

  // Deadline countdowns tick every 30 seconds.
  function fmt(ms) {
    var s = Math.abs(ms) / 1000, d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600),
        m = Math.floor((s % 3600) / 60);
    return (d ? d + "d " : "") + (d || h ? h + "h " : "") + m + "m";
  }
  function tick() {
    document.querySelectorAll("time[data-deadline]").forEach(function (el) {
      var left = new Date(el.dataset.deadline) - new Date();
      el.classList.toggle("overdue", left <= 0);
      el.classList.toggle("soon", left > 0 && left < 4 * 3600 * 1000);
      el.textContent = left <= 0 ? "−" + fmt(left) : fmt(left);
    });
  }
  if (document.querySelector("time[data-deadline]")) { tick(); setInterval(tick, 30000); }

  // Tabs: sections become tabs; without JS they are all shown, one below the other.
  document.querySelectorAll("nav[data-tabs]").forEach(function (nav) {
    var links = Array.prototype.slice.call(nav.querySelectorAll("a[href^='#']"));
    var panels = links.map(function (a) { return document.querySelector(a.getAttribute("href")); });
    function show(i) {
      links.forEach(function (a, j) { a.setAttribute("aria-selected", i === j ? "true" : "false"); });
      panels.forEach(function (p, j) { if (p) { p.hidden = i !== j; } });
    }
    nav.setAttribute("role", "tablist");
    links.forEach(function (a, i) {
      a.setAttribute("role", "tab");
      a.addEventListener("click", function (e) { e.preventDefault(); show(i); history.replaceState(null, "", a.getAttribute("href")); });
    });
    // A form that came back with errors opens on its own tab: errors in a hidden tab go unseen.
    var withError = panels.findIndex(function (p) { return p && p.querySelector(".errorlist"); });
    var start = withError >= 0 ? withError
      : links.findIndex(function (a) { return a.getAttribute("href") === location.hash; });
    show(start < 0 ? 0 : start);
  });

  // Bulk selection: "select all" box.
  document.querySelectorAll("input[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      var name = box.dataset.selectName || "cases";
      box.closest("form").querySelectorAll("input[name='" + name + "']").forEach(function (c) { c.checked = box.checked; });
    });
  });

  // Charts: data comes from a JSON block (json_script), never from inline script.
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    if (typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ data: data.values, backgroundColor: "#1f5fbf" }] },
      options: { indexAxis: "y", maintainAspectRatio: false, plugins: { legend: { display: false } }, animation: false,
                 scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  });
})();
