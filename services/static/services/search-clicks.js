// Counts that a search's results page led to a click on a result, for the editors' "no click"
// list (services.views.search_click). Sends only the normalised query and the clicked service's
// key, as a POST beacon that does not delay the navigation. Without JavaScript nothing is counted.
(function () {
  "use strict";
  var list = document.querySelector("[data-search-click-url]");
  if (!list || !navigator.sendBeacon) {
    return;
  }
  var url = list.getAttribute("data-search-click-url");
  var query = list.getAttribute("data-search-query");
  var sent = false;
  function count(event) {
    var link = event.target.closest && event.target.closest("a[data-leika-key]");
    if (!link || sent || (event.type === "auxclick" && event.button !== 1)) {
      return;
    }
    sent = true; // one count per results page
    var body = new URLSearchParams();
    body.set("q", query);
    body.set("leistung", link.getAttribute("data-leika-key"));
    navigator.sendBeacon(url, body);
  }
  list.addEventListener("click", count);
  list.addEventListener("auxclick", count);
})();
