// Firefox (Debian's firefox-esr), driven by JSON lines on stdin, for the packet's tests.
//
//   node firefox_driver.mjs --profile DIR --downloads DIR
//
// One process is one browser start; the profile in DIR is kept, so a second
// process on the same DIR is the same browser reopened. puppeteer-core drives
// Firefox over WebDriver BiDi. Puppeteer writes
// security.fileuri.strict_origin_policy=false into the profile, the opposite of
// Firefox's own default, under which every file:// page would share storage;
// it is set back to Firefox's default here.
//
// Each line in is a command, each line out its answer ({"ok": true, "value": ...}
// or {"ok": false, "error": "..."}):
//   {"cmd": "goto", "url": "file:///..."}          load a page, answer when loaded
//   {"cmd": "eval", "js": "expression"}            the expression's value, as JSON
//   {"cmd": "click", "selector": "css"}            a real click on the element
//   {"cmd": "upload", "selector": "css", "path": "/..."}  put a file into a file input
//   {"cmd": "errors"}                              console errors and page errors so far
//   {"cmd": "quit"}
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import puppeteer from "puppeteer-core";

const { values: options } = parseArgs({
  options: { profile: { type: "string" }, downloads: { type: "string" }, binary: { type: "string" } },
});

const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: options.binary || "/usr/bin/firefox-esr",
  headless: true,
  userDataDir: options.profile,
  extraPrefsFirefox: {
    "security.fileuri.strict_origin_policy": true, // Firefox's default
    "browser.download.folderList": 2,
    "browser.download.dir": options.downloads,
    "browser.download.useDownloadDir": true,
    "browser.download.always_ask_before_handling_new_types": false,
    "browser.download.start_downloads_in_tmp_dir": false,
    "browser.download.alwaysOpenPanel": false,
  },
});
const errors = [];
const page = (await browser.pages())[0] || (await browser.newPage());
await page.setViewport({ width: 1280, height: 900 });
page.on("console", (message) => {
  if (message.type() === "error") errors.push(message.text());
});
page.on("pageerror", (error) => errors.push(String(error && error.message ? error.message : error)));

async function run(command) {
  switch (command.cmd) {
    case "goto":
      await page.goto(command.url, { waitUntil: "load" });
      return null;
    case "eval":
      return await page.evaluate(`JSON.stringify((function () { return (${command.js}); })()) ?? "null"`).then(JSON.parse);
    case "click": {
      const element = await page.waitForSelector(command.selector, { visible: true, timeout: 5000 });
      await element.evaluate((e) => e.scrollIntoView({ block: "center", behavior: "instant" }));
      await element.click();
      return null;
    }
    case "upload": {
      const input = await page.waitForSelector(command.selector, { timeout: 5000 });
      await input.uploadFile(command.path);
      return null;
    }
    case "errors":
      return errors;
    default:
      throw new Error(`unknown command ${command.cmd}`);
  }
}

function reply(answer) {
  process.stdout.write(JSON.stringify(answer) + "\n");
}

reply({ ok: true, value: "ready" });
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const command = JSON.parse(line);
  if (command.cmd === "quit") break;
  try {
    reply({ ok: true, value: await run(command) });
  } catch (error) {
    reply({ ok: false, error: String(error && error.message ? error.message : error) });
  }
}
await browser.close();
reply({ ok: true, value: "closed" });
process.exit(0); // stdin stays open until the test closes it
