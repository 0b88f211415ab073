// Issue 9 §1: the dashboard at `/` shows who is in, refreshes in place, and
// keeps its device panel while the account is blocked.
import { overflowing } from "../support.mjs";

/** The company's wall clock now ("HH:MM") in `zone`, and its date. */
function wallClock(zone, date = new Date()) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(date).map((p) => [p.type, p.value]),
  );
  return { day: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

export async function whoIsIn(t, zone) {
  const { page, assert } = t;
  await t.check("the dashboard shows who is in (a check-in added today), at 1366 and 390 px", async () => {
    // A check-in nearer the Day shift's start (09:00-17:00, window from
    // 07:00) than its end, so the pairing reads a lone punch as an in:
    // 10:00, or two minutes ago if that is earlier; before 07:05 there is
    // no such time yet today.
    const { day, time } = wallClock(zone, new Date(Date.now() - 120_000));
    if (time < "07:05") {
      console.log(`     ignored: ${time} in ${zone} is before any shift window today`);
      return;
    }
    const at = time > "10:00" ? "10:00" : time;
    // Someone without a punch today checks in (by hand: a forgotten badge).
    await page.goto(`/attendance?date=${day}`);
    const row = page.locator('[data-testid="attendance-row"]', { has: page.locator('[data-field="first-in"]', { hasText: "—" }) }).first();
    const who = await row.getAttribute("data-employee-id");
    await Promise.all([page.waitForURL(/\/punches\/new/), row.getByTestId("add-punch").click()]);
    await page.fill("#f-time", at);
    await page.fill("#f-reason", "Badge left at home");
    await Promise.all([page.waitForURL(/done=added/), page.getByTestId("save-punch").click()]);
    await page.click('nav a[href="/"]');
    await page.getByTestId("dashboard").waitFor();
    for (const [width, height] of [[1366, 860], [390, 844]]) {
      await page.setViewportSize({ width, height });
      await page.reload();
      const person = page.locator(`[data-testid="in-person"][data-employee-id="${who}"]`);
      await person.waitFor();
      assert(await person.isVisible(), `${width}px: the person is shown`);
      const since = await person.locator('[data-field="since"]').innerText();
      assert(since === at, `${width}px: in since ${since}, expected ${at}`);
      assert((await person.locator('[data-field="device"]').innerText()) === "added by hand", "no device for a punch by hand");
      const present = Number(await page.getByTestId("today-present").locator('[data-field="count"]').innerText());
      assert(present >= 1, `present ${present}`);
      await page.getByTestId("device-panel").waitFor();
      await page.getByTestId("hours-chart").waitFor();
      const summary = await page.getByTestId("hours-summary").innerText();
      assert(/worked over the last 30 days|No worked time/.test(summary), summary);
      const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert(sideways <= 1, `${width}px: the dashboard scrolls sideways by ${sideways}px`);
      const bad = await page.evaluate(overflowing, ".card, .table-wrap, td");
      assert(bad.length === 0, `${width}px overflows: ${bad.join("; ")}`);
      await t.shot(`issue09-dashboard-${width}`);
    }
    await t.wide();
    // Each count opens the people behind it.
    await Promise.all([page.waitForURL(/show=present/), page.getByTestId("today-present").click()]);
    await page.getByTestId("figure-filter").waitFor();
    assert((await page.locator(`[data-testid="attendance-row"][data-employee-id="${who}"]`).count()) === 1, "listed under present");
  });

  await t.check("the dashboard refreshes in place, without a reload", async () => {
    await page.goto("/");
    await page.getByTestId("dashboard").waitFor();
    await page.evaluate(() => { window.__sameDocument = true; });
    // Coming back to the tab fetches at once (otherwise every 20 s).
    await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
    await page.waitForFunction(() => document.querySelector("[data-live-panels]").hasAttribute("data-refreshed"), null, { timeout: 15_000 });
    assert(await page.evaluate(() => window.__sameDocument === true), "the page was not reloaded");
    await page.getByTestId("in-now").waitFor();
    await page.goto("/devices");
  });
}

export async function blockedDevicePanel(t) {
  const { page, assert } = t;
  await t.check("a blocked account's dashboard keeps the device panel (syncing goes on)", async () => {
    await page.goto("/");
    await page.getByTestId("blocked-screen").waitFor();
    const panel = page.getByTestId("device-panel");
    await panel.waitFor();
    const online = await page.getByTestId("devices-online").innerText();
    const offline = await page.getByTestId("devices-offline").innerText();
    assert(/\d+ online/.test(online) && /\d+ offline/.test(offline), `${online} / ${offline}`);
    assert((await page.getByTestId("manage-devices").getAttribute("href")) === "/devices", "links to Manage Devices");
    assert((await page.getByTestId("in-now").count()) === 0, "attendance waits for the upgrade");
    await t.shot("issue09-dashboard-blocked");
  });
}
