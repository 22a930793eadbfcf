// The order's status page follows the order by itself: every few seconds it asks the small
// status endpoint and, when the state changed, replaces the polite live region's content
// (screen readers announce it; nothing else on the page moves, no reload). It stops when the
// state will not change any more (delivered or refused); it asks less often the longer it
// waits (a clerk's review can take days).
// Without JavaScript the page offers a link to reload it.
(function () {
  "use strict";
  var region = document.getElementById("order-status");
  if (!region || !window.fetch) { return; }
  var source = region.getAttribute("data-status-source");
  var current = region.getAttribute("data-status");
  var delay = 2000;
  var waiting = ["awaiting_payment", "paid", "in_progress", "submitted"];
  if (waiting.indexOf(current) < 0) { return; }
  function poll() {
    fetch(source, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.status !== current) {
          current = data.status;
          region.setAttribute("data-status", current);
          region.innerHTML = data.html;  // rendered by the portal from its own template
          if (current !== "awaiting_payment") {
            var pay = document.querySelector("form[data-pay-form]");
            if (pay) { pay.remove(); }
          }
        }
        if (data && data.final) { return; }
        delay = Math.min(delay * 1.5, 15000);  // then every 15 seconds
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 15000); });
  }
  window.setTimeout(poll, delay);
})();
