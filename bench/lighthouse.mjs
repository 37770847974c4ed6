// Lighthouse's performance category over several pages in one Chromium (bench/pages.py runs it): mobile profile
// and simulated throttling (Lighthouse's defaults). Arguments: the chrome flags, the number of runs, then the
// addresses. The runs go round the addresses in turn (1st run of each, then 2nd of each…), so that a change of the
// machine's load falls on every page alike. Prints one JSON object: {address: [one object per run: version,
// performance, total_blocking_time_ms, largest_contentful_paint_ms, main_thread_ms (Lighthouse's main-thread work
// by category), scripts_ms (time per script, its own evaluation and parsing), settings, runtimeError]}.
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const [flags, runs, ...addresses] = process.argv.slice(2);
const chrome = await chromeLauncher.launch({chromePath: process.env.CHROME_PATH, chromeFlags: flags.split(" ")});
const results = Object.fromEntries(addresses.map(address => [address, []]));
const milliseconds = (items, key, value) => Object.fromEntries(items.map(item => [item[key], Math.round(item[value])]));
try {
  for (let run = 0; run < Number(runs); run++) {
    for (const address of addresses) {
      const {lhr} = await lighthouse(address, {port: chrome.port, output: "json", logLevel: "error",
                                               onlyCategories: ["performance"]});
      const settings = lhr.configSettings;
      results[address].push({
        version: lhr.lighthouseVersion,
        performance: lhr.categories.performance.score,
        total_blocking_time_ms: lhr.audits["total-blocking-time"].numericValue,
        largest_contentful_paint_ms: lhr.audits["largest-contentful-paint"].numericValue,
        main_thread_ms: milliseconds(lhr.audits["mainthread-work-breakdown"].details?.items ?? [], "group", "duration"),
        scripts_ms: milliseconds(lhr.audits["bootup-time"].details?.items ?? [], "url", "total"),
        settings: {formFactor: settings.formFactor, throttlingMethod: settings.throttlingMethod,
                   screenEmulation: settings.screenEmulation.mobile ? "mobile" : "desktop"},
        runtimeError: lhr.runtimeError ? lhr.runtimeError.message : null,
      });
    }
  }
} finally {
  await chrome.kill();
}
console.log(JSON.stringify(results));
