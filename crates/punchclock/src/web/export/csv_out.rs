//! Rows as CSV text, one batch at a time.

use super::{Cell, Sheet};

/// A cell's CSV text; text that a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@`, or a tab or CR first) gets a leading `'`. Only text
/// cells: numbers, dates and times are ours, and a negative number stays
/// a number.
pub fn field(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{s}"),
        other => other.plain(),
    }
}

/// Writes the header line, then batches of rows, into byte chunks.
pub struct CsvRows {
    pending: Vec<u8>,
}

impl CsvRows {
    /// The header line is the first chunk's start.
    pub fn new(sheet: &Sheet) -> csv::Result<CsvRows> {
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(sheet.headers())?;
        let pending = out.into_inner().map_err(|e| e.into_error())?;
        Ok(CsvRows { pending })
    }

    pub fn write(&mut self, rows: &[Vec<Cell>]) -> csv::Result<()> {
        let buf = std::mem::take(&mut self.pending);
        let mut out = csv::Writer::from_writer(buf);
        for row in rows {
            out.write_record(row.iter().map(field))?;
        }
        self.pending = out.into_inner().map_err(|e| e.into_error())?;
        Ok(())
    }

    /// The bytes written since the last call.
    pub fn take(&mut self) -> csv::Result<Vec<u8>> {
        Ok(std::mem::take(&mut self.pending))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::export::Column;

    #[test]
    fn formulas_are_neutralised_and_quoting_is_right() {
        assert_eq!(field(&Cell::text("=SUM(A1)")), "'=SUM(A1)");
        assert_eq!(field(&Cell::text("+1")), "'+1");
        assert_eq!(field(&Cell::text("-2")), "'-2");
        assert_eq!(field(&Cell::text("@x")), "'@x");
        assert_eq!(field(&Cell::text("Ann")), "Ann");
        assert_eq!(field(&Cell::Int(-5)), "-5");
        let sheet = Sheet {
            name: "t",
            period: "p".into(),
            zone: "UTC".into(),
            columns: vec![Column::new("a"), Column::time("b")],
        };
        let mut w = CsvRows::new(&sheet).unwrap();
        w.write(&[vec![Cell::text("x, \"y\""), Cell::text("=1")]])
            .unwrap();
        let text = String::from_utf8(w.take().unwrap()).unwrap();
        assert_eq!(text, "a,b (UTC)\n\"x, \"\"y\"\"\",'=1\n");
        assert!(w.take().unwrap().is_empty());
    }
}
