// Search loads when it is needed: the first time the reader opens search (a tap on the magnifier, the focus in
// the search box, the "/" key, or an address with ?q=), this script tells the page's search worker, which then
// loads the index (calcguide/search_worker.js). Until then no page loads any index: a first view stays light.
// The worker and this script meet on a BroadcastChannel named after the language site (calcguide/search.py,
// CHANNEL); the worker says when it starts, in case the reader opened search before it listened.
(function () {
  var toggle = document.querySelector("[data-md-toggle=search]");
  var config = document.getElementById("__config");
  if (!toggle || !config || typeof BroadcastChannel !== "function") return;  // without it the worker loads at once
  var settings = JSON.parse(config.textContent);
  var site = new URL(settings.base, location.href).href.replace(/\/?$/, "/");
  var channel = new BroadcastChannel("calcguide-search " + site);
  var opened = false;
  var open = function () {
    channel.postMessage({ open: true, options: { suggest: settings.features.indexOf("search.suggest") >= 0 } });
  };
  toggle.addEventListener("change", function () {
    if (toggle.checked && !opened) {
      opened = true;
      open();
    }
  });
  channel.onmessage = function (event) {
    if (event.data && event.data.started && opened) open();
  };
  if (toggle.checked) {  // opened before this script ran (?q= in the address)
    opened = true;
    open();
  }
})();
