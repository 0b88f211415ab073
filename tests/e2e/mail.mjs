// Reading the mail the services under test send, from the SMTP sink's
// folder (smtp_sink.py: one NNNNNN.eml per message, the envelope
// recipients on its first line as "To: a,b"). Every service of the run
// mails into the same sink; checks tell their mail apart by recipient.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The body as text: quoted-printable undone and base64 parts decoded. */
function decode(raw) {
  let body = raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  for (const m of raw.matchAll(/Content-Transfer-Encoding: base64\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/gi)) {
    body += "\n" + Buffer.from(m[1].replace(/\s+/g, ""), "base64").toString("utf8");
  }
  return body;
}

/** Every mail in the sink, oldest first: { to, subject, body }. */
export function mails(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".eml"))
    .sort()
    .map((f) => {
      const raw = readFileSync(join(dir, f), "utf8");
      const to = /^To: (.*)\r?\n/.exec(raw)[1];
      // Headers are folded at 78 characters: unfold before reading one.
      const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, " ");
      const subject = (/\nSubject: (.*)/.exec(head) || [])[1] || "";
      return { to, subject, body: decode(raw) };
    });
}

/** The first mail `match` accepts, waiting up to `seconds` for it. */
export async function waitForMail(dir, match, what, seconds = 30) {
  for (let i = 0; i < seconds * 4; i++) {
    const found = mails(dir).find(match);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no mail ${what} within ${seconds} s; the sink has: ${mails(dir).map((m) => `${m.to}: ${m.subject}`).join(" | ")}`);
}

/** A link in a mail to `to` whose path starts with `path` and ends in a 64-hex token. */
export async function mailedLink(dir, to, path, what) {
  const pattern = new RegExp(`http://127\\.0\\.0\\.1:\\d+/${path}/[0-9a-f]{64}`);
  const mail = await waitForMail(dir, (m) => m.to === to && pattern.test(m.body), what);
  return pattern.exec(mail.body)[0];
}
