// End-to-end test of the Punchclock web UI in headless Chromium, against the
// real binary and a simulated ZKTeco device. Started by run.sh, which passes:
//   PC_URL        base URL of `punchclock serve`
//   SIM_PORT      port of `punchclock sim`
//   SIM_PID       its process id (the test stops it to take the device offline)
//   BIG_SIM_PORT  port of a second `punchclock sim` with 12 users (over the trial's 10 seats)
//   LEGACY_SIM_PORT  a sim with CP1252 names and a clock 754 s fast
//   GBK_SIM_PORT  a sim with GB2312 names
//   TRIAL_URL     a second `punchclock serve` whose trials end at once
//   MAIL_DIR      where the SMTP sink (smtp_sink.py) keeps the mail PC_URL and SEC_URL send
//   SEC_URL       a third `punchclock serve` that sends mail, with rate limits for a test's pace
//   PC_BIN        the punchclock binary (runs a push device with `sim --push`)
//   SHOT_DIR      where screenshots go
//   CHROMIUM      browser executable (default /usr/bin/chromium)
// Prints one line per check and ends with "e2e: N passed, M failed".

import { chromium } from "playwright-core";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import * as dashboard from "./checks/dashboard.mjs";
import * as devices from "./checks/devices.mjs";
import * as employees from "./checks/employees.mjs";
import * as login from "./checks/login.mjs";
import * as plan from "./checks/plan.mjs";
import * as exports from "./checks/exports.mjs";
import * as keyboard from "./checks/keyboard.mjs";
import * as layout from "./checks/layout.mjs";
import * as punches from "./checks/punches.mjs";
import * as reports from "./checks/reports.mjs";
import * as security from "./checks/security.mjs";
import * as times from "./checks/times.mjs";
import * as zones from "./checks/zones.mjs";
import { mailedLink } from "./mail.mjs";

const BASE = process.env.PC_URL;
const SIM_PORT = process.env.SIM_PORT;
const SIM_PID = Number(process.env.SIM_PID);
const BIG_SIM_PORT = process.env.BIG_SIM_PORT;
const LEGACY_SIM_PORT = process.env.LEGACY_SIM_PORT;
const GBK_SIM_PORT = process.env.GBK_SIM_PORT;
const TRIAL_URL = process.env.TRIAL_URL;
const SEC_URL = process.env.SEC_URL;
const MAIL_DIR = process.env.MAIL_DIR;
const SHOT_DIR = process.env.SHOT_DIR || mkdtempSync(join(tmpdir(), "pc-shots-"));
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const PC_BIN = process.env.PC_BIN;
if (!BASE || !SIM_PORT || !SIM_PID || !BIG_SIM_PORT || !LEGACY_SIM_PORT || !GBK_SIM_PORT || !TRIAL_URL || !PC_BIN || !SEC_URL || !MAIL_DIR) {
  console.error("PC_URL, SIM_PORT, SIM_PID, BIG_SIM_PORT, LEGACY_SIM_PORT, GBK_SIM_PORT, TRIAL_URL, PC_BIN, SEC_URL and MAIL_DIR must be set (use run.sh)");
  process.exit(2);
}

let passed = 0;
let failed = 0;
let aborted = false;

/**
 * Submit the filled sign-up form of the service with mail on: it answers
 * "Check your mail" (alike for taken and free emails), and the mailed
 * confirmation link signs the new owner in.
 */
async function signUpThroughMail(email) {
  await page.getByTestId("signup-submit").click();
  const said = await page.getByTestId("check-mail").innerText();
  assert(said.includes(email), `check your mail: ${said}`);
  const link = await mailedLink(MAIL_DIR, email, "signup/confirm", `with ${email}'s sign-up link`);
  await page.goto(link);
  await Promise.all([page.waitForURL("**/devices"), page.getByTestId("confirm-submit").click()]);
}

