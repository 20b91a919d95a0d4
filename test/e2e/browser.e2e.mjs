// The browser path, end to end: headless Chromium (Debian's package, driven by
// playwright-core) against `wrangler dev` on 127.0.0.1. Screenshots of every
// page go to $SCREENSHOT_DIR (default: a temp folder, printed at the end).

import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { startDevServer } from "./wrangler-dev.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const shots = process.env.SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), "edge-auth-screenshots-"));
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`CI needs Chromium at ${CHROMIUM}`);
const skip = available ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;

let server;
let browser;
let page;

before(async () => {
  if (skip) return;
  mkdirSync(shots, { recursive: true });
  server = await startDevServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  page = await (await browser.newContext({ viewport: { width: 1000, height: 720 } })).newPage();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (!skip) console.log(`screenshots: ${shots}`);
});

const email = `browser-${Date.now()}@example.com`;
const password = "correct horse battery staple";
const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

test("the landing page links to signup and login", { skip }, async () => {
  await page.goto(`${server.base}/`);
  assert.equal(await page.title(), "edge-auth");
  await shot("01-landing");
});

test("a weak password is refused with a clear message, without JavaScript's help", {
  skip,
}, async () => {
  await page.goto(`${server.base}/signup`);
  await page.fill("#email", email);
  // novalidate forms: the server decides, so this works with JavaScript off too.
  await page.fill("#password", "short");
  await page.click("button[type=submit]");
  assert.match(await page.textContent("[role=alert]"), /at least 8 characters/);
  await shot("02-signup-weak-password");
});

test("signing up lands on the protected page, tokens out of JavaScript's reach", {
  skip,
}, async () => {
  await page.fill("#email", email);
  await page.fill("#password", password);
  await page.click("button[type=submit]");
  await page.waitForURL(`${server.base}/app/`);
  await page.waitForSelector("#details:not([hidden])");
  assert.equal(await page.textContent("#email"), email);

  const cookies = await page.context().cookies();
  const names = cookies.map((cookie) => cookie.name).sort();
  assert.deepEqual(names, ["__Host-access", "__Host-refresh"]);
  for (const cookie of cookies) {
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.sameSite, "Lax");
  }
  assert.equal(await page.evaluate(() => document.cookie), "");
  await shot("03-account");
});

test("a reload stays signed in", { skip }, async () => {
  await page.reload();
  assert.equal(new URL(page.url()).pathname, "/app/");
  await page.waitForSelector("#details:not([hidden])");
});

test("the admin area shows a 403 page to a user without the role", { skip }, async () => {
  const response = await page.goto(`${server.base}/admin/`);
  assert.equal(response.status(), 403);
  assert.match(await page.textContent("h1"), /don't have access/);
  await shot("04-forbidden");
});

test("logging out returns to the login page, and the protected page redirects", {
  skip,
}, async () => {
  await page.goto(`${server.base}/app/`);
  await page.click("text=Log out");
  await page.waitForURL(/\/login\?logged_out/);
  assert.match(await page.textContent("[role=status]"), /logged out/);
  await shot("05-logged-out");

  await page.goto(`${server.base}/app/`);
  assert.equal(new URL(page.url()).pathname, "/login");
  assert.equal(new URL(page.url()).searchParams.get("next"), "/app/");
});

test("a wrong password shows one clear message; the right one returns to next", {
  skip,
}, async () => {
  await page.fill("#email", email);
  await page.fill("#password", "not my password");
  await page.click("button[type=submit]");
  assert.match(await page.textContent("[role=alert]"), /match an account/);
  await shot("06-login-error");

  await page.fill("#password", password);
  await page.click("button[type=submit]");
  await page.waitForURL(`${server.base}/app/`);
});

test("the static site cannot be reached around the gate", { skip }, async () => {
  const anonymous = await browser.newContext();
  const probe = await anonymous.newPage();
  for (const path of ["/app/index.html", "/%61pp/", "/app//", "/APP/", "/app/../app/"]) {
    const response = await probe.goto(`${server.base}${path}`);
    const body = await probe.content();
    assert.ok(!body.includes("You are signed in"), `${path} served the protected page`);
    assert.notEqual(response.status(), 500, `${path} answered 500`);
  }
  await anonymous.close();
});
