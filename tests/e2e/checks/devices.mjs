// Issue 14 items 1 and 7: the first contact after adding a device, and
// advice on clock drift.

/** Add a device through the form; resolves on the page it lands on. */
export async function addDevice(page, { name, host, port, timezone }) {
  await page.goto("/devices/new");
  await page.fill("#f-name", name);
  await page.fill("#f-host", host);
  if (port) await page.fill("#f-port", String(port));
  if (timezone) await page.fill("#f-timezone", timezone);
  await Promise.all([page.waitForURL(/\/devices\?added=\d+/), page.getByTestId("save-device").click()]);
  return page.locator('[data-testid="device-row"]', { hasText: name }).getAttribute("data-device-id");
}

export async function badDeviceSaysSo(t) {
  const { page, assert } = t;
  await t.check("adding a device that cannot be reached says so in Test connection's words, and keeps it", async () => {
    const id = await addDevice(page, { name: "Branch office", host: "nonexistent.invalid" });
    const result = page.getByTestId("action-result");
    assert((await result.getAttribute("data-outcome")) === "failed", await result.innerText());
    const text = await result.innerText();
    assert(text.includes("Added Branch office.") && text.includes("Connection test: could not reach Branch office."), text);
    const reason = await page.getByTestId("action-reason").innerText();
    assert(/nonexistent\.invalid did not resolve/.test(reason), reason);
    await page.getByTestId("still-saved").waitFor();
    assert((await page.locator(`[data-testid="device-row"][data-device-id="${id}"]`).count()) === 1, "the device is saved");
    await t.both("item01-added-bad-device");
    // The same words as the Test connection button.
    await Promise.all([page.waitForURL(/did=test/), page.locator(`[data-testid="device-row"][data-device-id="${id}"]`).getByTestId("test-connection").click()]);
    assert((await page.getByTestId("action-reason").innerText()) === reason, "Test connection says the same");
  });
}

export async function goodDeviceSaysSo(t, { name, port, timezone }) {
  const { page, assert } = t;
  let id;
  await t.check(`adding ${name} shows its first contact: it answered`, async () => {
    id = await addDevice(page, { name, host: "127.0.0.1", port, timezone });
    const result = page.getByTestId("action-result");
    const text = await result.innerText();
    assert((await result.getAttribute("data-outcome")) === "ok", text);
    assert(text.includes(`Added ${name}.`) && text.includes(`Connection test: ${name} answered.`) && text.includes(`127.0.0.1:${port}`), text);
    await t.shot("item01-added-good-device-1366", false);
  });
  return id;
}

export async function wholeHoursAdvice(t, deviceId) {
  const { page, assert } = t;
  await t.check("a clock a whole number of hours off: the device's time zone is probably wrong, and how to fix it", async () => {
    await page.goto(`/devices/${deviceId}`);
    const drift = await page.getByTestId("clock-drift").innerText();
    assert(/\d+ h (ahead|behind)/.test(drift), drift);
    const advice = page.getByTestId("clock-advice");
    assert((await advice.getAttribute("data-advice")) === "zone", await advice.innerText());
    const text = await advice.innerText();
    assert(/time zone is probably wrong/.test(text) && /Menu › System › Date Time/.test(text) && /UTC\+00:00/.test(text), text);
    await t.both("item07-clock-whole-hours");
  });
}

export async function setClockAdvice(t, deviceId) {
  const { page, assert } = t;
  await t.check("a clock off by minutes: advice to set the clock, with the Set clock action", async () => {
    await page.goto(`/devices/${deviceId}`);
    const drift = await page.getByTestId("clock-drift").innerText();
    assert(/12 min 3\d s ahead/.test(drift), drift);
    const advice = page.getByTestId("clock-advice");
    assert((await advice.getAttribute("data-advice")) === "set-clock", await advice.innerText());
    await t.both("item07-clock-set");
    // The advice offers the action: it sets the clock, and a sync then finds it in step.
    await Promise.all([page.waitForURL(new RegExp(`/devices/${deviceId}$`)), advice.getByTestId("advice-set-clock").click()]);
    const done = page.locator('[data-testid="device-event"][data-kind="clock_set"]').first();
    assert((await done.getAttribute("data-outcome")) === "ok", await done.innerText());
    await Promise.all([page.waitForURL(/did=sync/), page.getByTestId("sync-now").click()]);
    assert(!/12 min/.test(await page.getByTestId("clock-drift").innerText()), await page.getByTestId("clock-drift").innerText());
    assert((await page.getByTestId("clock-advice").count()) === 0, "no advice once the clock is set");
  });
}

// Issue 12 §5: the device form's real-time toggle opens a live connection,
// which the device page reports.
export async function realtimeToggle(t, deviceId) {
  const { page, assert } = t;
  await t.check("turning on real-time in the device form opens a live connection, shown on the device page", async () => {
    await page.goto(`/devices/${deviceId}/edit`);
    const toggle = page.getByTestId("realtime");
    assert(!(await toggle.isChecked()), "off by default");
    await toggle.check();
    await Promise.all([page.waitForURL((u) => !u.pathname.endsWith("/edit")), page.getByTestId("save-device").click()]);
    await page.goto(`/devices/${deviceId}/edit`);
    assert(await page.getByTestId("realtime").isChecked(), "saved on");
    // The live job takes new realtime devices on its next round (20 s).
    const live = page.locator('[data-testid="device-event"][data-kind="live_connected"]');
    const until = Date.now() + 60_000;
    do {
      await page.goto(`/devices/${deviceId}`);
      if ((await live.count()) > 0) break;
      await page.waitForTimeout(2000);
    } while (Date.now() < until);
    assert((await live.count()) > 0, "no live connection reported on the device page");
    assert(/punches arrive as they are made/.test(await live.first().innerText()), await live.first().innerText());
    await t.both("item12-realtime-connected");
  });
}
