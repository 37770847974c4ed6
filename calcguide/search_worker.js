/* Calcinosis Guide search worker. calcguide/search.py writes it into each language's site as
 * assets/javascripts/workers/calcguide-search.js, after one line that sets CALCGUIDE_SEARCH (see there), and
 * templates/theme/main.html points Material's __config.search at it, so the page starts this worker instead of
 * Material's. It loads Material's own worker, unchanged, from the same folder, and sits between it and the page,
 * speaking Material's message protocol both ways (mkdocs-material#1483: a custom worker that "adheres to the
 * message structure"):
 *
 * - setup (page -> worker): the index gets the fields that MkDocs does not write;
 * - query (page -> worker): each word typed becomes the stems of the index it may mean (prefixes while typing,
 *   a stem the word runs past, the closest stems of a mistyped word);
 * - result (worker -> page): the words a result misses are named as typed, previews are one sentence.
 * The query side is search_query.js (CalcguideSearch), written into the same file before this script.
 *
 * Runs in a Web Worker or, from file://, in the iframe of the iframe-worker shim, whose importScripts is
 * asynchronous: messages wait in a queue until Material's worker has loaded.
 */
(function (data, query) {
  "use strict"

  /* Material's SearchMessageType (integrations/search/worker/message): the protocol this worker keeps */
  var SETUP = 0, QUERY = 2, RESULT = 3

  var answering = []   /* per query handed to Material's worker and not yet answered: its words */
  var loaded = false, waiting = [], forwarding = false

  /* Registered before Material's listener, so every message from the page comes here first; it is handed on
   * to Material's as a new event, changed where needed. */
  self.addEventListener("message", function (event) {
    if (forwarding) return
    event.stopImmediatePropagation()
    var message = event.data
    if (message && message.type === SETUP)
      try {
        query.setUp(message.data)
      } catch (error) {
        console.error("calcguide search: index set up without our fields", error)
      }
    if (loaded) forward(message)
    else waiting.push(message)
  })

  function forward(message) {
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
    loaded = true
    while (waiting.length) forward(waiting.shift())
  }

  /* Material's worker, next to this one; from file:// this script runs as a <script> of the shim's iframe */
  var here = typeof document !== "undefined" && document.currentScript ? document.currentScript.src : self.location.href
  var loading = self.importScripts(new URL(data.worker, here).href)
  if (loading && typeof loading.then === "function") loading.then(release)
  else release()
})(self.CALCGUIDE_SEARCH, self.CalcguideSearch);
