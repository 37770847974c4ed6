// The colour-scheme toggle (templates/theme/partials/palette.html): a press flips the page between the light and
// the dark scheme and remembers the choice for every page of the guide; until the reader chooses, the page follows
// the system setting, also when it changes. The scheme at load is set earlier, by the inline script of
// templates/theme/partials/javascripts/palette.html (same key, same names).
(function () {
  var KEY = "calcguide.scheme";
  var button = document.querySelector("[data-cg-scheme-toggle]");
  if (!button) return;
  var light = button.getAttribute("data-cg-scheme-light");
  var dark = button.getAttribute("data-cg-scheme-dark");
  var system = window.matchMedia("(prefers-color-scheme: dark)");

  function chosen() {
    try { return window.localStorage.getItem(KEY); } catch (error) { return null; }  // storage may be refused
  }

  // The button names what a press will do: "Switch to dark mode" in the light scheme, and the reverse.
  function show(scheme) {
    document.body.setAttribute("data-md-color-scheme", scheme);
    var label = button.getAttribute(scheme === dark ? "data-cg-label-dark" : "data-cg-label-light");
    button.setAttribute("aria-label", label);
    button.title = label;
  }

  show(document.body.getAttribute("data-md-color-scheme") === dark ? dark : light);
  button.addEventListener("click", function () {
    var next = document.body.getAttribute("data-md-color-scheme") === dark ? light : dark;
    show(next);
    try { window.localStorage.setItem(KEY, next); } catch (error) { /* the choice lasts for this page only */ }
  });
  system.addEventListener("change", function (event) {
    if (chosen() !== light && chosen() !== dark) show(event.matches ? dark : light);
  });
})();
