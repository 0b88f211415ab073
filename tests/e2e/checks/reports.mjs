// Issue 12 §2 and §8: the end-of-day report for a chosen day arrives in
// the SMTP sink (smtp_sink.py, files in MAIL_DIR), its unsubscribe link
// works without login; a stopped device opens the offline alert, shown on
// its page, on the dashboard's open alerts, and mailed.

import { waitForMail } from "../mail.mjs";

export async function endOfDay(t, { mailDir, day, owner }) {
  const { page, assert } = t;
  const to = `reports${Date.now()}@bakery.example`;
  await t.check("set an employee's email, send a day's reports from Notifications, the mail arrives", async () => {
    await page.goto("/employees");
    const row = page.locator('[data-testid="employee-row"]:has([data-testid="employee-name"])').first();
    await Promise.all([page.waitForURL(/\/employees\/\d+\/edit/), row.getByTestId("edit-employee").click()]);
    await page.fill("#f-email", to);
    assert(await page.getByTestId("daily-report").isChecked(), "the daily report is on by default");
    await Promise.all([page.waitForURL(/saved=/), page.getByTestId("save-employee").click()]);
    await page.goto("/notifications");
    assert((await page.getByTestId("email-off").count()) === 0, "email is on in this run");
    await page.fill("#f-date", day);
    await Promise.all([page.waitForURL(/reports_day=/), page.getByTestId("send-reports-button").click()]);
    const said = await page.getByTestId("reports-result").innerText();
    assert(said.includes(day) && /[1-9]\d* queued/.test(said), said);
    await t.shot("reports-sent");
    const mine = await waitForMail(mailDir, (m) => m.to === to, `to ${to}`);
    assert(mine.subject.startsWith("Your day at "), mine.subject);
    for (const want of ["First in:", "Worked:", "text/plain", "text/html", "/unsubscribe/"]) {
      assert(mine.body.includes(want), `${want} in the report`);
    }
    const summary = await waitForMail(mailDir, (m) => m.to === owner && m.body.includes("Open the dashboard"), `summary to ${owner}`);
    assert(/present, \d+ late, \d+ absent/.test(summary.subject), summary.subject);
    console.log(`     "${mine.subject}" to ${to}; "${summary.subject}" to the owner`);
    t.state.unsubscribe = /(http:\/\/[^\s"<>]*\/unsubscribe\/[0-9a-f]{48})/.exec(mine.body)[1];
    // Again: nobody gets the same day twice.
    await page.fill("#f-date", day);
    await Promise.all([page.waitForURL(/reports_day=/), page.getByTestId("send-reports-button").click()]);
    assert((await page.getByTestId("reports-result").innerText()).includes(": 0 queued"), "once per day");
  });

  await t.check("the report's unsubscribe link works without login", async () => {
    const anon = await t.context.browser().newContext();
    const p = await anon.newPage();
    await p.goto(t.state.unsubscribe);
    await Promise.all([p.waitForLoadState(), p.getByTestId("unsubscribe").click()]);
    await p.waitForFunction(() => /Unsubscribed/.test(document.body.innerText));
    await anon.close();
    await page.goto("/employees");
    const row = page.locator('[data-testid="employee-row"]:has([data-testid="employee-name"])').first();
    await Promise.all([page.waitForURL(/\/employees\/\d+\/edit/), row.getByTestId("edit-employee").click()]);
    assert(!(await page.getByTestId("daily-report").isChecked()), "the daily report is off now");
  });
}

export async function offlineAlert(t, { mailDir, deviceId, deviceName, owner }) {
  const { page, assert } = t;
  await t.check("a stopped device: the offline alert on its page, by mail, and on the dashboard", async () => {
    // One failed sync happened already; two more make three in a row.
    for (let i = 0; i < 2; i++) {
      await page.goto("/devices");
      await Promise.all([page.waitForURL(/did=sync/), page.getByTestId("sync-now").first().click()]);
    }
    const alert = page.locator('[data-testid="device-alerts"] [data-testid="alert"][data-rule="offline"][data-state="open"]');
    for (let i = 0; i < 40 && (await alert.count()) === 0; i++) {
      await page.goto(`/devices/${deviceId}`);
      if ((await alert.count()) === 0) await new Promise((r) => setTimeout(r, 1000));
    }
    assert((await alert.count()) === 1, "the offline alert is on the device page");
    console.log(`     alert: ${(await alert.innerText()).replace(/\s+/g, " ").slice(0, 160)}`);
    await t.shot("device-offline-alert");
    const mail = await waitForMail(mailDir, (m) => m.to === owner && m.subject === `Alert: ${deviceName}: offline`, "about the offline device");
    assert(mail.body.includes(`/devices/${deviceId}`), "the mail links to the device");
    // The dashboard's "Open alerts" panel lists it, with the device's name.
    await page.goto("/");
    const listed = page.locator('[data-testid="alerts"] [data-testid="alert"][data-kind="offline"]', { hasText: deviceName });
    await listed.first().waitFor({ timeout: 10000 });
    assert((await listed.count()) === 1, "the dashboard lists the offline alert once");
    await t.shot("dashboard-offline-alert");
    console.log(`     dashboard: ${(await listed.innerText()).replace(/\s+/g, " ").slice(0, 120)}`);
  });
}
