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
