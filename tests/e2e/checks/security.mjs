// Issue 11 item 8: account security and password reset, on the service
// that sends mail (SEC_URL, its mail in the run's SMTP sink, MAIL_DIR). Runs
// last: its session cookie shares the host 127.0.0.1 with the others.

import { mailedLink, waitForMail } from "../mail.mjs";

const PASSWORD = "correct horse battery 42";
const NEW_PASSWORD = "staple orbit lantern 77";
const RESET_PASSWORD = "quiet meadow falcon 19";

/** A JSON call to the service's API, outside the browser. */
async function api(sec, method, path, { token, body } = {}) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${sec}/api/v1${path}`, { method, headers, body: body && JSON.stringify(body) });
  return { status: res.status, json: await res.json().catch(() => null) };
}

async function token(sec, email, password) {
  const r = await api(sec, "POST", "/login", { body: { email, password } });
  if (r.status !== 200) throw new Error(`API login: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.token;
}

export async function security(t, { sec, mailDir }) {
  const { page, assert, check } = t;
  const email = "owner@security.example.com";
  const rows = () => page.getByTestId("session");
  let apiToken;

  const signUp = async (company, password) => {
    await page.goto(`${sec}/signup`);
    await page.fill("#f-company", company);
    await page.fill("#f-email", email);
    await page.fill("#f-password", password);
    await page.getByTestId("signup-submit").click();
    return page.getByTestId("check-mail").innerText();
  };

  await check("sign-up with mail on: check your mail, then the mailed link signs in", async () => {
    const said = await signUp("Security Bakery", PASSWORD);
    assert(said.includes(email), said);
    await t.shot("item11-signup-check-mail");
    const link = await mailedLink(mailDir, email, "signup/confirm", "with the sign-up link");
    await page.goto(link);
    await Promise.all([page.waitForURL(/\/devices/), page.getByTestId("confirm-submit").click()]);
  });

  await check("a second sign-up with a taken email gets the same page; its owner is mailed", async () => {
    await page.goto(`${sec}/devices`);
    await Promise.all([page.waitForURL(/\/login/), page.getByTestId("logout").click()]);
    const first = await signUp("Someone Else", "another fine phrase 31");
    assert(first.includes(email), first);
    await waitForMail(mailDir, (m) => m.to === email && m.body.includes("already has an account"), "saying the email is registered");
    await page.goto(`${sec}/login`);
    await page.fill("#f-email", email);
    await page.fill("#f-password", PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === "/"), page.getByTestId("login-submit").click()]);
  });

  await check("security page: sessions and API tokens listed, one signed out", async () => {
    apiToken = await token(sec, email, PASSWORD);
    await page.goto(`${sec}/account/security`);
    assert((await rows().count()) === 2, `two sessions listed, got ${await rows().count()}`);
    const text = await page.getByTestId("sessions").innerText();
    assert(text.includes("API token") && text.includes("Browser") && text.includes("(this one)"), text);
    await t.both("item11-security");
    // Sign the API token out from the page.
    const apiRow = rows().filter({ hasText: "API token" });
    await Promise.all([page.waitForURL(/done=revoked/), apiRow.getByTestId("revoke").click()]);
    assert((await rows().count()) === 1, "one left");
    assert((await api(sec, "GET", "/devices", { token: apiToken })).status === 401, "the revoked token is refused");
  });

  await check("password change: the current one is checked, common ones refused, others signed out", async () => {
    apiToken = await token(sec, email, PASSWORD);
    await page.goto(`${sec}/account/security`);
    await page.fill("#f-current_password", "not the password");
    await page.fill("#f-new_password", NEW_PASSWORD);
    await page.getByTestId("change-password").click();
    await page.getByTestId("form-errors").waitFor();
    assert((await page.locator("main").innerText()).includes("current password is not right"), "wrong current refused");
    await page.fill("#f-current_password", PASSWORD);
    await page.fill("#f-new_password", "password123");
    await page.getByTestId("change-password").click();
    await page.getByTestId("form-errors").waitFor();
    await page.fill("#f-current_password", PASSWORD);
    await page.fill("#f-new_password", NEW_PASSWORD);
    await Promise.all([page.waitForURL(/done=password/), page.getByTestId("change-password").click()]);
    await page.getByTestId("action-result").waitFor();
    assert((await api(sec, "GET", "/devices", { token: apiToken })).status === 401, "the older token ended");
    assert((await rows().count()) === 1, "this browser stays signed in");
  });

  await check("log out everywhere ends this browser and every token", async () => {
    apiToken = await token(sec, email, NEW_PASSWORD);
    await page.goto(`${sec}/account/security`);
    await Promise.all([page.waitForURL(/\/login/), page.getByTestId("logout-everywhere").click()]);
    assert((await api(sec, "GET", "/devices", { token: apiToken })).status === 401, "the token ended");
    await page.goto(`${sec}/devices`);
    assert(new URL(page.url()).pathname === "/login", `signed out: ${page.url()}`);
  });

  await check("forgot password: the same answer for any email, a link by mail that works once", async () => {
    await page.goto(`${sec}/login`);
    await Promise.all([page.waitForURL(/\/password\/forgot/), page.getByTestId("forgot-password").click()]);
    await page.fill("#f-email", "nobody@security.example.com");
    await page.getByRole("button", { name: "Email me a link" }).click();
    const unknown = await page.getByTestId("reset-sent").innerText();
    await page.goto(`${sec}/password/forgot`);
    await page.fill("#f-email", email);
    await page.getByRole("button", { name: "Email me a link" }).click();
    const known = await page.getByTestId("reset-sent").innerText();
    assert(known === unknown, `answers differ: ${known} / ${unknown}`);
    await t.shot("item11-reset-sent");
    const link = await mailedLink(mailDir, email, "password/reset", "with the reset link");
    await page.goto(link);
    await page.fill("#f-password", RESET_PASSWORD);
    await Promise.all([page.waitForURL(/\/login\?reset=1/), page.getByRole("button", { name: "Set password" }).click()]);
    await page.getByTestId("login-notice").waitFor();
    await page.fill("#f-email", email);
    await page.fill("#f-password", RESET_PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === "/"), page.getByTestId("login-submit").click()]);
    // The link works once.
    await page.goto(link);
    await page.fill("#f-password", "another fine phrase 55");
    await page.getByRole("button", { name: "Set password" }).click();
    await page.getByTestId("reset-error").waitFor();
    await t.shot("item11-reset-used");
  });
}
