// The waiting-room screen: refresh the called codes every 5 seconds without reloading.
(function () {
  "use strict";
  var table = document.querySelector("table.callboard");
  if (!table || !window.fetch) { return; }
  var body = table.querySelector("tbody");
  function cell(text) { var td = document.createElement("td"); td.textContent = text; return td; }
  function refresh() {
    fetch(table.getAttribute("data-source"), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var rows = document.createDocumentFragment();
        data.called.forEach(function (item) {
          var tr = document.createElement("tr");
          tr.appendChild(cell(item.code)); tr.appendChild(cell(String(item.counter)));
          tr.appendChild(cell(item.time)); rows.appendChild(tr);
        });
        if (!data.called.length) {
          var tr = document.createElement("tr"); var td = cell("Noch kein Aufruf.");
          td.colSpan = 3; tr.appendChild(td); rows.appendChild(tr);
        }
        body.replaceChildren(rows);
      })
      .catch(function () {});
  }
  window.setInterval(refresh, 5000);
})();
