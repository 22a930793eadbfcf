/* Live preview of the branding form (cms.branding.BrandingPreviewPanel). No framework: reads the form's
   fields on every change and sets the preview's custom properties, classes, logo and texts.
   Shows the WCAG contrast of both colours on white as the server computes it; the server still
   refuses a pair below the minimum when the form is saved. */
(function () {
  "use strict";
  var HEX = /^#[0-9a-fA-F]{6}$/;

  function luminance(hex) {
    var channels = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  function contrastOnWhite(hex) {
    return 1.05 / (luminance(hex) + 0.05);
  }

  function setUp(preview) {
    var form = preview.closest("form") || document;
    var field = function (name) { return form.querySelector("[name='" + name + "']"); };
    var fonts = JSON.parse(preview.dataset.fonts || "{}");
    var minimum = parseFloat(preview.dataset.minimum || "4.5");
    var page = preview.querySelector("[data-preview-page]");
    var logo = preview.querySelector("[data-preview-logo]");
    var footer = preview.querySelector("[data-preview-footer]");

    function showContrast(kind, colour, what) {
      var item = preview.querySelector("[data-preview-contrast='" + kind + "']");
      if (!item) return;
      if (!HEX.test(colour)) { item.textContent = ""; return; }
      var ratio = contrastOnWhite(colour);
      var ok = ratio >= minimum;
      item.textContent = what + ": " + ratio.toFixed(2).replace(".", ",") + ":1 – " +
        (ok ? preview.dataset.textOk : preview.dataset.textLow);
      item.classList.toggle("is-low", !ok);
    }

    function update() {
      var primary = (field("primary_colour") || {}).value || "";
      var accent = (field("accent_colour") || {}).value || "";
      if (HEX.test(primary)) page.style.setProperty("--preview-primary", primary);
      if (HEX.test(accent)) page.style.setProperty("--preview-accent", accent);
      showContrast("primary", primary, preview.dataset.textHeader);
      showContrast("accent", accent, preview.dataset.textAccent);
      var font = field("font");
      if (font && fonts[font.value]) page.style.setProperty("--preview-font", fonts[font.value]);
      var variant = field("header_variant");
      if (variant) {
        page.classList.remove("header-bar", "header-centered", "header-split");
        page.classList.add("header-" + variant.value);
      }
      var text = field("footer_text");
      if (text && footer) footer.textContent = text.value;
      var upload = field("logo_upload");
      if (upload && upload.files && upload.files[0] && logo) {
        // the IT team's form (cms.branding_admin) takes a new logo as a file
        logo.src = URL.createObjectURL(upload.files[0]);
        logo.hidden = false;
        return;
      }
      var chosen = field("logo");
      var chooser = chosen && document.getElementById(chosen.id + "-chooser");
      var image = chooser && chooser.querySelector("[data-chooser-image]");
      if (chosen && logo) {
        var src = chosen.value && image ? image.getAttribute("src") : "";
        if (src) { logo.src = src; logo.hidden = false; } else { logo.hidden = true; }
      }
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    // the image chooser sets its hidden input and preview image from a modal, without events
    var chooser = field("logo") && document.getElementById(field("logo").id + "-chooser");
    if (chooser && window.MutationObserver) {
      new MutationObserver(update).observe(chooser, { attributes: true, subtree: true, childList: true });
    }
    update();
  }

  function start() {
    document.querySelectorAll("[data-branding-preview]").forEach(setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
