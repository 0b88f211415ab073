// Issue 14 item 8: current zones only, region by region, type-to-search
// with a datalist; sign-up still starts at the browser's zone.

export async function zoneList(t) {
  const { page, context, assert } = t;
  await t.check("time zones: current zones only, grouped by region, searchable, the browser's zone guessed", async () => {
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setTimezoneOverride", { timezoneId: "America/Toronto" });
    await page.goto("/signup");
    const field = page.locator("#f-timezone");
    assert((await field.getAttribute("list")) === "zones-timezone", "a text field with a datalist");
    assert((await field.inputValue()) === "America/Toronto", `guessed ${await field.inputValue()}`);
    const zones = await page.locator("#zones-timezone option").evaluateAll((os) => os.map((o) => [o.value, o.label]));
    const names = zones.map((z) => z[0]);
    assert(names.length > 300 && names.length < 450, `${names.length} zones`);
    for (const old of ["Asia/Calcutta", "Europe/Kiev", "US/Eastern"]) assert(!names.includes(old), `${old} listed`);
    assert(!names.some((n) => n.startsWith("Canada/")), "Canada/* listed");
    assert(names.includes("Asia/Kolkata") && names.includes("America/Toronto"), "current names listed");
    // Region by region: once a region ends it never comes back.
    const regions = names.map((n) => n.split("/")[0]);
    const blocks = regions.filter((r, i) => i === 0 || r !== regions[i - 1]);
    assert(new Set(blocks).size === blocks.length, `regions split: ${blocks.join(" ")}`);
    const kolkata = zones.find((z) => z[0] === "Asia/Kolkata");
    assert(/India/.test(kolkata[1]) && /Asia/.test(kolkata[1]), `label ${kolkata[1]}`);
    await t.both("item08-timezone-list", false);
    await cdp.send("Emulation.setTimezoneOverride", { timezoneId: "" });
    await cdp.detach();
  });
}

export async function oldNameSavedAsCurrent(t) {
  const { page, assert } = t;
  await t.check("time zones: an old name typed (Asia/Calcutta) is saved as the current one", async () => {
    await page.goto("/company");
    const before = await page.inputValue("#f-timezone");
    await page.fill("#f-timezone", "Asia/Calcutta");
    await Promise.all([page.waitForURL(/saved=1/), page.getByTestId("save-company").click()]);
    assert((await page.inputValue("#f-timezone")) === "Asia/Kolkata", await page.inputValue("#f-timezone"));
    await page.fill("#f-timezone", before);
    await Promise.all([page.waitForURL(/saved=1/), page.getByTestId("save-company").click()]);
    assert((await page.inputValue("#f-timezone")) === before, "zone restored");
  });
}
