// The Print button (templates/theme/main.html) and what printing needs that CSS cannot do.
// An external file rather than an onclick attribute, so that a Content-Security-Policy may forbid inline scripts.
(function () {
  // The button is in the page hidden: without this script it could do nothing.
  document.querySelectorAll("[data-cg-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // Collapsed <details> print open (print.css does it where the browser supports ::details-content; this
  // covers the others), and close again afterwards as the reader left them.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      details.open = true;
      opened.push(details);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) { details.open = false; });
    opened = [];
  });
})();
