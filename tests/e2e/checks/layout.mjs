// Issue 14 item 10: layout at 1366 px and 390 px.
import { overflowing } from "../support.mjs";

const LONG_HOST = "front-door-clock-of-the-second-warehouse.north-branch-office.example-bakery-company.invalid";

export async function longReason(t) {
  const { page, assert } = t;
  await t.check("layout: a long reason in the device log stays inside its card at 1366 and 390 px", async () => {
    await page.goto("/devices/new");
    await page.fill("#f-name", "Warehouse");
    await page.fill("#f-host", LONG_HOST);
    await Promise.all([page.waitForURL(/added=/), page.getByTestId("save-device").click()]);
    const id = await page.locator('[data-testid="device-row"]', { hasText: "Warehouse" }).getAttribute("data-device-id");
    t.state.warehouseId = id;
    for (const [w, name] of [[1366, "item10-device-log-long-reason-1366"], [390, "item10-device-log-long-reason-390"]]) {
      await page.setViewportSize({ width: w, height: 860 });
      await page.goto(`/devices/${id}`);
      const reason = await page.locator('[data-testid="log-entry"] [data-field="reason"]').first().innerText();
      assert(reason.includes(LONG_HOST), `reason: ${reason}`);
      const bad = await page.evaluate(overflowing, ".card, .table-wrap, dl.facts dd, td");
      assert(bad.length === 0, `${w}px overflows: ${bad.join("; ")}`);
      await t.shot(name);
    }
    await t.wide();
  });
}

export async function phoneNav(t) {
  const { page, assert } = t;
  await t.check("layout: the phone navigation keeps every entry, Plan included, on one row", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/devices");
    const nav = await page.evaluate(() => {
      const links = [...document.querySelectorAll("nav.nav a")];
      const box = document.querySelector("nav.nav").getBoundingClientRect();
      return {
        tops: [...new Set(links.map((a) => Math.round(a.getBoundingClientRect().top)))],
        texts: links.map((a) => a.textContent.trim()),
        plan: (() => { const r = links.find((a) => a.textContent.trim() === "Plan").getBoundingClientRect(); return { left: r.left, right: r.right }; })(),
        box: { left: box.left, right: box.right },
        scrolls: getComputedStyle(document.querySelector("nav.nav")).overflowX,
      };
    });
    assert(nav.tops.length === 1, `nav rows: ${nav.tops.length} (${nav.texts.join(", ")})`);
    assert(nav.texts.includes("Plan"), nav.texts.join(","));
    const planShown = nav.plan.left >= nav.box.left - 1 && nav.plan.right <= nav.box.right + 1;
    assert(planShown || nav.scrolls === "auto", `Plan is cut off and the nav does not scroll: ${JSON.stringify(nav)}`);
    const bad = await page.evaluate(overflowing, "header.topbar");
    assert(bad.length === 0, bad.join("; "));
    await page.locator("header.topbar").screenshot({ path: t.shotPath("item10-phone-nav-390") });
    await t.wide();
  });
}

export async function phonePunches(t) {
  const { page, assert } = t;
  await t.check("layout: the phone punch list is compact (a full page well under 10,900 px)", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/punches");
    const rows = await page.getByTestId("punch-row").count();
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    const tallest = Math.max(...(await page.getByTestId("punch-row").evaluateAll((rs) => rs.map((r) => r.getBoundingClientRect().height))));
    console.log(`     ${rows} punches: page ${height}px tall, tallest row ${Math.round(tallest)}px`);
    await t.shot("item10-phone-punches-390");
    assert(rows === 50, `${rows} rows on a full page`);
    assert(height < 5000, `page is ${height}px tall`);
    assert(tallest <= 80, `a row is ${tallest}px tall`);
    const bad = await page.evaluate(overflowing, ".card, .table-wrap");
    assert(bad.length === 0, bad.join("; "));
    await t.wide();
  });
}

export async function employeeFilter(t) {
  const { page, assert } = t;
  await t.check("layout: the punch list's employee search finds a long name by part of it, shown whole at 1366 px and 390 px", async () => {
    await page.goto("/employees");
    const row = page.locator('[data-testid="employee-row"]').nth(1);
    await Promise.all([page.waitForURL(/edit/), row.getByTestId("edit-employee").click()]);
    await page.fill("#f-first_name", "Maximiliana");
    await page.fill("#f-last_name", "Ortega-Ruiz de la Fuente");
    await Promise.all([page.waitForURL(/saved=/), page.getByTestId("save-employee").click()]);
    for (const w of [1366, 390]) {
      await page.setViewportSize({ width: w, height: 860 });
      await page.goto("/punches");
      await page.fill("#f-who", "ortega-RUIZ");
      await Promise.all([page.waitForURL(/who=ortega-RUIZ/), page.getByTestId("apply-filters").click()]);
      const match = page.getByTestId("search-match");
      assert((await match.count()) === 1, `one match, got ${await match.count()}`);
      const text = await match.innerText();
      assert(text.startsWith("Maximiliana Ortega-Ruiz de la Fuente #"), text);
      const names = await page.locator('[data-testid="punch-row"] td.who').allInnerTexts();
      assert(names.length > 0 && names.every((n) => n.startsWith("Maximiliana Ortega-Ruiz de la Fuente")), `rows: ${[...new Set(names)].join(", ")}`);
      const m = await page.evaluate(() => {
        const f = document.querySelector("#f-who");
        const p = document.querySelector('[data-testid="search-matches"]');
        return { field: f.getBoundingClientRect().width, card: f.closest("form").getBoundingClientRect().width, cut: p.scrollWidth > p.clientWidth + 1 };
      });
      assert(!m.cut, `${w}px: the matched name is cut`);
      if (w === 390) assert(m.field >= m.card - 2 * 20 - 2, `search ${m.field}px in a ${m.card}px card`);
      await page.locator('[data-testid="punch-filters"]').screenshot({ path: t.shotPath(`item10-employee-filter-${w}`) });
    }
    await t.wide();
  });
}
