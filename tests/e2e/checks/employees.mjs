// Issue 14 item 3: the Employees page finds people by a search box, ticks
// several and (de)activates them together; the blocked screen's "Choose
// whom to deactivate" opens the active people, longest silent first.

/** Runs in the page: the rows as { id, name, active, last } (last: seconds or null). */
function rows() {
  return [...document.querySelectorAll('[data-testid="employee-row"]')].map((r) => ({
    id: r.dataset.employeeId,
    name: r.querySelector('[data-testid="employee-name"], [data-testid="no-name"]').textContent.trim(),
    active: r.dataset.active === "true",
    last: r.dataset.lastPunch ? Number(r.dataset.lastPunch) : null,
  }));
}

export async function chooseWhomToDeactivate(t) {
  const { page, assert } = t;
  await t.check("blocked: 'Choose whom to deactivate' lists active people, never-punched and longest silent first", async () => {
    await page.goto("/devices");
    await Promise.all([page.waitForURL(/\/employees\?/), page.getByTestId("go-deactivate").click()]);
    const url = new URL(page.url());
    assert(url.searchParams.get("show") === "active" && url.searchParams.get("sort") === "last-punch", page.url());
    const list = await page.evaluate(rows);
    assert(list.length === 12 && list.every((r) => r.active), `${list.length} rows: ${JSON.stringify(list)}`);
    const lasts = list.map((r) => (r.last === null ? -Infinity : r.last));
    assert(lasts.every((v, i) => i === 0 || lasts[i - 1] <= v), `not oldest first: ${lasts.join(",")}`);
    assert(list.some((r) => r.last !== null), "some people have punched");
    await t.both("item03-choose-whom-to-deactivate");
  });
}

export async function searchBox(t) {
  const { page, assert } = t;
  await t.check("employees: the search box finds people by part of a name, any case, and keeps the view", async () => {
    await page.goto("/employees?show=active&sort=last-punch");
    const all = await page.evaluate(rows);
    const named = all.find((r) => r.name !== "NO NAME");
    const part = named.name.slice(0, 3).toLowerCase();
    await page.fill("#f-q", part);
    await Promise.all([page.waitForURL(/q=/), page.locator('[data-testid="employee-search"] button').click()]);
    const found = await page.evaluate(rows);
    assert(found.length >= 1 && found.length < all.length, `${found.length} of ${all.length} for "${part}"`);
    assert(found.every((r) => r.name.toLowerCase().includes(part)), `"${part}": ${found.map((r) => r.name).join(", ")}`);
    assert(new URL(page.url()).searchParams.get("sort") === "last-punch", "sort kept");
    await t.both("item03-search");
    await page.fill("#f-q", "nobody-is-called-this");
    await Promise.all([page.waitForURL(/nobody/), page.locator('[data-testid="employee-search"] button').click()]);
    assert(/Nobody matches/.test(await page.getByTestId("no-employees").innerText()), "empty search says so");
  });
}

export async function deactivateSeveral(t) {
  const { page, assert } = t;
  await t.check("employees: tick two people, Deactivate, the block lifts; Activate brings it back", async () => {
    await page.goto("/employees?show=active&sort=last-punch");
    const first = await page.evaluate(rows);
    const picked = first.slice(0, 2);
    for (const r of picked) await page.locator(`[data-testid="employee-row"][data-employee-id="${r.id}"] [data-testid="select-employee"]`).check();
    await t.shot("item03-ticked-1366", false);
    await Promise.all([page.waitForURL(/did=deactivated/), page.getByTestId("bulk-deactivate").click()]);
    assert(/Deactivated 2 people/.test(await page.getByTestId("action-result").innerText()), await page.getByTestId("action-result").innerText());
    const left = await page.evaluate(rows);
    assert(left.length === 10 && !left.some((r) => picked.some((p) => p.id === r.id)), `${left.length} active left`);
    assert((await page.getByTestId("account-notice").count()) === 0, "no longer blocked");
    await page.goto("/devices");
    assert((await page.getByTestId("blocked-screen").count()) === 0, "devices page is back");
    // The same two, ticked with "all on this page" among the inactive, come back.
    await page.goto("/employees?show=inactive");
    await page.getByTestId("select-all").check();
    const ticked = await page.locator('[data-testid="select-employee"]:checked').count();
    assert(ticked === 2, `select-all ticked ${ticked}`);
    await Promise.all([page.waitForURL(/did=activated/), page.getByTestId("bulk-activate").click()]);
    assert(/Activated 2 people/.test(await page.getByTestId("action-result").innerText()), "activated");
    await page.goto("/devices");
    await page.getByTestId("blocked-screen").waitFor();
    // Nothing ticked: said so, nothing changed.
    await page.goto("/employees?show=active");
    await page.getByTestId("bulk-deactivate").click();
    assert(/Tick at least one/.test(await page.getByTestId("action-result").innerText()), "nothing ticked");
  });
}

/**
 * Issue 14 item 12: names an older clock stores in CP1252 arrive whole
 * (the last-resort code page). A clock in another code page that reports
 * no language (the GB2312 sim) arrives garbled until its per-device
 * encoding is set on the edit page; then its names are decoded again from
 * the kept bytes, without another sync.
 */