/** Run one named check; a failure skips the checks that depend on it. */
async function check(name, fn) {
  if (aborted) {
    failed++;
    console.log(`SKIP ${name} (an earlier step failed)`);
    return;
  }
  const started = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    aborted = true;
    console.log(`FAIL ${name}\n     ${String(e && e.stack || e).split("\n").slice(0, 6).join("\n     ")}`);
    // What the page said, to tell an error page from a slow one.
    const said = await page.locator("main").innerText({ timeout: 2000 }).catch(() => "(no page text)");
    console.log(`     page ${page.url()}: ${said.replace(/\s+/g, " ").slice(0, 400)}`);
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

async function portClosed(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port: Number(port) });
    s.once("connect", () => { s.destroy(); resolve(false); });
    s.once("error", () => resolve(true));
  });
}

const userDataDir = mkdtempSync(join(tmpdir(), "pc-chromium-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  viewport: { width: 1366, height: 860 },
  baseURL: BASE,
});
context.setDefaultTimeout(20_000);
const page = context.pages()[0] || (await context.newPage());
const consoleErrors = [];
// 404/422/401 pages are expected here; the browser logs each as "Failed to load resource".
page.on("console", (m) => { if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) consoleErrors.push(m.text()); });
page.on("pageerror", (e) => consoleErrors.push(String(e)));
// Nothing may be fetched from anywhere but the service itself.
const outside = [];
const ours = (u) => [BASE, TRIAL_URL, SEC_URL, "data:"].some((p) => u.startsWith(p));
context.on("request", (r) => { if (!ours(r.url())) outside.push(r.url()); });

// What the checks in ./checks/ are handed.
const WIDE = { width: 1366, height: 860 };
const shotPath = (name) => join(SHOT_DIR, `${name}.png`);
const t = {
  page,
  context,
  check,
  assert,
  state: {},
  shotPath,
  shot: (name, full = true) => page.screenshot({ path: shotPath(name), fullPage: full }),
  wide: () => page.setViewportSize(WIDE),
  /** The current page at 1366 and at 390 px. */
  async both(name, full = true) {
    for (const [width, height] of [[1366, 860], [390, 844]]) {
      await page.setViewportSize({ width, height });
      await page.reload();
      await page.screenshot({ path: shotPath(`${name}-${width}`), fullPage: full });
    }
    await page.setViewportSize(WIDE);
  },
};

const email = `owner${Date.now()}@bakery.example`;
let deviceId = null;
let unnamedEnroll = null;
let pushSim = null;
process.on("exit", () => { if (pushSim) pushSim.kill(); });

