//! Rows as an XLSX workbook: constant-memory worksheet (each row goes to a
//! temp file once the next starts), typed cells, frozen header, widths
//! fitted to the longest value, and a totals row.

use std::io::Write;

use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet, XlsxError};

use super::{Cell, Sheet};

/// Excel's last row (0-based); a longer list is refused, not cut.
const MAX_ROW: u32 = 1_048_574;

struct Styles {
    header: Format,
    date: Format,
    time: Format,
    hours: Format,
    clock: Format,
}

pub struct XlsxRows {
    book: Workbook,
    styles: Styles,
    sheet: Sheet,
    /// The next row to write (0 is the header).
    row: u32,
    /// Widest value per column, in characters.
    widths: Vec<usize>,
    /// Per column, the format of its totals cell: its cells' number
    /// format, bold.
    totals: Vec<Format>,
    /// Per column, the sum of its numbers (the totals row's cached value,
    /// which readers that do not calculate show).
    sums: Vec<f64>,
}

impl XlsxRows {
    pub fn new(sheet: Sheet) -> Result<XlsxRows, XlsxError> {
        let styles = Styles {
            header: Format::new().set_bold(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            hours: Format::new().set_num_format("0.00"),
            clock: Format::new().set_num_format("[h]:mm"),
        };
        let mut book = Workbook::new();
        let headers = sheet.headers();
        let ws = book.add_worksheet_with_constant_memory()?;
        ws.set_name(sheet.name)?;
        ws.set_freeze_panes(1, 0)?;
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, col(c), h, &styles.header)?;
        }
        let widths = headers.iter().map(|h| h.chars().count()).collect();
        let totals = vec![styles.header.clone(); headers.len()];
        let sums = vec![0.0; headers.len()];
        Ok(XlsxRows {
            book,
            sums,
            totals,
            styles,
            sheet,
            row: 1,
            widths,
        })
    }

    fn worksheet(&mut self) -> Result<&mut Worksheet, XlsxError> {
        self.book.worksheet_from_index(0)
    }

    pub fn write(&mut self, rows: &[Vec<Cell>]) -> Result<(), XlsxError> {
        for row in rows {
            if self.row > MAX_ROW {
                return Err(XlsxError::RowColumnLimitError);
            }
            let r = self.row;
            for (c, cell) in row.iter().enumerate() {
                let width = cell_width(cell);
                if let Some(w) = self.widths.get_mut(c) {
                    *w = (*w).max(width);
                }
                if self.row == 1 {
                    self.total_format(c, cell);
                }
                if let (Some(sum), Some(n)) = (self.sums.get_mut(c), number(cell)) {
                    *sum += n;
                }
                self.cell(r, c, cell)?;
            }
            self.row += 1;
        }
        Ok(())
    }

    fn total_format(&mut self, c: usize, cell: &Cell) {
        let format = match cell {
            Cell::Hours(_) => self.styles.hours.clone().set_bold(),
            Cell::Clock(_) => self.styles.clock.clone().set_bold(),
            _ => return,
        };
        if let Some(f) = self.totals.get_mut(c) {
            *f = format;
        }
    }

    fn cell(&mut self, r: u32, c: usize, cell: &Cell) -> Result<(), XlsxError> {
        let s = &self.styles;
        let (date, time, hours, clock) = (
            s.date.clone(),
            s.time.clone(),
            s.hours.clone(),
            s.clock.clone(),
        );
        let ws = self.worksheet()?;
        let c = col(c);
        match cell {
            Cell::Empty => {}
            // Strings are stored as strings, never read as formulas.
            Cell::Text(t) => {
                ws.write_string(r, c, t)?;
            }
            Cell::Int(n) => {
                ws.write_number(r, c, *n as f64)?;
            }
            Cell::Hours(m) => {
                ws.write_number_with_format(r, c, *m as f64 / 60.0, &hours)?;
            }
            Cell::Clock(m) => {
                ws.write_number_with_format(r, c, *m as f64 / 1440.0, &clock)?;
            }
            Cell::Date(d) => {
                ws.write_datetime_with_format(r, c, d, &date)?;
            }
            Cell::Time(t) => {
                ws.write_datetime_with_format(r, c, t, &time)?;
            }
            Cell::Bool(b) => {
                ws.write_boolean(r, c, *b)?;
            }
        }
        Ok(())
    }

    /// The totals row (when any column is summed), widths, then the file.
    pub fn finish(mut self, out: impl Write + Send) -> Result<(), XlsxError> {
        let last = self.row; // 1-based number of the last data row
        let summed: Vec<usize> = self
            .sheet
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.total)
            .map(|(i, _)| i)
            .collect();
        let sums = self.sums.clone();
        if !summed.is_empty() && last > 1 {
            let r = self.row;
            let bold = self.styles.header.clone();
            let formats = self.totals.clone();
            let ws = self.worksheet()?;
            ws.write_string_with_format(r, 0, "Total", &bold)?;
            for &c in &summed {
                let letter = column_letter(c);
                let f = Formula::new(format!("=SUM({letter}2:{letter}{last})"))
                    .set_result(sums[c].to_string());
                ws.write_formula_with_format(r, col(c), f, &formats[c])?;
            }
        }
        let widths = self.widths.clone();
        let ws = self.worksheet()?;
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(col(c), (*w as f64 + 2.0).min(60.0))?;
        }
        self.book.save_to_writer(out)
    }
}

/// The number a cell holds in the sheet.
fn number(cell: &Cell) -> Option<f64> {
    match cell {
        Cell::Int(n) => Some(*n as f64),
        Cell::Hours(m) => Some(*m as f64 / 60.0),
        Cell::Clock(m) => Some(*m as f64 / 1440.0),
        _ => None,
    }
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// `0` → `A`, `26` → `AA`.
fn column_letter(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// How wide a cell shows, in characters.
fn cell_width(cell: &Cell) -> usize {
    match cell {
        Cell::Date(_) => 10,
        Cell::Time(_) => 16,
        other => other.plain().chars().count(),
    }
}

#[cfg(test)]
mod tests {
    use super::column_letter;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }
}
