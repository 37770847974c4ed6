/* The guide's search worker. calcguide/search.py writes it into each language's site as
 * assets/javascripts/workers/calcguide-search.js, after one line that sets CALCGUIDE_SEARCH (see there), and
 * templates/theme/main.html points Material's __config.search at it, so the page starts this worker instead of
 * Material's. It sits between the page and Material's own worker, unchanged, speaking Material's message protocol
 * both ways (mkdocs-material#1483: a custom worker that "adheres to the message structure"):
 *
 * - load, when the reader first opens search: the page's script (docs/assets/javascripts/search-open.js) says so on
 *   a BroadcastChannel named after the language site; only then does this worker load Material's worker and the
 *   index (search/search_index.js, the one index file of the site), and hand the index to Material's worker as the
 *   page would (SETUP). Material's page code loads no index of its own (templates/theme/partials/search.html says
 *   why), so a page's first view carries none;
 * - setup: the index gets the fields that MkDocs does not write (CalcguideSearch.setUp);
 * - query (page -> worker): each word typed becomes the stems of the index it may mean (prefixes while typing,
 *   a stem the word runs past, the closest stems of a mistyped word, a glossary abbreviation as written);
 * - result (worker -> page): the words a result misses are named as typed, previews are one sentence.
 * The query side is search_query.js (CalcguideSearch), written into the same file before this script.
 *
 * Runs in a Web Worker or, from file://, in the iframe of the iframe-worker shim, whose importScripts is
 * asynchronous (a promise): messages wait in a queue until the index is set up.
 */
(function (data, query) {
  "use strict"

  /* Material's SearchMessageType (integrations/search/worker/message): the protocol this worker keeps */
  var SETUP = 0, QUERY = 2, RESULT = 3

  var answering = []   /* per query handed to Material's worker and not yet answered: its words */
  var state = "idle"   /* idle, then loading once the reader opens search, then ready */
  var waiting = [], forwarding = false

  /* Where this script is: a worker's own address, or from file:// the <script> the shim's iframe runs */
  var here = typeof document !== "undefined" && document.currentScript ? document.currentScript.src : self.location.href
  var site = new URL(data.site, here).href

  /* Registered before Material's listener, so every message from the page comes here first; it is handed on
   * to Material's as a new event, changed where needed, once the index is set up. */
  self.addEventListener("message", function (event) {
    if (forwarding) return
    event.stopImmediatePropagation()
    waiting.push(event.data)
    if (state === "ready") release()
  })

  function forward(message) {
    if (message && message.type === SETUP)
      try {
        query.setUp(message.data)
      } catch (error) {
        console.error("calcguide search: index set up without our fields", error)
      }
    if (message && message.type === QUERY) {
      var rewritten = [message.data, []]
      try {
        if (typeof message.data === "string") rewritten = query.rewrite(message.data)
      } catch (error) {
        console.error("calcguide search: query passed on as typed", error)  /* Material's search still answers */
      }
      answering.push(rewritten[1])
      message = { type: QUERY, data: rewritten[0] }
    }
    forwarding = true
    try {
      self.dispatchEvent(new MessageEvent("message", { data: message }))
    } finally {
      forwarding = false
    }
  }

  /* Material's worker answers through the global postMessage (the shim's, from file://) */
  var post = self.postMessage
  self.postMessage = function (message) {
    if (message && message.type === RESULT)
      try {
        query.answer(message.data, answering.shift() || [])
      } catch (error) {
        console.error("calcguide search: result passed on as Material made it", error)
      }
    return post.apply(self, arguments)
  }

  function release() {
    while (waiting.length) forward(waiting.shift())
  }

  /* Material's worker and the index, then the index handed to Material's worker as its page would hand it */
  function load(options) {
    if (state !== "idle") return
    state = "loading"
    var loading = self.importScripts(new URL(data.worker, here).href, new URL(data.index, here).href)
    var setUp = function () {
      var index = self.__index
      state = "ready"
      forward({ type: SETUP, data: { config: index.config, docs: index.docs, calcguide: index.calcguide,
                                     options: { suggest: !!(options && options.suggest) } } })
      release()
    }
    if (loading && typeof loading.then === "function") loading.then(setUp)
    else setUp()
  }

  /* The page says when the reader first opens search; it may have said so before this worker listened, so the
   * worker says when it starts, and the page then says it again. */
  if (typeof BroadcastChannel === "function") {
    var channel = new BroadcastChannel(data.channel + site)
    channel.onmessage = function (event) {
      if (event.data && event.data.open) load(event.data.options)
    }
    channel.postMessage({ started: true })
  } else {
    load({})  /* no way to hear the page: load at once, as Material does */
  }
})(self.CALCGUIDE_SEARCH, self.CalcguideSearch);