try {
  await check("friendly 404 page", async () => {
    const res = await page.goto("/no-such-page");
    assert(res.status() === 404, `status ${res.status()}`);
    await page.getByTestId("not-found").waitFor();
  });

  await check("signed-out visitors are sent to the login page", async () => {
    await page.goto("/devices");
    assert(new URL(page.url()).pathname === "/login", page.url());
  });

  await zones.zoneList(t);

  await check("signup validation keeps what was typed and shows messages by the fields", async () => {
    await page.goto("/signup");
    await page.fill("#f-company", "Corner Bakery");
    await page.fill("#f-timezone", "Europe/Berlin");
    await page.fill("#f-email", "not-an-email");
    await page.fill("#f-password", "short");
    await page.getByTestId("signup-submit").click();
    await page.getByTestId("error-email").waitFor();
    await page.getByTestId("error-password").waitFor();
    assert((await page.inputValue("#f-company")) === "Corner Bakery", "company kept");
    assert((await page.inputValue("#f-email")) === "not-an-email", "email kept");
    assert((await page.inputValue("#f-timezone")) === "Europe/Berlin", "time zone kept");
    await page.screenshot({ path: join(SHOT_DIR, "signup-errors.png"), fullPage: true });
  });

  await check("signup creates the company and signs in through the mailed link", async () => {
    await page.fill("#f-email", email);
    await page.fill("#f-password", "correct horse battery");
    await signUpThroughMail(email);
    await page.getByTestId("no-devices").waitFor();
    assert((await page.getByTestId("company-name").innerText()) === "Corner Bakery", "company in header");
    await page.getByTestId("public-address").waitFor();
  });

  await check("device form validation keeps values", async () => {
    await page.getByTestId("add-device").click();
    await page.fill("#f-name", "Front door");
    await page.fill("#f-host", "127.0.0.1");
    await page.fill("#f-port", "99999");
    await page.getByTestId("save-device").click();
    await page.getByTestId("error-port").waitFor();
    assert((await page.inputValue("#f-name")) === "Front door", "name kept");
    assert((await page.inputValue("#f-host")) === "127.0.0.1", "host kept");
    assert((await page.inputValue("#f-port")) === "99999", "port kept");
    assert((await page.getAttribute("#f-comm_key", "type")) === "password", "comm key is a password field");
    await page.screenshot({ path: join(SHOT_DIR, "device-form-errors.png"), fullPage: true });
  });

  await check("add the simulated device", async () => {
    await page.fill("#f-port", String(SIM_PORT));
    await Promise.all([page.waitForURL(/\/devices\?added=\d+/), page.getByTestId("save-device").click()]);
    const row = page.getByTestId("device-row");
    assert((await row.count()) === 1, "one device row");
    deviceId = await row.first().getAttribute("data-device-id");
    const label = await page.getByTestId("device-status").first().innerText();
    assert(["Never connected", "Online"].includes(label), `label ${label}`);
    assert((await page.locator(".status").first().getAttribute("href")) === `/devices/${deviceId}`, "label links to the log");
  });

  await check("Test connection reports success", async () => {
    await Promise.all([page.waitForURL(/did=test/), page.getByTestId("test-connection").click()]);
    const result = page.getByTestId("action-result");
    assert((await result.getAttribute("data-outcome")) === "ok", await result.innerText());
    const text = await result.innerText();
    assert(text.includes("answered") && text.includes(`127.0.0.1:${SIM_PORT}`), text);
  });

  await check("Sync now reads users and punches; the device is Online", async () => {
    await Promise.all([page.waitForURL(/did=sync/), page.getByTestId("sync-now").click()]);
    const result = page.getByTestId("action-result");
    const text = await result.innerText();
    assert((await result.getAttribute("data-outcome")) === "ok", text);
    // Unchanged when the scheduler polled first: nothing to download.
    assert(/Read \d+ users? and \d+ punch|Nothing changed on the device since the last sync/.test(text), text);
    const label = page.getByTestId("device-status").first();
    assert((await label.innerText()) === "Online", await label.innerText());
    const serial = await page.locator(`[data-field="serial"][data-device-id="${deviceId}"]`).innerText();
    assert(serial && serial !== "—", `serial ${serial}`);
    const punches = Number((await page.locator(`[data-field="punches"][data-device-id="${deviceId}"]`).innerText()).replace(/,/g, ""));
    assert(punches > 0, `punch count ${punches}`);
    await page.screenshot({ path: join(SHOT_DIR, "devices-online.png"), fullPage: true });
  });

  await check("the Online label opens the device log with the sync entry", async () => {
    await Promise.all([page.waitForURL(new RegExp(`/devices/${deviceId}$`)), page.getByTestId("device-status").first().click()]);
    const entries = page.getByTestId("log-entry");
    assert((await entries.count()) >= 2, "test and sync entries");
    const syncs = page.locator('[data-testid="log-entry"][data-kind="sync"][data-outcome="ok"]');
    assert((await syncs.count()) >= 1, "an OK sync entry");
    // A sync after an earlier one may find the counts unchanged and read
    // nothing: the largest read is the full one.
    let read = 0;
    for (const cell of await syncs.locator('[data-field="punches-read"]').all()) read = Math.max(read, Number(await cell.innerText()));
    assert(read > 0, `punches read ${read}`);
    // The scheduler may have polled first, so the new punches can sit on any sync.
    let fresh = 0;
    for (const cell of await syncs.locator('[data-field="punches-new"]').all()) fresh += Number(await cell.innerText());
    assert(fresh > 0 && fresh <= read * (await syncs.count()), `new punches ${fresh}`);
    // Every sync says how much it downloaded and what it cost on the wire.
    const modes = await syncs.locator('[data-field="mode"]').allInnerTexts();
    assert(modes.length === (await syncs.count()) && modes.includes("full"), `modes ${modes}`);
    assert(modes.every((m) => ["full", "incremental", "unchanged"].includes(m)), `modes ${modes}`);
    const bytes = await syncs.first().locator('[data-field="bytes"]').innerText();
    assert(/^[\d,]+ B in \/ [\d,]+ B out$/.test(bytes), `bytes ${bytes}`);
    await page.locator('[data-testid="log-entry"][data-kind="test"][data-outcome="ok"]').first().waitFor();
    const serial = await page.getByTestId("device-serial").innerText();
    assert(serial !== "—", "serial reported");
    const drift = await page.getByTestId("clock-drift").innerText();
    assert(/clock (matches ours|is .* (ahead|behind))/.test(drift), `drift ${drift}`);
    await page.screenshot({ path: join(SHOT_DIR, "device-log.png"), fullPage: true });
  });

  await check("employees include NO NAME for unnamed device users", async () => {
    await page.click('nav a[href="/employees"]');
    await page.getByTestId("employees").waitFor();
    const rows = await page.getByTestId("employee-row").count();
    assert(rows > 0, "employees listed");
    const unnamed = await page.getByTestId("no-name").count();
    const named = await page.getByTestId("employee-name").count();
    assert(unnamed >= 1, `NO NAME shown (${unnamed} of ${rows})`);
    assert(named >= 1, "named employees shown");
    assert((await page.getByTestId("no-name").first().innerText()) === "NO NAME", "label text");
    await page.screenshot({ path: join(SHOT_DIR, "employees.png"), fullPage: true });
  });

  await check("edit an unnamed employee", async () => {
    const row = page.locator('[data-testid="employee-row"]:has([data-testid="no-name"])').first();
    const enroll = await row.getAttribute("data-enroll-id");
    unnamedEnroll = enroll;
    await Promise.all([page.waitForURL(/\/employees\/\d+\/edit/), row.getByTestId("edit-employee").click()]);
    await page.fill("#f-email", "nope");
    await page.fill("#f-first_name", "Ana");
    await page.getByTestId("save-employee").click();
    await page.getByTestId("error-email").waitFor();
    assert((await page.inputValue("#f-first_name")) === "Ana", "first name kept");
    await page.fill("#f-email", "ana@bakery.example");
    await page.fill("#f-last_name", "Diaz");
    await Promise.all([page.waitForURL(/saved=/), page.getByTestId("save-employee").click()]);
    const name = await page.locator(`[data-testid="employee-row"][data-enroll-id="${enroll}"] [data-testid="employee-name"]`).innerText();
    assert(name === "Ana Diaz", name);
  });

  await employees.pushName(t, { deviceId, enroll: unnamedEnroll });

  await check("punches list with times, filters and paging", async () => {
    await page.click('nav a[href="/punches"]');
    await page.getByTestId("punches").waitFor();
    const rows = await page.getByTestId("punch-row").count();
    assert(rows > 0, "punches listed");
    const t = await page.locator('[data-field="time"]').first().innerText();
    const dt = await page.locator('[data-field="device-time"]').first().innerText();
    assert(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(t) && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(dt), `${t} / ${dt}`);
    await page.selectOption("#f-device", deviceId);
    await Promise.all([page.waitForURL(/device=/), page.getByTestId("apply-filters").click()]);
    assert((await page.getByTestId("punch-row").count()) > 0, "device filter");
    if (await page.getByTestId("next-page").count()) {
      await Promise.all([page.waitForURL(/page=2/), page.getByTestId("next-page").click()]);
      assert((await page.getByTestId("punch-row").count()) > 0, "page 2");
      assert(page.url().includes(`device=${deviceId}`), "paging keeps the filter");
    }
    await page.fill("#f-from", "2001-01-01");
    await page.fill("#f-to", "2001-01-02");
    await Promise.all([page.waitForURL(/from=2001/), page.getByTestId("apply-filters").click()]);
    await page.getByTestId("no-punches").waitFor();
    await page.goto("/punches");
    await page.screenshot({ path: join(SHOT_DIR, "punches.png"), fullPage: true });
  });

  await punches.verifyNames(t);
  await punches.pastLastPage(t);
  await punches.listTools(t);
  await layout.phonePunches(t);
  await layout.employeeFilter(t);
  await devices.wholeHoursAdvice(t, deviceId);
  await times.footerZone(t, "Europe/Berlin");
  await keyboard.skipLink(t);
  await keyboard.focusRings(t);
  await layout.phoneNav(t);

  // ---- attendance (issue 8) ----
  const isoDay = (d) => d.toISOString().slice(0, 10);
  const daysBefore = (day, n) => isoDay(new Date(Date.parse(`${day}T12:00:00Z`) - n * 86_400_000));
  let lastDay = null;
  let flaggedDay = null;

  await check("attendance settings: a shift, made the company default", async () => {
    await page.goto("/punches");
    lastDay = (await page.locator('[data-field="time"]').first().innerText()).slice(0, 10);
    await page.click('nav a[href="/attendance"]');
    await Promise.all([page.waitForURL("**/attendance/settings"), page.getByTestId("attendance-settings").click()]);
    await Promise.all([page.waitForURL("**/shifts/new"), page.getByTestId("new-shift").click()]);
    await page.fill("#f-name", "Day");
    await page.fill("#f-start", "09:00");
    await page.fill("#f-end", "17:00");
    for (const d of ["sat", "sun"]) await page.check(`input[name="${d}"]`);
    await Promise.all([page.waitForURL("**/attendance/settings"), page.getByTestId("save-shift").click()]);
    await page.selectOption("#f-default_shift_id", { label: "Day" });
    await Promise.all([page.waitForURL(/saved=rules/), page.getByTestId("save-rules").click()]);
    await page.getByTestId("settings-saved").waitFor();
    assert((await page.getByTestId("shift-row").count()) === 1, "one shift listed");
  });

  await check("attendance day view: a flagged day, explained in words", async () => {
    for (let back = 0; back < 10 && !flaggedDay; back++) {
      const day = daysBefore(lastDay, back);
      await page.goto(`/attendance?date=${day}`);
      if ((await page.locator('[data-testid="attendance-row"] [data-testid="flag"]').count()) > 0) flaggedDay = day;
    }
    assert(flaggedDay, `a flagged day in the ten days up to ${lastDay}`);
    const flag = page.locator('[data-testid="attendance-row"] [data-testid="flag"]').first();
    const code = await flag.getAttribute("data-flag");
    const words = await flag.getByTestId("flag-message").innerText();
    assert(words.split(" ").length >= 6, `"${code}" explained: ${words}`);
    const rows = await page.getByTestId("attendance-row").count();
    assert(rows > 0, "everyone listed");
    console.log(`     ${flaggedDay}: ${code}: ${words}`);
    await page.screenshot({ path: join(SHOT_DIR, "attendance-day.png"), fullPage: true });
  });

  await check("timesheet: totals per employee, then one employee's days", async () => {
    const from = daysBefore(lastDay, 20);
    await page.goto(`/timesheets?from=${from}&to=${lastDay}`);
    const worked = await page.locator('[data-testid="timesheet-row"] [data-field="worked"]').allInnerTexts();
    assert(worked.some((w) => /^\d+:\d\d$/.test(w)), `hours worked: ${worked.join(", ")}`);
    await page.screenshot({ path: join(SHOT_DIR, "timesheets.png"), fullPage: true });
    await Promise.all([page.waitForURL(/\/timesheets\/\d+/), page.getByTestId("timesheet-link").first().click()]);
    assert((await page.getByTestId("timesheet-day").count()) === 21, "a row per day");
    await page.getByTestId("timesheet-totals").waitFor();
    await page.screenshot({ path: join(SHOT_DIR, "timesheet-person.png"), fullPage: true });
  });

  await exports.downloads(t, { from: daysBefore(lastDay, 20), to: lastDay, zone: "Europe/Berlin" });

  await check("add a missing punch from the day view", async () => {
    await page.goto(`/attendance?date=${flaggedDay}`);
    const row = page.locator('[data-testid="attendance-row"]:has([data-testid="flag"])').first();
    await Promise.all([page.waitForURL(/\/punches\/new/), row.getByTestId("add-punch").click()]);
    assert((await page.inputValue("#f-date")) === flaggedDay, "date carried over");
    await page.fill("#f-time", "20:59");
    await page.getByTestId("save-punch").click();
    await page.getByTestId("error-reason").waitFor();
    await page.fill("#f-reason", "Forgot to clock out");
    await Promise.all([page.waitForURL(/done=added/), page.getByTestId("save-punch").click()]);
    await page.getByTestId("correction-done").waitFor();
    const manual = page.locator('[data-testid="punch"]:has-text("by hand")');
    assert((await manual.count()) === 1, "the punch by hand is listed");
    await page.locator('[data-testid="flag"][data-flag="manual_punch"]').first().waitFor();
  });

  await check("void a punch: listed, no longer counted, logged", async () => {
    const before = await page.locator('[data-field="worked"]').first().innerText();
    await Promise.all([page.waitForURL(/\/punches\/\d+\/void/), page.getByTestId("void-punch").first().click()]);
    await page.fill("#f-reason", "Tapped by a colleague");
    await Promise.all([page.waitForURL(/done=voided/), page.getByTestId("confirm-void").click()]);
    await page.locator('[data-testid="punch"][data-role="voided"]').first().waitFor();
    await page.locator('[data-testid="flag"][data-flag="voided_punch"]').first().waitFor();
    const after = await page.locator('[data-field="worked"]').first().innerText();
    console.log(`     worked before ${before}, after the void ${after}`);
    await page.screenshot({ path: join(SHOT_DIR, "attendance-person.png"), fullPage: true });
    await page.goto("/corrections");
    const kinds = await page.locator('[data-testid="correction"]').evaluateAll((rows) => rows.map((r) => r.dataset.kind));
    assert(kinds.join() === "punch_voided,punch_added", kinds.join());
    const reasons = await page.locator('[data-field="reason"]').allInnerTexts();
    assert(reasons.includes("Tapped by a colleague") && reasons.includes("Forgot to clock out"), reasons.join());
  });

  await dashboard.whoIsIn(t, "Europe/Berlin");
  await reports.endOfDay(t, { mailDir: MAIL_DIR, day: flaggedDay, owner: email });

  await check("stopping the device turns the label Offline without a reload", async () => {
    await page.goto("/devices");
    const label = page.locator(`[data-testid="device-status"][data-device-id="${deviceId}"]`);
    assert((await label.innerText()) === "Online", "starts Online");
    await page.evaluate(() => { window.__sameDocument = true; });
    process.kill(SIM_PID, "SIGTERM");
    for (let i = 0; i < 50 && !(await portClosed(SIM_PORT)); i++) await new Promise((r) => setTimeout(r, 100));
    assert(await portClosed(SIM_PORT), "simulator stopped");
    // Sync from a second tab; the first one must update by itself.
    const other = await context.newPage();
    await other.goto("/devices");
    await Promise.all([other.waitForURL(/did=sync/), other.getByTestId("sync-now").click()]);
    const result = other.getByTestId("action-result");
    assert((await result.getAttribute("data-outcome")) === "failed", await result.innerText());
    const reason = await other.getByTestId("action-reason").innerText();
    assert(reason.length > 10, `reason "${reason}"`);
    await other.close();
    await page.waitForFunction(
      (id) => document.querySelector(`[data-testid="device-status"][data-device-id="${id}"]`).textContent === "Offline",
      deviceId,
      { timeout: 15_000 },
    );
    assert(await page.evaluate(() => window.__sameDocument === true), "the page was not reloaded");
    const title = await label.getAttribute("title");
    assert(title && title.length > 10, `label explains why: ${title}`);
    await page.screenshot({ path: join(SHOT_DIR, "devices-offline.png"), fullPage: true });
  });

  await check("the device log shows the failed sync with its reason", async () => {
    await Promise.all([page.waitForURL(new RegExp(`/devices/${deviceId}$`)), page.getByTestId("device-status").first().click()]);
    const failedEntry = page.locator('[data-testid="log-entry"][data-outcome="failed"]').first();
    await failedEntry.waitFor();
    const reason = await failedEntry.locator('[data-field="reason"]').innerText();
    assert(/refused|no answer|closed|reach|network/i.test(reason), `reason: ${reason}`);
    console.log(`     reason shown: ${reason}`);
  });

  await reports.offlineAlert(t, { mailDir: MAIL_DIR, deviceId, deviceName: "Front door", owner: email });

  await devices.badDeviceSaysSo(t);
  await layout.longReason(t);

  await check("a push device: the form says what to enter, Waiting turns Connected, its punches arrive", async () => {
    // Users 1001-1003: people the first device has, so no seat is added.
    const sim = ["sim", "--devices", "1", "--users", "3", "--seed", "21"];
    const [serial] = JSON.parse(execFileSync(PC_BIN, [...sim, "--dump", "serials"]).toString());
    await page.goto("/devices/new?mode=push");
    await page.fill("#f-name", "Side gate");
    await page.fill("#f-serial_number", serial);
    await page.getByTestId("cloud-server-setting").waitFor();
    const where = `${await page.getByTestId("cloud-address").innerText()}:${await page.getByTestId("cloud-port").innerText()}`;
    assert(where === new URL(BASE).host, `Cloud Server Setting ${where}`);
    assert((await page.getByTestId("cloud-https").innerText()) === "Off", "HTTPS off");
    await Promise.all([page.waitForURL(/\/devices\/\d+$/), page.getByTestId("save-device").click()]);
    const label = page.getByTestId("device-status").first();
    assert((await label.innerText()) === "Waiting", `label ${await label.innerText()}`);
    assert((await page.getByTestId("push-serial").innerText()) === serial, "serial shown");
    await page.getByTestId("cloud-server-setting").waitFor();
    pushSim = spawn(PC_BIN, [...sim, "--push", BASE, "--punches-per-second", "2"], { stdio: "ignore" });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="device-status"]')?.innerText.trim() === "Connected",
      null, { timeout: 30000 });
    await page.screenshot({ path: join(SHOT_DIR, "push-connected.png"), fullPage: true });
    let punches = 0;
    for (let i = 0; i < 30 && punches === 0; i++) {
      await page.waitForTimeout(1000);
      await page.reload();
      punches = Number((await page.locator('a[href^="/punches?device="]').first().innerText()).replace(/,/g, ""));
    }
    assert(punches > 0, "punches from the push device");
    assert((await page.getByTestId("source-address").innerText()).startsWith("127.0.0.1"), "source address shown");
    pushSim.kill();
  });

  await check("layout at a 390px phone width", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, name] of [["/devices", "phone-devices"], [`/devices/${deviceId}`, "phone-device-log"], ["/employees", "phone-employees"], ["/punches", "phone-punches"], [`/attendance?date=${flaggedDay}`, "phone-attendance"], ["/timesheets", "phone-timesheets"]]) {
      await page.goto(path);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert(overflow <= 1, `${path} scrolls sideways by ${overflow}px`);
      // The first screen, as a phone shows it (full pages get very long).
      await page.screenshot({ path: join(SHOT_DIR, `${name}.png`) });
    }
    await page.setViewportSize({ width: 1366, height: 860 });
  });

  await check("company settings save", async () => {
    await page.click('nav a[href="/company"]');
    await page.fill("#f-poll_interval_minutes", "15");
    await Promise.all([page.waitForURL(/saved=1/), page.getByTestId("save-company").click()]);
    assert((await page.inputValue("#f-poll_interval_minutes")) === "15", "saved value shown");
    await page.screenshot({ path: join(SHOT_DIR, "company.png"), fullPage: true });
  });

  await zones.oldNameSavedAsCurrent(t);

  await check("log out; an open page notices the session ended and goes to log in", async () => {
    const watcher = await context.newPage();
    await watcher.goto("/devices");
    await Promise.all([page.waitForURL("**/login"), page.getByTestId("logout").click()]);
    await watcher.waitForURL(/\/login\?expired=1/, { timeout: 15_000 });
    await watcher.getByText("Your session ended").waitFor();
    await watcher.close();
    await page.goto("/employees");
    assert(new URL(page.url()).pathname === "/login", page.url());
    await page.fill("#f-email", email);
    await page.fill("#f-password", "wrong password");
    await page.getByTestId("login-submit").click();
    await page.getByTestId("login-error").waitFor();
    assert((await page.inputValue("#f-email")) === email, "email kept after a failed login");
    await page.fill("#f-password", "correct horse battery");
    // Back to the page asked for while signed out.
    await Promise.all([page.waitForURL("**/employees"), page.getByTestId("login-submit").click()]);
  });

  await login.nextThroughLogin(t, { email, password: "correct horse battery" });

  const email2 = `owner${Date.now()}@twelve.example`;
  await check("a sync over the trial's seats shows the blocked screen with the count and the limit", async () => {
    await Promise.all([page.waitForURL("**/login"), page.getByTestId("logout").click()]);
    await page.goto("/signup");
    await page.fill("#f-company", "Twelve Bakers");
    await page.fill("#f-timezone", "Europe/Berlin");
    await page.fill("#f-email", email2);
    await page.fill("#f-password", "correct horse battery");
    await signUpThroughMail(email2);
    await page.click('nav a[href="/account"]');
    const trialEnd = await page.getByTestId("trial-end").first().innerText();
    await page.goto("/devices/new");
    await page.fill("#f-name", "Till");
    await page.fill("#f-host", "127.0.0.1");
    await page.fill("#f-port", String(BIG_SIM_PORT));
    await Promise.all([page.waitForURL(/\/devices(\?|$)/), page.getByTestId("save-device").click()]);
    // The scheduler polls a new device at once, so the account may be
    // blocked already (no Sync button, or Sync refused): either way the
    // sync stored everything.
    if ((await page.getByTestId("blocked-screen").count()) === 0) {
      await Promise.all([page.waitForURL(/did=sync|\/sync$/), page.getByTestId("sync-now").click()]);
    }
    // The account is now blocked.
    await page.goto("/devices");
    const screen = page.getByTestId("blocked-screen");
    await screen.waitFor();
    const counts = await page.getByTestId("blocked-counts").innerText();
    assert(/12 employees are active/.test(counts) && /10 seats/.test(counts), `counts: ${counts}`);
    await page.getByTestId("go-deactivate").waitFor();
    await page.getByTestId("choose-team").waitFor();
    await page.screenshot({ path: join(SHOT_DIR, "blocked.png"), fullPage: true });
    // Punches are still visible once unblocked; employees stay reachable now.
    await page.goto("/employees");
    await page.getByTestId("account-notice").waitFor();
    globalThis.__trialEnd = trialEnd;
  });

  await dashboard.blockedDevicePanel(t);

  await employees.chooseWhomToDeactivate(t);
  await employees.searchBox(t);
  await employees.deactivateSeveral(t);

  await check("upgrading to the next plan asks to confirm, lifts the block and keeps the trial end", async () => {
    // What changes is shown first (seats, price, date); then Confirm.
    await plan.upgradeConfirmed(t);
    await page.getByTestId("action-result").waitFor();
    assert((await page.getByTestId("plan-name").innerText()).startsWith("Team"), "on Team");
    const end = await page.getByTestId("trial-end").first().innerText();
    assert(end === globalThis.__trialEnd, `trial end moved: ${globalThis.__trialEnd} -> ${end}`);
    await page.screenshot({ path: join(SHOT_DIR, "upgraded.png"), fullPage: true });
    await page.goto("/devices");
    assert((await page.getByTestId("blocked-screen").count()) === 0, "no blocked screen");
    await page.goto("/punches");
    assert((await page.getByTestId("blocked-screen").count()) === 0, "punches readable");
  });

  const oldClock = await devices.goodDeviceSaysSo(t, { name: "Old clock", port: LEGACY_SIM_PORT, timezone: "UTC" });
  await check("Sync the old clock", async () => {
    await page.goto(`/devices/${oldClock}`);
    await Promise.all([page.waitForURL(/did=sync/), page.getByTestId("sync-now").click()]);
    assert((await page.getByTestId("action-result").getAttribute("data-outcome")) === "ok", await page.getByTestId("action-result").innerText());
  });
  await employees.namesFromOldClocks(t, { oldClock, gbkPort: GBK_SIM_PORT, addDevice: devices.addDevice });
  await devices.setClockAdvice(t, oldClock);
  await devices.realtimeToggle(t, oldClock);
  await times.otherZoneLabelled(t, { deviceId: oldClock, company: "Europe/Berlin", zone: "UTC" });

  await plan.bothWays(t, { url: TRIAL_URL, email: `owner${Date.now()}@ended.example` });

  // Last: the service with mail shares the cookie host 127.0.0.1.
  await security.security(t, { sec: SEC_URL, mailDir: MAIL_DIR });

  await check("no script errors and nothing fetched from outside", async () => {
    assert(consoleErrors.length === 0, `console: ${consoleErrors.join(" | ")}`);
    assert(outside.length === 0, `outside requests: ${outside.join(" ")}`);
  });
} finally {
  await context.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
}

console.log(`screenshots: ${SHOT_DIR}`);
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
