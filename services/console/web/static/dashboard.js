// Draws the dashboard's charts with ECharts from the JSON the page embeds (#dashboard-charts).
// No inline script: the page can run under a strict Content-Security-Policy. Every chart has the
// same figures as the table beside it, so the page is complete without JavaScript.
(function () {
  "use strict";

  function percentLabel(value) {
    return value === null || value === undefined ? "无" : (value * 100).toFixed(2) + "%";
  }

  // The tooltip as DOM nodes, not an HTML string: ECharts' own markup carries style attributes,
  // which the console's Content-Security-Policy refuses. Styles set through the CSSOM (the
  // marker's colour) are not inline markup and pass.
  function tooltip(params, percent) {
    var items = Array.isArray(params) ? params : [params];
    var box = document.createElement("div");
    if (items.length > 0) {
      var title = document.createElement("div");
      title.className = "chart-tip-title";
      title.textContent = items[0].axisValueLabel || items[0].name || "";
      box.appendChild(title);
    }
    items.forEach(function (p) {
      var row = document.createElement("div");
      var marker = document.createElement("span");
      marker.className = "chart-tip-marker";
      marker.style.backgroundColor = p.color;
      var value = p.value === null || p.value === undefined ? "无" : p.value;
      row.appendChild(marker);
      row.appendChild(document.createTextNode(p.seriesName + "：" + (percent ? percentLabel(p.value) : value)));
      box.appendChild(row);
    });
    return box;
  }

  function option(chart) {
    var percent = chart.percent;
    var series = chart.series.map(function (s) {
      return {
        name: s.name,
        type: chart.kind,
        stack: chart.stack ? "total" : undefined,
        data: s.data,
        connectNulls: false,
        label: chart.kind === "bar" && !chart.stack ? {
          show: true,
          position: "top",
          formatter: function (p) { return percent ? percentLabel(p.value) : p.value; }
        } : undefined
      };
    });
    return {
      aria: { enabled: true },
      animation: false,
      tooltip: {
        trigger: "axis",
        formatter: function (params) { return tooltip(params, percent); }
      },
      legend: { type: "scroll", top: 0 },
      grid: { left: 48, right: 16, top: 40, bottom: 48, containLabel: true },
      xAxis: { type: "category", data: chart.categories, axisLabel: { interval: "auto", rotate: chart.categories.length > 8 ? 30 : 0 } },
      yAxis: {
        type: "value",
        minInterval: percent ? undefined : 1,
        max: percent ? 1 : undefined,
        axisLabel: { formatter: function (v) { return percent ? Math.round(v * 100) + "%" : v; } }
      },
      series: series
    };
  }

  function draw() {
    var source = document.getElementById("dashboard-charts");
    if (!source || typeof window.echarts === "undefined") {
      return; // no charts without the library: the tables still carry every figure
    }
    var charts = JSON.parse(source.textContent || "[]");
    var drawn = [];
    charts.forEach(function (chart) {
      var holder = document.querySelector('[data-chart="' + chart.table + '"]');
      if (!holder || chart.categories.length === 0) {
        return;
      }
      holder.style.height = "320px";
      var instance = window.echarts.init(holder, null, { renderer: "svg", locale: "ZH" });
      instance.setOption(option(chart));
      drawn.push(instance);
    });
    window.addEventListener("resize", function () {
      drawn.forEach(function (instance) { instance.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
