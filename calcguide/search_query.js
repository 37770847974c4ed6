/* The guide's search, the query side: what our search worker (search_worker.js, which explains the whole
 * arrangement) does to the index, the queries and the results, in the words of lunr and of Material's index.
 * calcguide/search.py writes this script into each language's worker, after the line that sets CALCGUIDE_SEARCH
 * and before search_worker.js, which calls it: CalcguideSearch.setUp(index), .rewrite(query), .answer(result).
 *
 * - set up: the index (search/search_index.js) comes with the fields of mkdocs.yml (`search: fields:`) that
 *   MkDocs does not write already filled in by search.py (`keywords`, `related`, a `boost` per page) and the
 *   glossary's abbreviations (`calcguide.abbreviations`); this adds `title_folded` / `text_folded`, the words
 *   written with accents, without them, so that "premiere" finds "premi\u00e8re" (lunr-languages' French stemmer
 *   does not fold accents).
 * - query: each word becomes lunr clauses that forgive typing. The index holds stems, and lunr
 *   skips its stemmer for wildcard terms, so the word is stemmed here with the index's own pipeline, then
 *     1. the stem as a prefix ("thio" -> "thio*"): results appear while the word is typed (and the word as
 *        typed, when the stemmer changed its letters: "minocy", stemmed "minoci");
 *     2. the longest stem of the index that starts the typed word, when the word runs past its stem
 *        ("thiosulfa" -> "thiosulf*", "bisphosphonat" -> "bisphosphon*"): results never vanish as the word grows;
 *     3. when neither finds a word of the index, the stems of the index closest to the word typed, counted
 *        against whole words of the index and against stems: one edit (letter added, missing, wrong, or two
 *        swapped) from 5 letters, two from 9 ("treatmnet" -> treatment, "infectoin" -> infection); so a word
 *        of the index is always matched as typed, never by a neighbour, and exact matches rank first.
 *   Every stem goes to lunr as "stem*^1": Material leaves a term with a boost as it is, and lunr does not stem a
 *   wildcard term again. A stem of three letters or less is matched exactly (the word, through the pipeline), or
 *   "sts" would match every word starting with "st". A glossary abbreviation typed as written ("LES", "AVK") also
 *   looks for its index word, which no stop-word list removes ("les", in lowercase, stays the article).
 *   A query written in lunr's own syntax (quotes, +, -, field:, ~, ^, *) is passed on as typed.
 * - result: the words a result misses are named as typed ("Missing: diltiazme", not one of its
 *   clauses), and each preview is cut to the sentence that matched (or the first one), not a whole section.
 */
