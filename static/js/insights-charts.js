/* Insights charts: draws every <canvas data-chart="<id>"> from the JSON in <script id="<id>"> (Django's
   json_script), with the vendored Chart.js (static/vendor/chartjs). Redraws after htmx swaps in new content.
   Also the period picker: the dates are sent only for a custom period, and touching a date picks "Custom". */
(function () {
  "use strict";

  var PALETTE = ["#0f766e", "#2563eb", "#d97706", "#7c3aed", "#dc2626", "#0891b2", "#65a30d", "#db2777", "#475569"];

  function money(value, currency, compact) {
    try {
      return new Intl.NumberFormat(undefined, {
        style: "currency",
        currency: currency,
        notation: compact ? "compact" : "standard",
        maximumFractionDigits: compact ? 1 : 0,
      }).format(value);
    } catch (e) {
      return Math.round(value).toLocaleString() + " " + currency;
    }
  }

  function number(value) {
    return Number(value).toLocaleString();
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || !window.Chart) return;
    var spec = JSON.parse(source.textContent);
    var previous = window.Chart.getChart(canvas);
    if (previous) previous.destroy();
    var doughnut = spec.type === "doughnut";
    var format = function (v) {
      return spec.money ? money(v, spec.currency, false) : number(v);
    };
    var datasets = spec.datasets.map(function (d, i) {
      var color = PALETTE[i % PALETTE.length];
      return {
        label: d.label,
        data: d.data,
        backgroundColor: doughnut ? spec.labels.map(function (_, j) { return PALETTE[j % PALETTE.length]; }) : color,
        borderColor: doughnut ? "#fff" : color,
        borderWidth: doughnut ? 2 : 0,
        borderRadius: doughnut ? 0 : 3,
        maxBarThickness: 48,
      };
    });
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      indexAxis: spec.horizontal ? "y" : "x",
      plugins: {
        legend: { display: doughnut || datasets.length > 1, position: "bottom", labels: { boxWidth: 12 } },
        tooltip: {
          callbacks: {
            label: function (ctx) {
              var v = doughnut ? ctx.parsed : ctx.parsed[spec.horizontal ? "x" : "y"];
              return (doughnut ? ctx.label : ctx.dataset.label) + ": " + format(v);
            },
          },
        },
      },
    };
    if (!doughnut) {
      var valueAxis = {
        beginAtZero: true,
        stacked: spec.stacked,
        ticks: {
          precision: 0,
          callback: function (v) { return spec.money ? money(v, spec.currency, true) : number(v); },
        },
      };
      var categoryAxis = { stacked: spec.stacked, ticks: { autoSkip: true, maxRotation: 0 }, grid: { display: false } };
      options.scales = spec.horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis };
    }
    new window.Chart(canvas, {
      type: doughnut ? "doughnut" : "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: options,
    });
  }

  function drawAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches("canvas[data-chart]")) draw(scope);
    scope.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  // --- The period picker ---------------------------------------------------------------------------------------
  // Touching a date picks "Custom" (its own listener runs before the form's change reaches htmx); a named period
  // leaves the dates out of the request, so the URL stays "?period=last_quarter".
  function periodPicker(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("select[data-period-select]").forEach(function (select) {
      if (select.dataset.ready) return;
      select.dataset.ready = "1";
      select.form.querySelectorAll("input[data-period-date]").forEach(function (input) {
        var custom = function () { select.value = "custom"; };
        input.addEventListener("focus", custom);
        input.addEventListener("input", custom);
        input.addEventListener("change", custom);
      });
    });
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.querySelector || !form.querySelector("select[data-period-select]")) return;
    if (form.querySelector("select[data-period-select]").value === "custom") return;
    if (event.detail.formData) {
      event.detail.formData.delete("start");
      event.detail.formData.delete("end");
    } else {
      delete event.detail.parameters.start;
      delete event.detail.parameters.end;
    }
  });

  function ready(root) {
    periodPicker(root);
    drawAll(root);
  }

  document.addEventListener("DOMContentLoaded", function () { ready(document); });
  document.addEventListener("htmx:load", function (event) { ready(event.detail.elt); });
  document.addEventListener("htmx:afterSwap", function () {
    // htmx:load covers new content; this catches canvases swapped in some other way that are still blank.
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (window.Chart && !window.Chart.getChart(canvas)) draw(canvas);
    });
  });
  document.addEventListener("htmx:historyRestore", function () { ready(document); });
})();
