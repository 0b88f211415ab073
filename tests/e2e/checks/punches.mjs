// Issue 14 items 5 and 11: verify methods by name; past the last page.

export async function verifyNames(t) {
  const { page, assert } = t;
  await t.check("punches name every verify method (no raw codes)", async () => {
    await page.goto("/punches");
    const methods = new Set((await page.locator('[data-field="verify"]').allInnerTexts()).map((s) => s.trim()));
    const list = [...methods].join(", ");
    assert(![...methods].some((m) => /^method \d+$/.test(m)), `raw codes: ${list}`);
    // The simulator stamps 1 (fingerprint), 4 (card) and 15 (face).
    for (const name of ["fingerprint", "card", "face"]) assert(methods.has(name), `${name} missing: ${list}`);
    console.log(`     verify methods shown: ${list}`);
    await t.shot("item05-punches-1366", false);
  });
}

export async function pastLastPage(t) {
  const { page, assert } = t;
  await t.check("past the last page, /punches says this range has no punches and links back", async () => {
    await page.goto("/punches?page=45");
    const empty = page.getByTestId("no-punches");
    const text = await empty.innerText();
    assert(/This range has no punches/.test(text) && !/No punches yet/.test(text), text);
    const back = page.getByTestId("back-to-last-page");
    const href = await back.getAttribute("href");
    const last = Number(/page=(\d+)/.exec(href)[1]);
    assert(last >= 1 && last < 45, href);
    await t.both("item11-past-last-page", false);
    await Promise.all([page.waitForURL(new RegExp(`page=${last}$`)), back.click()]);
    assert((await page.getByTestId("punch-row").count()) > 0, "the last page has punches");
    assert((await page.getByTestId("next-page").count()) === 0, "and is the last");
  });
}

// Issue 9 §3: a page-size choice, a jump to a date, and an employee search
// the server does (no select of everyone).
export async function listTools(t) {
  const { page, assert } = t;
  await t.check("punches: a page-size choice and a jump to a date, at 1366 and 390 px", async () => {
    await page.goto("/punches");
    assert((await page.locator("select#f-employee").count()) === 0, "no select of every employee");
    await page.selectOption("#f-size", "25");
    await Promise.all([page.waitForURL(/size=25/), page.getByTestId("apply-filters").click()]);
    assert((await page.getByTestId("punch-row").count()) === 25, "25 a page");
    await Promise.all([page.waitForURL(/page=2/), page.getByTestId("next-page").click()]);
    assert(page.url().includes("size=25") && (await page.getByTestId("punch-row").count()) === 25, "paging keeps the size");
    // The oldest punch's day: the jump lands on the last page, on that day.
    await page.goto("/punches?size=25&page=999");
    const back = page.getByTestId("back-to-last-page");
    const last = Number(/page=(\d+)/.exec(await back.getAttribute("href"))[1]);
    await page.goto(`/punches?size=25&page=${last}`);
    const oldest = (await page.locator('[data-field="time"]').last().innerText()).slice(0, 10);
    await page.goto("/punches?size=25");
    await page.fill("#f-at", oldest);
    // It lands on the page holding that day's newest punch (the last page,
    // or the one before when the day starts there).
    await Promise.all([page.waitForURL(new RegExp(`#day-${oldest}$`)), page.getByTestId("apply-filters").click()]);
    const landed = Number(/page=(\d+)/.exec(page.url())[1]);
    assert(landed === last || landed === last - 1, `landed on page ${landed} of ${last}`);
    const anchor = page.locator(`#day-${oldest}`);
    assert((await anchor.count()) === 1, `a row marks ${oldest}`);
    assert((await anchor.locator('[data-field="time"]').innerText()).startsWith(oldest), "the marked row is on that day");
    assert((await page.inputValue("#f-size")) === "25", "the size is kept");
    for (const [w, h] of [[1366, 860], [390, 844]]) {
      await page.setViewportSize({ width: w, height: h });
      const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert(sideways <= 1, `${w}px: the punch list scrolls sideways by ${sideways}px`);
      await page.locator('[data-testid="punch-filters"]').screenshot({ path: t.shotPath(`issue09-punch-tools-${w}`) });
    }
    await t.wide();
  });

  await t.check("punches: the employee search says when no one matches, and past the last page says the range is empty", async () => {
    await page.goto("/punches?who=zzz-nobody");
    const err = await page.locator("#f-who-error").innerText();
    assert(/No one's name or enroll ID matches/.test(err), err);
    assert((await page.inputValue("#f-who")) === "zzz-nobody", "the search is kept");
    await page.goto("/punches?size=200&page=999");
    const text = await page.getByTestId("no-punches").innerText();
    assert(/This range has no punches/.test(text) && !/No punches yet/.test(text), text);
  });
}
