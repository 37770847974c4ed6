/* The built site's search, run by Node without a browser: the worker a page starts (calcguide-search.js), with
 * Material's worker and the index it loads, in a context that offers what a Web Worker offers (self, importScripts,
 * postMessage, message events, a BroadcastChannel). The page's side is played here: say that search is open, wait
 * for Material's "ready", then send each query and read its answer. tests/engine.py runs it for the fast tier.
 *
 * usage: node search_engine.js <site/lang folder>   (queries: a JSON list of strings on stdin)
 * CALCGUIDE_INDEX_CONFIG='{"pipeline": ["stopWordFilter"]}' changes the index's settings as it loads (a test that
 * French stemming is needed makes the French site search without its stemmer).
 * prints: a JSON list, per query, of its result pages (the page of each result group, best first) and, per page,
 * the sections shown under it.
 */
"use strict"
const fs = require("fs")
const path = require("path")
const vm = require("vm")
const { pathToFileURL, fileURLToPath } = require("url")

const READY = 1, QUERY = 2, RESULT = 3
const site = path.resolve(process.argv[2])
const workerFile = path.join(site, "assets", "javascripts", "workers", "calcguide-search.js")

const events = new EventTarget()
const answers = []
let channel = null

class Channel {
  constructor(name) { this.name = name; channel = this }
  postMessage() {}
}

const sandbox = {
  console,
  URL,
  MessageEvent,
  BroadcastChannel: Channel,
  location: { href: pathToFileURL(workerFile).href },
  addEventListener: (type, listener) => events.addEventListener(type, listener),
  dispatchEvent: event => events.dispatchEvent(event),
  postMessage: message => answers.push(message),
  importScripts: (...urls) => {
    for (const url of urls) {
      const file = fileURLToPath(new URL(url, sandbox.location.href))
      vm.runInContext(fs.readFileSync(file, "utf8"), sandbox, { filename: file })
      if (sandbox.__index && process.env.CALCGUIDE_INDEX_CONFIG)  /* a deliberate regression, for the tests */
        Object.assign(sandbox.__index.config, JSON.parse(process.env.CALCGUIDE_INDEX_CONFIG))
    }
  },
}
sandbox.self = sandbox
vm.createContext(sandbox)
sandbox.importScripts(sandbox.location.href)

function next(type) {
  return new Promise(resolve => {
    const look = () => {
      const at = answers.findIndex(message => message && message.type === type)
      if (at >= 0) resolve(answers.splice(at, 1)[0])
      else setImmediate(look)
    }
    look()
  })
}

async function main() {
  const queries = JSON.parse(fs.readFileSync(0, "utf8"))
  channel.onmessage({ data: { open: true, options: { suggest: false } } })
  await next(READY)
  const results = []
  for (const query of queries) {
    events.dispatchEvent(new MessageEvent("message", { data: { type: QUERY, data: query } }))
    const { data } = await next(RESULT)
    results.push(data.items.map(group => {
      const page = group.find(item => !item.location.includes("#")) || group[0]
      return { page: page.location.split("#")[0],
               sections: group.filter(item => item.location.includes("#") && item.score > 0).map(item => item.location),
               terms: group[0].terms }
    }))
  }
  process.stdout.write(JSON.stringify(results))
}

main().catch(error => { console.error(error); process.exit(1) })
