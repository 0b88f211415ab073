// Issue 9 §2/§4: downloads from the pages. The links carry the filters on
// screen; each file is read back: CSV parsed line by line, XLSX checked
// to be a zip with the sheet inside.

import { readFileSync } from "node:fs";

/** Click a download link; resolves on the file's suggested name and bytes. */
async function download(page, testId) {
  const [d] = await Promise.all([page.waitForEvent("download"), page.getByTestId(testId).click()]);
  return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
}

/** CSV lines split into fields (the files here have no quoted commas). */
function lines(bytes) {
  return bytes.toString("utf8").trim().split("\n").map((l) => l.split(","));
}

export async function downloads(t, { from, to, zone }) {
  const { page, assert } = t;
  await t.check("the timesheet downloads as CSV (one row per person and day) and XLSX, the period in the name", async () => {
    await page.goto(`/timesheets?from=${from}&to=${to}`);
    const csv = await download(page, "timesheet-days-csv");
    assert(csv.name === `timesheet_days_${from}_${to}.csv`, csv.name);
    const [head, ...rows] = lines(csv.bytes);
    assert(head.slice(0, 7).join(",") === `Enroll ID,Name,Designation,Date,Shift,First in (${zone}),Last out (${zone})`, head.join(","));
    assert(rows.length > 0, "rows");
    assert(rows.every((r) => r[3] >= from && r[3] <= to), "every date in the period");
    assert(rows.some((r) => /^\d+\.\d\d$/.test(r[7]) && /^\d+:\d\d$/.test(r[10])), "hours as decimals and as H:MM");
    const xlsx = await download(page, "timesheet-totals-xlsx");
    assert(xlsx.name === `timesheet_${from}_${to}.xlsx`, xlsx.name);
    assert(xlsx.bytes.subarray(0, 2).toString() === "PK", "a zip");
    assert(xlsx.bytes.includes(Buffer.from("xl/worksheets/sheet1.xml")), "with a worksheet");
  });

  await t.check("the punch list downloads every punch with the filters on screen", async () => {
    await page.goto(`/punches?from=${to}&to=${to}`);
    const csv = await download(page, "punches-csv");
    assert(csv.name === `punches_${to}_${to}.csv`, csv.name);
    const [head, ...rows] = lines(csv.bytes);
    const time = head.indexOf(`time (${zone})`);
    assert(time >= 0, head.join(","));
    assert(rows.length > 0 && rows.every((r) => r[time].startsWith(to)), "only that day's punches");
    const xlsx = await download(page, "punches-xlsx");
    assert(xlsx.name === `punches_${to}_${to}.xlsx` && xlsx.bytes.subarray(0, 2).toString() === "PK", xlsx.name);
  });
}
