/* Layout helpers, no dependency, CSP-clean (a static file, no inline code).
   1. The header's menu (<details id="nav-menu">) is open on wide screens, where its
      "Menu" summary is hidden; below 700 px it folds behind that button.
   2. Tables in a .table-wrap become stacked cards on a phone (CSS); each cell needs its
      column's name in data-label: templates may write it, this fills in the rest, also in
      the parts htmx swaps in. */
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 43.8rem)");
  function syncMenu() {
    var menu = document.getElementById("nav-menu");
    if (menu) { menu.open = wide.matches; }
  }
  syncMenu();
  if (wide.addEventListener) { wide.addEventListener("change", syncMenu); }

  function labelTables(root) {
    var tables = (root || document).querySelectorAll(".table-wrap table");
    Array.prototype.forEach.call(tables, function (table) {
      var heads = table.querySelectorAll("thead tr:last-child th");
      if (!heads.length) { return; }
      var names = Array.prototype.map.call(heads, function (th) {
        return th.textContent.replace(/\s+/g, " ").trim();
      });
      Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.children, function (cell) {
          if (!cell.hasAttribute("data-label") && names[column] !== undefined) {
            cell.setAttribute("data-label", names[column]);
          }
          column += cell.colSpan || 1;
        });
      });
    });
  }
  // A table wider than its box scrolls inside it: the box takes the keyboard focus (to
  // scroll with the arrow keys) and is named by the table's caption.
  function focusableScrollers() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-wrap"), function (box) {
      var scrolls = box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight;
      if (scrolls && !box.hasAttribute("tabindex")) {
        var caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (caption) { box.setAttribute("aria-label", caption.textContent.trim()); }
      }
    });
  }
  function update() { labelTables(document); focusableScrollers(); }
  document.addEventListener("DOMContentLoaded", update);
  document.addEventListener("htmx:load", update);
  document.addEventListener("toggle", focusableScrollers, true);  // a <details> opened
  window.addEventListener("resize", focusableScrollers);
  window.addEventListener("load", focusableScrollers);
})();