var CalcguideSearch = (function () {
  "use strict"

  var SHORTEST_PREFIX = 4        /* a shorter stem is matched exactly */
  var LONGEST_OVERRUN = 4        /* letters typed past an index stem that still find it */
  var FUZZY = [[9, 2], [5, 1]]   /* [shortest word, edits] */
  var PREVIEW = 180              /* characters of a preview, at most */
  var MOST_SIMILAR = 5           /* stems a mistyped word looks for, at most */
  var LEAD = 50                  /* characters kept before the first match when a sentence is cut */

  var LIGATURES = { "\u0153": "oe", "\u0152": "OE", "\u00e6": "ae", "\u00c6": "AE" }
  var BLOCK = /<\/?(?:p|li|ul|ol|dl|dt|dd|table|thead|tbody|tr|td|th|h[1-6]|div|blockquote|pre|figure|figcaption|details|summary|br|hr)\b[^>]*>/gi
  var OTHER_TAG = /<(?!\/?mark>)[^>]*>/gi
  var LUNR_SYNTAX = /["*:^~]|(^|\s)[+-]/

  var settings = null            /* lang, pipeline, separator of the index */
  var docs = []
  var abbreviations = {}         /* glossary abbreviation as written -> its index word (calcguide/search.py) */
  var ABBREVIATION_WORD = /^zz[a-z0-9]+9$/
  var vocabulary = null          /* sorted stems of the index, built at the first query */
  var spellings = []             /* [word as the index's texts write it (lowercase, folded), its stem] */

  function fold(text) {
    return text.replace(/[\u0153\u0152\u00e6\u00c6]/g, function (ligature) { return LIGATURES[ligature] })
      .normalize("NFD").replace(/\p{M}/gu, "").normalize("NFC")
  }

  function plain(html) {
    return html.replace(/<[^>]*>/g, " ").replace(/&[#a-z0-9]+;/gi, " ")
  }

  function words(text) {
    return text.split(settings.separator).filter(Boolean)
  }

  /* What the index's pipeline (stop words, stemmer of the site's language) makes of one word; "" for a stop word */
  function analyse(word) {
    var lunr = self.lunr
    var namespace = settings.lang === "en" ? lunr : lunr[settings.lang]
    var token = new lunr.Token(word.toLowerCase(), {})
    var steps = ["stopWordFilter", "stemmer"]
    for (var i = 0; i < steps.length && token; i++)
      if (settings.pipeline.indexOf(steps[i]) >= 0 && namespace && namespace[steps[i]])
        token = namespace[steps[i]](token, 0, [token])
    return token ? token.toString() : ""
  }

  /* --- setup --------------------------------------------------------------------------------------------- */

  function setUp(index) {
    try {
      addFields(index)
    } catch (error) {
      settings = null  /* queries then go to Material's worker as typed */
      throw error
    }
  }

  function addFields(index) {
    var config = index.config
    settings = { lang: config.lang[0], pipeline: config.pipeline, separator: new RegExp(config.separator),
                 fields: Object.keys(config.fields || {}) }
    docs = index.docs
    abbreviations = (index.calcguide && index.calcguide.abbreviations) || {}
    vocabulary = null
    var fields = config.fields || {}
    for (var i = 0; i < docs.length; i++) {
      var doc = docs[i]
      if (fields.title_folded) setFolded(doc, "title_folded", doc.title)
      if (fields.text_folded) setFolded(doc, "text_folded", doc.text)
    }
  }

  function setFolded(doc, name, html) {
    var seen = Object.create(null), folded = [], list = words(plain(html || ""))
    for (var i = 0; i < list.length; i++) {
      var word = fold(list[i])
      if (word !== list[i] && !seen[word]) {
        seen[word] = true
        folded.push(word)
      }
    }
    if (folded.length) doc[name] = folded.join(" ")
  }

  /* Every stem of the index, as Material's lunr index holds them (same fields, separator and pipeline) */
  function buildVocabulary() {
    var seen = Object.create(null), stems = Object.create(null)
    spellings = []
    for (var i = 0; i < docs.length; i++)
      for (var f = 0; f < settings.fields.length; f++) {
        var value = docs[i][settings.fields[f]]
        if (typeof value !== "string") continue
        var list = words(plain(value).toLowerCase())
        for (var w = 0; w < list.length; w++)
          if (!seen[list[w]]) {
            seen[list[w]] = true
            var stem = analyse(list[w])
            if (stem && !ABBREVIATION_WORD.test(stem)) {
              stems[stem] = true
              if (list[w].length >= SHORTEST_PREFIX) spellings.push([fold(list[w]), stem])
            }
          }
      }
    return Object.keys(stems).sort()
  }

  /* --- query --------------------------------------------------------------------------------------------- */

  /* The position of the first stem of the (sorted) vocabulary that is not before `stem` */
  function seek(stem) {
    var low = 0, high = vocabulary.length
    while (low < high) {
      var middle = (low + high) >> 1
      if (vocabulary[middle] < stem) low = middle + 1
      else high = middle
    }
    return low
  }

  function hasPrefix(stem) {
    var at = seek(stem)
    return at < vocabulary.length && vocabulary[at].indexOf(stem) === 0
  }

  function contains(stem) {
    return vocabulary[seek(stem)] === stem
  }

  /* The longest stem of the index that the typed word starts with, a few letters short of it at most */
  function stemTypedPast(word) {
    for (var length = word.length - 1; length >= Math.max(SHORTEST_PREFIX, word.length - LONGEST_OVERRUN); length--)
      if (contains(word.slice(0, length))) return word.slice(0, length)
    return ""
  }

  function edits(word) {
    for (var i = 0; i < FUZZY.length; i++)
      if (word.length >= FUZZY[i][0]) return FUZZY[i][1]
    return 0
  }

  /* Edits from a to b (insertion, deletion, substitution, transposition of neighbours, as lunr counts them),
   * or limit + 1 once it is sure to be more than limit */
  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1
    var before = null, previous = [], row = null, i, j
    for (j = 0; j <= b.length; j++) previous.push(j)
    for (i = 1; i <= a.length; i++) {
      row = [i]
      var least = i
      for (j = 1; j <= b.length; j++) {
        var value = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
          value = Math.min(value, before[j - 2] + 1)
        row.push(value)
        least = Math.min(least, value)
      }
      if (least > limit) return limit + 1
      before = previous
      previous = row
    }
    return previous[b.length]
  }

  /* The stems of the index closest to a mistyped word: the edits are counted between the word and each word of
   * the index as written (a reader mistypes whole words: "treatmnet" is one swap from "treatment"), and
   * between its stem and each stem; the closest, within the word's allowed edits, win */
  function similar(word, stem, limit) {
    var best = limit + 1, found = [], typed = fold(word)
    var consider = function (edits, term) {
      if (edits < best) {
        best = edits
        found = []
      }
      if (edits === best && edits <= limit && found.indexOf(term) < 0) found.push(term)
    }
    for (var i = 0; i < vocabulary.length && limit; i++)
      if (vocabulary[i].length >= SHORTEST_PREFIX) consider(distance(stem, vocabulary[i], limit), vocabulary[i])
    for (var j = 0; j < spellings.length && limit; j++)
      consider(distance(typed, spellings[j][0], limit), spellings[j][1])
    return found.slice(0, MOST_SIMILAR)
  }

  /* The index stems one typed word looks for, best first */
  function lookFor(typed) {
    var word = typed.toLowerCase(), stem = analyse(word)
    if (!stem) return []
    var terms = [stem], matched = hasPrefix(stem)
    if (word.indexOf(stem) !== 0 && hasPrefix(word)) {
      terms.push(word)  /* the stemmer changed the letters of a word still being typed ("minocy" -> "minoci") */
      matched = true
    }
    var past = stemTypedPast(word)
    if (past && past.indexOf(stem) !== 0) {
      terms.push(past)
      matched = true
    }
    return matched ? terms : terms.concat(similar(word, stem, edits(word)))
  }

  /* The query for lunr, and per word typed: [the word, the stems it looks for]. Each stem is written so that
   * Material passes it on unchanged (it ends in ^1) and lunr does not stem it again (a wildcard term skips the
   * pipeline): "stem*^1"; a short stem, matched exactly, goes through the pipeline like any exact term. */
  function rewrite(query) {
    if (!settings || !self.lunr || LUNR_SYNTAX.test(query)) return [query, []]
    if (!vocabulary) vocabulary = buildVocabulary()
    var clauses = [], asked = [], list = words(query)
    for (var i = 0; i < list.length; i++) {
      var stems = lookFor(list[i])
      if (stems.length && stems[0].length < SHORTEST_PREFIX) {
        /* a short stem is matched exactly: the word goes through the index's pipeline as any exact term does */
        clauses.push(list[i].toLowerCase() + "^1")
        stems = [list[i].toLowerCase()]  /* as Material names the term in its answer */
      } else
        for (var s = 0; s < stems.length; s++) clauses.push(stems[s] + "*^1")
      /* A glossary abbreviation typed as written ("LES", not "les") is matched before the stop-word list */
      if (Object.prototype.hasOwnProperty.call(abbreviations, list[i])) {
        stems = [abbreviations[list[i]]].concat(stems)
        clauses.push(abbreviations[list[i]] + "^1")
      }
      if (stems.length) asked.push([list[i], stems])
    }
    return [clauses.length ? clauses.join(" ") : query, asked]
  }

  /* --- result -------------------------------------------------------------------------------------------- */

  /* Material says which terms of the query a result matched (true) or misses (false): a word typed is matched
   * when one of its stems is (those are kept, so that the page highlights the words found), missed otherwise
   * (under the word typed: "Missing: diltiazme", not its stems). */
  function wordsMatched(terms, asked) {
    if (!asked.length) return terms
    var result = {}
    for (var i = 0; i < asked.length; i++) {
      var typed = asked[i][0], stems = asked[i][1], hit = false, known = false
      for (var s = 0; s < stems.length; s++)
        if (terms.hasOwnProperty(stems[s])) {
          known = true
          if (terms[stems[s]] === true) result[stems[s]] = hit = true
        }
      if (known && !hit) result[typed] = false
    }
    return result
  }

  /* The sentence of a section's text that holds the first match (or its first sentence), cut to PREVIEW
   * characters around the match. Only Material's <mark> tags are kept; text stays as escaped as it was. A cut
   * is made at a plain space, which is never inside a <mark> (a marked word holds no separator) nor an entity,
   * nor where French typography keeps two words together (no-break spaces are left as they are). */
  function preview(html) {
    var sentences = html.replace(BLOCK, "\n").replace(OTHER_TAG, "")
      .replace(/([.!?])[ \t\r\n]+/g, "$1\n").split(/\n/)
      .map(function (sentence) { return sentence.replace(/[ \t\r]+/g, " ").trim() })
      .filter(Boolean)
    if (!sentences.length) return html
    var sentence = sentences.filter(function (s) { return s.indexOf("<mark>") >= 0 })[0] || sentences[0]
    if (sentence.length <= PREVIEW) return "<p>" + sentence + "</p>"
    var first = Math.max(0, sentence.indexOf("<mark>")), start = 0
    if (first > LEAD) {
      start = sentence.indexOf(" ", first - LEAD) + 1
      if (start <= 0 || start > first) start = first
    }
    var end = sentence.length
    if (start + PREVIEW < end) {
      var space = sentence.lastIndexOf(" ", start + PREVIEW)
      if (space > first) end = space
    }
    return "<p>" + (start > 0 ? "\u2026 " : "") + sentence.slice(start, end) + (end < sentence.length ? " \u2026" : "") + "</p>"
  }

  /* The result of a query, as the page will show it; `asked` is what rewrite() said of that query's words */
  function answer(result, asked) {
    var groups = (result && result.items) || []
    for (var g = 0; g < groups.length; g++)
      for (var i = 0; i < groups[g].length; i++) {
        var item = groups[g][i]
        if (item.terms) item.terms = wordsMatched(item.terms, asked)
        if (typeof item.text === "string") item.text = preview(item.text)
      }
    return result
  }

  return { setUp: setUp, rewrite: rewrite, answer: answer }
})();
