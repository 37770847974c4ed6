// A citation [n] shows its reference where the reader is: as a tooltip on hover and keyboard focus, and as a
// popover on tap (a tap does not leave the page; the popover links to the reference list). The text is the
// link's data-cg-ref attribute (calcguide/render.py), set with textContent, never as HTML. An external file,
// so that the Content-Security-Policy can forbid inline scripts; no request of its own.
(function () {
  var links = document.querySelectorAll("a.cite[data-cg-ref]");
  if (!links.length) return;
  // The link's words come from templates/strings.yml, through the page (templates/theme/main.html).
  var words = document.querySelector("[data-cg-reference-list]");
  var bubble = document.createElement("div");
  bubble.className = "cg-refpop";
  bubble.id = "cg-refpop";
  bubble.setAttribute("role", "tooltip");
  bubble.hidden = true;
  var text = document.createElement("span");
  var more = document.createElement("a");
  more.className = "cg-refpop__more";
  more.textContent = words ? words.getAttribute("data-cg-reference-list") : "";
  // A real address from the start (a link without href is not a link to crawlers or Lighthouse); show() sets the
  // one of the citation shown.
  more.setAttribute("href", links[0].getAttribute("href"));
  bubble.appendChild(text);
  bubble.appendChild(more);
  document.body.appendChild(bubble);

  var current = null, pinned = false, lastPointer = "mouse";

  function show(link, pin) {
    if (current && current !== link) current.removeAttribute("aria-describedby");
    current = link;
    pinned = pin;
    text.textContent = link.getAttribute("data-cg-ref");
    more.setAttribute("href", link.getAttribute("href"));
    more.hidden = !pin;
    bubble.hidden = false;
    link.setAttribute("aria-describedby", bubble.id);
    var box = link.getBoundingClientRect();
    var width = Math.min(352, document.documentElement.clientWidth - 16);
    bubble.style.width = width + "px";
    var left = Math.max(8, Math.min(box.left + window.scrollX - width / 2, document.documentElement.clientWidth - width - 8));
    bubble.style.left = left + "px";
    bubble.style.top = (box.bottom + window.scrollY + 6) + "px";
  }

  function hide() {
    if (current) current.removeAttribute("aria-describedby");
    current = null;
    pinned = false;
    bubble.hidden = true;
  }

  document.addEventListener("pointerdown", function (event) { lastPointer = event.pointerType || "mouse"; }, true);
  links.forEach(function (link) {
    link.addEventListener("mouseenter", function () { if (!pinned) show(link, false); });
    link.addEventListener("mouseleave", function () { if (!pinned) hide(); });
    link.addEventListener("focus", function () { if (!pinned) show(link, false); });
    link.addEventListener("blur", function (event) { if (!pinned && event.relatedTarget !== more) hide(); });
    link.addEventListener("click", function (event) {
      // A tap shows the reference in place; a mouse click or the Enter key follows the link as before.
      if (lastPointer !== "touch" && lastPointer !== "pen") return;
      event.preventDefault();
      if (pinned && current === link) hide(); else show(link, true);
    });
  });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape" && current) hide(); });
  document.addEventListener("click", function (event) {
    if (pinned && !bubble.contains(event.target) && !(current && current.contains(event.target))) hide();
  });
})();
