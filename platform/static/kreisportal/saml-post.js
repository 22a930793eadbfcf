// The identity provider's answer goes back to the portal by itself, as a real IdP's does
// (SAML HTTP-POST binding); the "Weiter zum Portal" button stays for browsers without
// JavaScript. An external file, so that the strict CSP (no inline script) holds.
(function () {
  "use strict";
  var form = document.querySelector("form[data-auto-submit]");
  if (form) { form.submit(); }
})();
