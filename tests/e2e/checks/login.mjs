// Issue 14 item 2: a page asked for while signed out comes back after
// login, query and all; a next that leaves the site goes to /devices.

export async function nextThroughLogin(t, { email, password }) {
  const { page, assert } = t;
  await t.check("login keeps where you were going: /punches?employee=N comes back after login", async () => {
    await page.goto("/employees");
    const id = await page.locator('[data-testid="employee-row"]').nth(2).getAttribute("data-employee-id");
    await Promise.all([page.waitForURL("**/login"), page.getByTestId("logout").click()]);
    await page.goto(`/punches?employee=${id}`);
    assert(new URL(page.url()).pathname === "/login", page.url());
    await page.fill("#f-email", email);
    await page.fill("#f-password", password);
    await Promise.all([page.waitForURL(/\/punches\?/), page.getByTestId("login-submit").click()]);
    const url = new URL(page.url());
    assert(url.pathname === "/punches" && url.searchParams.get("employee") === id, page.url());
    assert((await page.inputValue('input[name="employee"]')) === id, "the filter keeps that person");
    await t.shot("item02-after-login-1366", false);
    // Off-site is refused: the strict check sends it to the dashboard.
    await Promise.all([page.waitForURL("**/login"), page.getByTestId("logout").click()]);
    await page.goto("/login?next=%2F%2Fevil.example%2Fx");
    await page.fill("#f-email", email);
    await page.fill("#f-password", password);
    await Promise.all([page.waitForURL((u) => u.pathname === "/"), page.getByTestId("login-submit").click()]);
  });
}
