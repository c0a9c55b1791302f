// Map tooltips (progressive enhancement of the server-rendered SVG maps, svgmap.py):
// hovering or focusing an area link inside figure.map shows its aria-label text in
// a polite live region, so the value is readable without the native <title> tooltip.
(() => {
  "use strict";
  const tooltipOf = (figure) => {
    let tip = figure.querySelector("p.map-tooltip");
    if (!tip) {
      tip = document.createElement("p");
      tip.className = "map-tooltip";
      tip.setAttribute("aria-live", "polite");
      figure.appendChild(tip);
    }
    return tip;
  };
  const show = (event) => {
    const target = event.target;
    if (!(target instanceof Element)) return;
    const link = target.closest("a.map-area");
    const figure = link && link.closest("figure.map");
    if (!figure) return;
    const text = link.getAttribute("aria-label") || "";
    const tip = tooltipOf(figure);
    if (tip.textContent !== text) tip.textContent = text;
  };
  const prepare = () => document.querySelectorAll("figure.map").forEach(tooltipOf);
  // The live region must exist before its first change, or it is not announced.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", prepare);
  } else {
    prepare();
  }
  document.addEventListener("mouseover", show);
  document.addEventListener("focusin", show);
})();
