// Sortable tables for report pages: no dependencies, no inline code (the page's CSP forbids it).
// A header's <th data-type="number|text"> says how its cells' data-sort values compare; empty
// values always sort last. Selecting the same header again reverses the order.
"use strict";

(function () {
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function keyOf(row, column, numeric) {
    var cell = row.cells[column];
    if (!cell) return null;
    var raw = cell.getAttribute("data-sort");
    if (raw === null) raw = cell.textContent.trim();
    if (raw === "") return null;
    if (!numeric) return raw;
    var n = Number(raw);
    return isNaN(n) ? null : n;
  }

  function sortBody(body, column, numeric, descending) {
    var entries = Array.prototype.map.call(body.rows, function (row, index) {
      return { row: row, key: keyOf(row, column, numeric), index: index };
    });
    entries.sort(function (a, b) {
      if (a.key === null || b.key === null) {
        if (a.key === b.key) return a.index - b.index;
        return a.key === null ? 1 : -1;
      }
      var order = numeric ? a.key - b.key : collator.compare(a.key, b.key);
      if (descending) order = -order;
      return order || a.index - b.index;
    });
    var fragment = document.createDocumentFragment();
    entries.forEach(function (entry) { fragment.appendChild(entry.row); });
    body.appendChild(fragment);
  }

  function makeSortable(table) {
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var status = document.getElementById("sort-status");
    headers.forEach(function (th, column) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var descending = th.getAttribute("aria-sort") === "ascending";
        headers.forEach(function (other) {
          if (other.hasAttribute("aria-sort")) other.setAttribute("aria-sort", "none");
        });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        Array.prototype.forEach.call(table.tBodies, function (body) {
          sortBody(body, column, th.getAttribute("data-type") === "number", descending);
        });
        if (status) {
          status.textContent = "Sorted by " + button.textContent + ", " + (descending ? "descending." : "ascending.");
        }
      });
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
