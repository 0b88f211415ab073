// Issue 11 item 8: account security and password reset, on the service
// that sends mail (SEC_URL, mail into SEC_MAIL_DIR through aiosmtpd). Runs
// last: its session cookie shares the host 127.0.0.1 with the others.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

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

/** Mail bodies in the maildir (quoted-printable or base64 parts decoded). */
function mails(dir) {
  const out = [];
  for (const sub of ["new", "cur"]) {
    let names = [];
    try { names = readdirSync(join(dir, sub)); } catch { continue; }
    for (const n of names) {
      const raw = readFileSync(join(dir, sub, n), "utf8");
      let text = raw.replace(/=\r?\n/g, "").replace(/=3D/gi, "=");
      for (const m of raw.matchAll(/Content-Transfer-Encoding: base64\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/gi)) {
        text += "\n" + Buffer.from(m[1].replace(/\s+/g, ""), "base64").toString("utf8");
      }
      out.push(text);
    }
  }
  return out;
}

/** The first mail to `email` for which `find` gives something, within 30 s. */
async function mailed(dir, email, what, find) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for (const m of mails(dir)) {
      const found = m.includes(email) && find(m);
      if (found) return found;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no ${what} mail for ${email} within 30 s`);
}

const linkTo = (path) => (m) => {
  const link = m.match(new RegExp(`http://127\\.0\\.0\\.1:\\d+/${path}/[0-9a-f]{64}`));
  return link && link[0];
};

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
    const link = await mailed(mailDir, email, "sign-up", linkTo("signup/confirm"));
    await page.goto(link);
    await Promise.all([page.waitForURL(/\/devices/), page.getByTestId("confirm-submit").click()]);
  });

  await check("a second sign-up with a taken email gets the same page; its owner is mailed", async () => {
    await page.goto(`${sec}/devices`);
    await Promise.all([page.waitForURL(/\/login/), page.getByTestId("logout").click()]);
    const first = await signUp("Someone Else", "another fine phrase 31");
    assert(first.includes(email), first);
    await mailed(mailDir, email, "already registered", (m) => m.includes("already has an account"));
    await page.goto(`${sec}/login`);
    await page.fill("#f-email", email);
    await page.fill("#f-password", PASSWORD);
    await Promise.all([page.waitForURL(/\/devices/), page.getByTestId("login-submit").click()]);
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
    const link = await mailed(mailDir, email, "reset", linkTo("password/reset"));
    await page.goto(link);
    await page.fill("#f-password", RESET_PASSWORD);
    await Promise.all([page.waitForURL(/\/login\?reset=1/), page.getByRole("button", { name: "Set password" }).click()]);
    await page.getByTestId("login-notice").waitFor();
    await page.fill("#f-email", email);
    await page.fill("#f-password", RESET_PASSWORD);
    await Promise.all([page.waitForURL(/\/devices/), page.getByTestId("login-submit").click()]);
    // The link works once.
    await page.goto(link);
    await page.fill("#f-password", "another fine phrase 55");
    await page.getByRole("button", { name: "Set password" }).click();
    await page.getByTestId("reset-error").waitFor();
    await t.shot("item11-reset-used");
  });
}
