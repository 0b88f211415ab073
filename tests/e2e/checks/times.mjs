// Issue 14 item 6: the company zone in the footer; every time in another
// zone labelled with it.

/** Runs in the page: times whose zone is not the company's and that carry no label. */
function unlabelled(company) {
  return [...document.querySelectorAll("[data-time]")]
    .filter((el) => el.dataset.zone !== company)
    .filter((el) => !(el.querySelector(".zone-label") || { textContent: "" }).textContent.includes(el.dataset.zone))
    .map((el) => el.textContent.trim());
}

export async function footerZone(t, zone) {
  const { page, assert } = t;
  await t.check("the page footer names the company time zone", async () => {
    for (const path of ["/devices", "/punches", "/account", "/employees"]) {
      await page.goto(path);
      const footer = await page.getByTestId("footer-zone").innerText();
      assert(footer.includes(zone), `${path}: ${footer}`);
      assert((await page.evaluate(unlabelled, zone)).length === 0, `${path}: unlabelled times`);
    }
    await page.goto("/account");
    await t.both("item06-account-trial-end");
  });
}

export async function otherZoneLabelled(t, { deviceId, company, zone }) {
  const { page, assert } = t;
  await t.check(`times on a ${zone} device are labelled with its zone; company times carry none`, async () => {
    await page.goto(`/devices/${deviceId}`);
    const labels = await page.getByTestId("zone-label").allInnerTexts();
    assert(labels.length >= 2 && labels.every((l) => l === zone), `device page labels: ${labels.join(",")}`);
    assert((await page.evaluate(unlabelled, company)).length === 0, "every other-zone time is labelled");
    await t.both("item06-device-page");
    await page.goto(`/punches?device=${deviceId}`);
    const rows = await page.getByTestId("punch-row").count();
    const marked = await page.locator('[data-testid="punch-row"] [data-testid="zone-label"]').count();
    assert(rows > 0 && marked === rows, `${marked} of ${rows} device times labelled`);
    assert((await page.evaluate(unlabelled, company)).length === 0, "punch times labelled");
    await t.both("item06-punches-device-time", false);
  });
}
