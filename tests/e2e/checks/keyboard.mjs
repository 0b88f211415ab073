// Issue 14 item 9: a "skip to content" link, and focus rings of at least
// 3:1, computed from the page's own CSS as the browser applies it.
import { focusedRing, ringContrast } from "../support.mjs";

export async function skipLink(t) {
  const { page, assert } = t;
  await t.check("keyboard: the first Tab shows 'Skip to content', which moves focus to the content", async () => {
    await page.goto("/devices");
    await page.keyboard.press("Tab");
    const link = await page.evaluate(() => {
      const el = document.activeElement;
      const r = el.getBoundingClientRect();
      return { text: el.textContent.trim(), href: el.getAttribute("href"), visible: r.top >= 0 && r.bottom <= innerHeight && r.width > 0 };
    });
    assert(link.text === "Skip to content" && link.href === "#main", JSON.stringify(link));
    assert(link.visible, "the link shows when focused");
    await t.shot("item09-skip-link-1366", false);
    await page.keyboard.press("Enter");
    assert((await page.evaluate(() => document.activeElement.id)) === "main", "focus moved to the content");
    await page.keyboard.press("Tab");
    assert(await page.evaluate(() => !!document.activeElement.closest("main")), "the next stop is in the content, past the navigation");
  });
}

export async function focusRings(t) {
  const { page, assert } = t;
  await t.check("keyboard: every focus ring contrasts at least 3:1 with what is around it", async () => {
    let weakest = { ratio: Infinity };
    let rings = 0;
    for (const path of ["/devices", "/devices/new", "/punches", "/account"]) {
      await page.goto(path);
      for (let i = 0; i < 30; i++) {
        await page.keyboard.press("Tab");
        const ring = await page.evaluate(focusedRing);
        if (!ring) continue;
        rings++;
        assert(ring.style !== "none" && ring.width >= 2, `${path}: ${ring.what} has no visible ring (${ring.style} ${ring.width}px)`);
        const ratio = ringContrast(ring);
        if (ratio < weakest.ratio) weakest = { ratio, where: `${path}: ${ring.what}`, color: ring.color };
      }
    }
    assert(rings > 40, `only ${rings} focus stops checked`);
    assert(weakest.ratio >= 3, `weakest ring ${weakest.ratio.toFixed(2)}:1 at ${weakest.where} (${weakest.color})`);
    console.log(`     ${rings} focus rings, weakest ${weakest.ratio.toFixed(2)}:1 (${weakest.where})`);
    await page.goto("/devices");
    await page.getByTestId("add-device").focus();
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Tab");
    await page.locator(".page-head").screenshot({ path: t.shotPath("item09-focus-ring-1366") });
  });
}
