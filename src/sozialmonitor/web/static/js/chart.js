/* Sozialmonitor charts. Each <script type="application/json" class="vega-spec"
   data-target="ID"> holds a Vega spec compiled on the server; it is drawn as SVG
   into <div id="ID" class="chart" role="img" aria-label="...">, which carries the
   accessible name (the table next to it is the alternative). Without vega the page
   keeps its tables. Expressions are evaluated by vega-interpreter (loaded before this
   file), not compiled with new Function, so the page's Content-Security-Policy needs
   no 'unsafe-eval'. Plain ES2017, no other library, nothing fetched. */
(function () {
  "use strict";
  const vega = window.vega;
  if (!vega || !vega.expressionInterpreter) return;

  if (document.documentElement.lang === "de") {
    // Specs carry config.locale too; this covers any spec that does not.
    vega.formatLocale({
      decimal: ",", thousands: ".", grouping: [3], currency: ["", "\u00a0€"]
    });
    vega.timeFormatLocale({
      dateTime: "%A, der %e. %B %Y, %X", date: "%d.%m.%Y", time: "%H:%M:%S",
      periods: ["AM", "PM"],
      days: ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag",
        "Samstag"],
      shortDays: ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
      months: ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli",
        "August", "September", "Oktober", "November", "Dezember"],
      shortMonths: ["Jan", "Feb", "Mrz", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep",
        "Okt", "Nov", "Dez"]
    });
  }

  async function draw(script) {
    const container = document.getElementById(script.dataset.target || "");
    if (!container) return;
    try {
      const spec = JSON.parse(script.textContent);
      const view = new vega.View(vega.parse(spec, null, {ast: true}), {
        expr: vega.expressionInterpreter,
        renderer: "svg", container: container, hover: true
      });
      await view.runAsync();
      const svg = container.querySelector("svg");
      if (svg) {
        // The container is the image and has the name; vega's own ARIA tree
        // inside a role="img" would only be noise for screen readers.
        svg.setAttribute("aria-hidden", "true");
        svg.setAttribute("focusable", "false");
        svg.style.maxWidth = "100%";
        svg.style.height = "auto";
      }
      container.hidden = false;
    } catch (error) {
      container.hidden = true;
      console.error("chart " + container.id + " not drawn:", error);
    }
  }

  function drawAll() {
    document.querySelectorAll(
      'script[type="application/json"].vega-spec[data-target]'
    ).forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
