// Lighthouse over several pages in one Chromium (tests/test_lighthouse.py runs it): one Node process and one browser
// instead of one of each per page. Arguments: the chrome flags, then the addresses. Prints one JSON object:
// {address: {version, scores: {category: score}, failing: [...]}}, the categories being those the test asks for.
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const [flags, categories, ...addresses] = process.argv.slice(2);
const onlyCategories = categories.split(",");
const chrome = await chromeLauncher.launch({chromePath: process.env.CHROME_PATH, chromeFlags: flags.split(" ")});
const results = {};
try {
  for (const address of addresses) {
    // No full-page screenshot: only the HTML report shows it, no audit reads it, and it cost 1.2 s a page.
    const {lhr} = await lighthouse(address, {port: chrome.port, output: "json", logLevel: "error", onlyCategories,
                                             disableFullPageScreenshot: true});
    const failing = [];
    for (const category of Object.values(lhr.categories)) {
      for (const ref of category.auditRefs) {
        const audit = lhr.audits[ref.id];
        if (ref.weight && audit.score !== null && audit.score < 1) {
          const items = (audit.details && audit.details.items) || [];
          failing.push(`${category.id}/${ref.id}: ${audit.title} ` +
                       items.slice(0, 3).map(item => JSON.stringify(item.node || item).slice(0, 200)).join("; "));
        }
      }
    }
    const scores = Object.fromEntries(Object.entries(lhr.categories).map(([id, category]) => [id, category.score]));
    results[address] = {version: lhr.lighthouseVersion, scores, failing, runtimeError: lhr.runtimeError || null};
  }
} finally {
  await chrome.kill();
}
console.log(JSON.stringify(results));
