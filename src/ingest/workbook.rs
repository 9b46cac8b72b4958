//! Workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods): one sheet read like a CSV
//! file — its first non-empty row the header, each row after it a record —
//! through calamine, the maintained pure-Rust reader of Excel and
//! OpenDocument files. Rows are numbered as the spreadsheet numbers them,
//! so a rejection's line is the row a user scrolls to.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Result};
use calamine::{Data, Reader};

use super::csv::{format_for, CsvFormat};
use super::reader::RowReader;

/// A sheet's cells never hold this, so `CsvFormat`'s test for rows
/// swallowed by an open quote (a CSV-only fault) never fires on them.
pub(super) const NO_DELIMITER: u8 = 0x1f;

/// A sheet's records after the header, with their row numbers.
pub(super) struct SheetRows {
    rows: std::vec::IntoIter<(u64, ::csv::ByteRecord)>,
}

impl RowReader for SheetRows {
    type Row = ::csv::ByteRecord;

    fn next_row(&mut self) -> Result<Option<(u64, ::csv::ByteRecord)>> {
        Ok(self.rows.next())
    }
}

/// Opens `sheet` (the first when `None`) of the workbook at `path`; `None`
/// when the sheet has no header row. A missing sheet or a header without
/// a required column is an error naming the file.
pub(super) fn open(
    path: &Path,
    name: &str,
    sheet: Option<&str>,
    columns: &BTreeMap<String, String>,
    date_format: Option<&str>,
) -> Result<Option<(SheetRows, CsvFormat)>> {
    let Some(read) = read_sheet(path, name, sheet)? else {
        return Ok(None);
    };
    let format = format_for(name, &read.header, columns, NO_DELIMITER, date_format, None)?;
    Ok(Some((
        SheetRows {
            rows: read.records.into_iter(),
        },
        format,
    )))
}

/// A sheet as read: its name, header and records after the header.
pub(super) struct Sheet {
    pub name: String,
    /// Every sheet of the workbook.
    pub sheets: Vec<String>,
    pub header: Vec<String>,
    pub records: Vec<(u64, ::csv::ByteRecord)>,
}

/// Reads `sheet` (the first when `None`); `None` when it has no header row.
pub(super) fn read_sheet(path: &Path, name: &str, sheet: Option<&str>) -> Result<Option<Sheet>> {
    // The reader's own message, once (its error chain repeats it).
    let mut book = calamine::open_workbook_auto(path).map_err(|e| {
        anyhow::anyhow!(
            "{name}: cannot read the workbook ({e}); is it really an Excel or OpenDocument file? A CSV saved under that extension must be named .csv"
        )
    })?;
    let names = book.sheet_names();
    let sheet = match sheet {
        Some(s) => match names.iter().find(|n| n.trim() == s.trim()) {
            Some(n) => n.clone(),
            None => bail!(
                "{name}: no sheet named '{s}' (its sheets: {}); choose one with --sheet",
                names.join(", ")
            ),
        },
        None => match names.first() {
            Some(n) => n.clone(),
            None => return Ok(None),
        },
    };
    let range = book
        .worksheet_range(&sheet)
        .map_err(|e| anyhow::anyhow!("{name}: cannot read sheet '{sheet}' ({e})"))?;
    // Row numbers as the spreadsheet shows them (1-based).
    let first_row = u64::from(range.start().map_or(0, |(r, _)| r)) + 1;
    let mut rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| (first_row + i as u64, cells))
        .filter(|(_, cells)| cells.iter().any(|c| !matches!(c, Data::Empty)));
    let Some((_, header)) = rows.next() else {
        return Ok(None);
    };
    let header_names: Vec<String> = header
        .iter()
        .map(|c| cell_text(c).trim().to_string())
        .collect();
    let width = header_names.len();
    let records: Vec<(u64, ::csv::ByteRecord)> = rows
        .map(|(line, cells)| {
            let mut rec = ::csv::ByteRecord::new();
            // A row as wide as the header: trailing cells a sheet leaves
            // out are empty, as in a CSV export.
            for k in 0..width.max(cells.len()) {
                rec.push_field(cells.get(k).map(cell_text).unwrap_or_default().as_bytes());
            }
            (line, rec)
        })
        .collect();
    Ok(Some(Sheet {
        name: sheet,
        sheets: names,
        header: header_names,
        records,
    }))
}

/// A cell as a CSV export would write it: whole numbers without a decimal
/// point (ids typed as numbers), dates and times as `YYYY-MM-DD HH:MM:SS`
/// (read in `--timezone`, as such text is in a CSV), errors (`#N/A`) empty.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) if !d.is_duration() => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            _ => number_text(d.as_f64()),
        },
    }
}

fn number_text(f: f64) -> String {
    // Integers up to 2^53 are exact in a float; Excel stores no more.
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_a_csv_export_writes_them() {
        assert_eq!(cell_text(&Data::Float(4_821_339.0)), "4821339");
        assert_eq!(cell_text(&Data::Float(32.19)), "32.19");
        assert_eq!(cell_text(&Data::Int(-3)), "-3");
        assert_eq!(cell_text(&Data::Bool(true)), "true");
        assert_eq!(cell_text(&Data::Empty), "");
        assert_eq!(
            cell_text(&Data::String("退款还没到账\nהכרטיס".into())),
            "退款还没到账\nהכרטיס"
        );
        // 2026-10-03 09:14:00 as Excel stores it: days since 1899-12-30.
        let serial = 46_298.0 + (9.0 * 60.0 + 14.0) / 1440.0;
        let d = calamine::ExcelDateTime::new(serial, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(d)), "2026-10-03 09:14:00");
    }
}
