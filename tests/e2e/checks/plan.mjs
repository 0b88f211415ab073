// Issue 14 item 4: a plan change shows what changes (seats, price, date)
// and waits for Confirm, upgrades and downgrades alike.

/** On /account: press the plan's button; resolves on the confirmation. */
async function choose(page, id) {
  await Promise.all([page.waitForURL(/\/account\/plan\?plan=/), page.getByTestId(`choose-${id}`).click()]);
  return page.getByTestId("plan-confirm");
}

async function facts(page) {
  const text = async (id) => (await page.getByTestId(id).innerText()).replace(/\s+/g, " ");
  return { seats: await text("confirm-seats"), price: await text("confirm-price"), date: await text("confirm-date") };
}

/** The trial's upgrade, on the main service: confirm first, then changed. */
export async function upgradeConfirmed(t, pageCheck) {
  const { page, assert } = t;
  await page.goto("/account");
  const confirm = await choose(page, "team");
  assert((await confirm.getAttribute("data-direction")) === "upgrade", "an upgrade");
  const f = await facts(page);
  assert(/10 seats → 25 seats/.test(f.seats) && /12 employees are active/.test(f.seats), f.seats);
  assert(/\$\d+\.\d\d\/month → \$\d+\.\d\d\/month/.test(f.price), f.price);
  assert(/At once: \d{4}-\d\d-\d\d \d\d:\d\d/.test(f.date), f.date);
  assert((await page.getByTestId("plan-name").count()) === 0, "not changed yet");
  await t.both("item04-confirm-upgrade", false);
  await Promise.all([page.waitForURL(/changed=1/), page.getByTestId("confirm-plan").click()]);
  if (pageCheck) await pageCheck();
}

/** On a service whose trials end at once: up, then down, Cancel changes nothing. */
export async function bothWays(t, { url, email }) {
  const { page, assert } = t;
  await t.check("plan changes ask to confirm, showing seats, price and date, for upgrades and downgrades", async () => {
    await page.goto(`${url}/signup`);
    await page.fill("#f-company", "Ended Trial Ltd");
    await page.fill("#f-timezone", "Europe/Berlin");
    await page.fill("#f-email", email);
    await page.fill("#f-password", "correct horse battery");
    await Promise.all([page.waitForURL("**/devices"), page.getByTestId("signup-submit").click()]);
    await page.goto(`${url}/account`);
    await choose(page, "team");
    await Promise.all([page.waitForURL(/changed=1/), page.getByTestId("confirm-plan").click()]);
    assert((await page.getByTestId("plan-name").innerText()).startsWith("Team"), "on Team");
    const down = await choose(page, "starter");
    assert((await down.getAttribute("data-direction")) === "downgrade", "a downgrade");
    const f = await facts(page);
    assert(/25 seats → 10 seats/.test(f.seats), f.seats);
    assert(/→/.test(f.price) && /At once/.test(f.date), JSON.stringify(f));
    assert(/None: the plan is billed/.test(await page.getByTestId("confirm-trial").innerText()), "no trial");
    await t.both("item04-confirm-downgrade", false);
    await Promise.all([page.waitForURL(/\/account$/), page.getByTestId("cancel-plan").click()]);
    assert((await page.getByTestId("plan-name").innerText()).startsWith("Team"), "Cancel kept Team");
    await choose(page, "starter");
    await Promise.all([page.waitForURL(/changed=1/), page.getByTestId("confirm-plan").click()]);
    assert((await page.getByTestId("plan-name").innerText()).startsWith("Starter"), "down to Starter");
  });
}
