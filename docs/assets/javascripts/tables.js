// Narrow screens show a table of three columns or more as one card per row (guide.css): each value needs the
// name of its column beside it, which CSS can only take from an attribute. An external file, for the CSP.
(function () {
  document.querySelectorAll(".md-typeset table:not([class])").forEach(function (table) {
    var header = table.tHead && table.tHead.rows[0];
    if (!header || header.cells.length < 3) return;
    var names = Array.prototype.map.call(header.cells, function (cell) { return cell.textContent.trim(); });
    table.classList.add("cg-cards");
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, column) {
          if (names[column]) cell.setAttribute("data-label", names[column]);
        });
      });
    });
  });
})();
