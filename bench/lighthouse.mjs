// Lighthouse's performance category over several pages in one Chromium (bench/pages.py runs it): mobile profile
// and simulated throttling (Lighthouse's defaults). Arguments: the chrome flags, then the addresses. Prints one JSON
// object: {address: {version, performance, total_blocking_time_ms, largest_contentful_paint_ms, settings}}.
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const [flags, ...addresses] = process.argv.slice(2);
const chrome = await chromeLauncher.launch({chromePath: process.env.CHROME_PATH, chromeFlags: flags.split(" ")});
const results = {};
try {
  for (const address of addresses) {
    const {lhr} = await lighthouse(address, {port: chrome.port, output: "json", logLevel: "error",
                                             onlyCategories: ["performance"]});
    const settings = lhr.configSettings;
    results[address] = {
      version: lhr.lighthouseVersion,
      performance: lhr.categories.performance.score,
      total_blocking_time_ms: lhr.audits["total-blocking-time"].numericValue,
      largest_contentful_paint_ms: lhr.audits["largest-contentful-paint"].numericValue,
      settings: {formFactor: settings.formFactor, throttlingMethod: settings.throttlingMethod,
                 screenEmulation: settings.screenEmulation.mobile ? "mobile" : "desktop"},
      runtimeError: lhr.runtimeError ? lhr.runtimeError.message : null,
    };
  }
} finally {
  await chrome.kill();
}
console.log(JSON.stringify(results));