export async function namesFromOldClocks(t, { oldClock, gbkPort, addDevice }) {
  const { page, assert } = t;
  let gbk;
  await t.check("names from older clocks: CP1252 (Núñez, José Müller) arrive whole and can be searched", async () => {
    gbk = await addDevice(page, { name: "Shenzhen clock", host: "127.0.0.1", port: gbkPort, timezone: "UTC" });
    for (const id of [oldClock, gbk]) {
      await page.goto(`/devices/${id}`);
      await Promise.all([page.waitForURL(/did=sync/), page.getByTestId("sync-now").click()]);
    }
    await page.goto("/employees?show=all");
    const names = await page.locator('[data-testid="employee-name"]').allInnerTexts();
    for (const n of ["Núñez", "José Müller"]) assert(names.includes(n), `${n} missing: ${names.join(", ")}`);
    // Without a setting, GB2312 bytes are read as CP1252, the last resort.
    for (const n of ["ÍõÐ¡Ã÷", "ÀîÄÈ"]) assert(names.includes(n), `${n} missing: ${names.join(", ")}`);
    await t.both("item12-names-auto");
    await page.fill("#f-q", "núñez");
    await Promise.all([page.waitForURL(/q=/), page.locator('[data-testid="employee-search"] button').click()]);
    const found = await page.locator('[data-testid="employee-name"]').allInnerTexts();
    assert(found.length === 1 && found[0] === "Núñez", `search "núñez": ${found.join(", ")}`);
    await t.shot("item12-names-1366", false);
  });
  await t.check("names from older clocks: setting a device's encoding to GB2312 reads its names again (王小明, 李娜)", async () => {
    await page.goto(`/devices/${gbk}/edit`);
    const select = page.getByTestId("name-encoding");
    assert((await select.inputValue()) === "auto", `default: ${await select.inputValue()}`);
    const options = await select.locator("option").evaluateAll((os) => os.map((o) => o.value));
    for (const v of ["auto", "utf-8", "cp1252", "gb2312", "cp1256", "cp1251", "cp1250", "cp1253", "cp1254", "cp1255", "cp1257", "cp874", "shift_jis", "euc-kr", "big5"]) {
      assert(options.includes(v), `${v} not offered: ${options.join(", ")}`);
    }
    await t.both("item12-encoding-setting");
    // (both() reloads the page, so choose after it.)
    await page.getByTestId("name-encoding").selectOption("gb2312");
    await page.getByTestId("name-encoding").scrollIntoViewIfNeeded();
    await t.shot("item12-encoding-gb2312-1366", false);
    await Promise.all([page.waitForURL(/\/devices\?saved=/), page.getByTestId("save-device").click()]);
    // Decoded again from the kept bytes: the clock is not contacted.
    await page.goto("/employees?show=all");
    const names = await page.locator('[data-testid="employee-name"]').allInnerTexts();
    for (const n of ["王小明", "李娜", "Núñez", "José Müller"]) assert(names.includes(n), `${n} missing: ${names.join(", ")}`);
    assert(!names.includes("ÍõÐ¡Ã÷"), `garbled name left: ${names.join(", ")}`);
    await t.both("item12-names-gb2312");
    await page.goto(`/devices/${gbk}/edit`);
    assert((await page.getByTestId("name-encoding").inputValue()) === "gb2312", "the setting is saved");
  });
}

/**
 * Issue 12 §6: a person the clock shows no name for ("NO NAME" there) is
 * named here, and the owner ticks "Also write this name to the clocks":
 * the device's care panel lists the write, and the next sync reads the
 * name back from the simulated clock, after which the box is gone.
 */
export async function pushName(t, { deviceId, enroll }) {
  const { page, assert } = t;
  await t.check("employees: 'Also write this name to the clocks' writes it to the device, read back by the next sync", async () => {
    await page.goto("/employees?show=all");
    const row = page.locator(`[data-testid="employee-row"][data-enroll-id="${enroll}"]`);
    const name = await row.getByTestId("employee-name").innerText();
    await Promise.all([page.waitForURL(/\/employees\/\d+\/edit/), row.getByTestId("edit-employee").click()]);
    const edit = page.url();
    const box = page.getByTestId("push-name");
    assert(!(await box.isChecked()), "the box starts unticked");
    await box.check();
    await t.shot("item12-push-name", false);
    await Promise.all([page.waitForURL(/saved=/), page.getByTestId("save-employee").click()]);
    await page.goto(`/devices/${deviceId}`);
    const written = page.locator('[data-testid="device-event"][data-kind="name_pushed"]');
    assert((await written.count()) === 1, `${await written.count()} name_pushed events`);
    const said = await written.first().innerText();
    assert((await written.first().getAttribute("data-outcome")) === "ok", said);
    assert(said.includes(`"${name}"`) && said.includes(enroll), said);
    await Promise.all([page.waitForURL(/did=sync/), page.getByTestId("sync-now").click()]);
    await page.goto(edit);
    const about = await page.locator("main .card p.muted").first().innerText();
    assert(about.includes(`The device calls this person "${name}"`), about);
    assert((await page.getByTestId("push-name").count()) === 0, "no box once the clock shows a name");
  });
}
