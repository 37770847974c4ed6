/* Calcinosis Guide: prepended to Material's search worker by calcguide/search.py (see there for the whole story).
 *
 * Material puts a trailing wildcard on every word of a query, and lunr skips its stemmer for wildcard terms, so a
 * typed word only matched index terms it was a prefix of: "traitements" never met "traitement". Before the
 * worker reads a query, each plain word is replaced by what the index's own pipeline (stop-word filter, stemmer
 * of the site's language) makes of it, so the query and the index meet on the same stems. Material then adds
 * its wildcard as before, which keeps matching words still being typed; a stem of three letters or less is
 * matched exactly (`^1` tells Material to leave it alone), or an abbreviation like "sts" would match every
 * word that starts with "st". A query that uses lunr's own syntax (quotes, +, -, field:, ~, ^, *) is left as
 * typed. Results name the words they miss by the word typed, not its stem ("Missing: calciques", not "calciqu").
 * Runs in a Web Worker or, from file://, in the iframe of the iframe-worker shim: plain ES5, no imports.
 */
(function () {
  "use strict"
  var SETUP = 0, QUERY = 2, RESULT = 3       /* Material's SearchMessageType */
  var SHORTEST_PREFIX = 4
  var language = null
  var typed = {}                             /* stem → word typed, for the query being answered */

  function analyse(word) {
    var lunr = self.lunr
    var namespace = language.lang === "en" ? lunr : lunr[language.lang]
    var token = new lunr.Token(word.toLowerCase(), {})
    var steps = ["stopWordFilter", "stemmer"]
    for (var i = 0; i < steps.length && token; i++)
      if (language.pipeline.indexOf(steps[i]) >= 0 && namespace && namespace[steps[i]])
        token = namespace[steps[i]](token, 0, [token])
    return token ? token.toString() : ""
  }

  function rewrite(query) {
    if (!language || !self.lunr || /["*:^~]|(^|\s)[+-]/.test(query))
      return query
    var terms = []
    var words = query.split(language.separator)
    typed = {}
    for (var i = 0; i < words.length; i++) {
      if (!words[i]) continue
      var stem = analyse(words[i])
      if (!stem) continue
      terms.push(stem.length < SHORTEST_PREFIX ? stem + "^1" : stem)
      typed[stem] = words[i]
    }
    return terms.length ? terms.join(" ") : query
  }

  function relabelMissing(result) {
    var groups = (result && result.items) || []
    for (var g = 0; g < groups.length; g++)
      for (var i = 0; i < groups[g].length; i++) {
        var terms = groups[g][i].terms || {}
        for (var stem in terms)
          if (terms[stem] === false && typed.hasOwnProperty(stem) && typed[stem] !== stem) {
            terms[typed[stem]] = false
            delete terms[stem]
          }
      }
  }

  var post = self.postMessage
  self.postMessage = function (message) {
    if (message && message.type === RESULT) relabelMissing(message.data)
    return post.apply(self, arguments)
  }

  var listen = self.addEventListener
  self.addEventListener = function (type, listener, options) {
    if (type !== "message")
      return listen.call(self, type, listener, options)
    return listen.call(self, type, function (event) {
      var message = event.data
      if (message && message.type === SETUP) {
        var config = message.data.config
        language = { lang: config.lang[0], pipeline: config.pipeline, separator: new RegExp(config.separator) }
      } else if (message && message.type === QUERY && typeof message.data === "string") {
        return listener.call(this, { data: { type: QUERY, data: rewrite(message.data) } })
      }
      return listener.call(this, event)
    }, options)
  }
})();
