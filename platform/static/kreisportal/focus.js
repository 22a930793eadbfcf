// Move the keyboard and screen-reader focus to what the page is about after a form was sent:
// the error summary after a validation error, the confirmation panel after submitting
// (GOV.UK's error summary and panel patterns). The element carries data-focus-on-load and
// tabindex="-1"; without JavaScript the page reads the same, from the top.
(function () {
  "use strict";
  var target = document.querySelector("[data-focus-on-load]");
  if (target) { target.focus(); }
  // links in the error summary: focus the field itself, not only scroll to it
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-error-summary] a[href^='#']") : null;
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) { event.preventDefault(); field.focus(); field.scrollIntoView({ block: "center" }); }
  });
})();
