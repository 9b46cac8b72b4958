//! CSV files: the header mapped onto the contract columns, each record split into fields.

use std::collections::BTreeMap;
use std::io::{BufRead, Read};

use anyhow::{bail, Context, Result};

use crate::model::RejectKind;

use super::encoding::{describe_bad_utf8, escape_invalid_utf8};
use super::reader::RowReader;
use super::row::{Fields, Parsed, RowFormat};
use super::{COLUMNS, N_COLS};

/// A CSV file's records, after the header.
pub(super) struct CsvRows<R> {
    rdr: ::csv::Reader<R>,
    rec: ::csv::ByteRecord,
    name: String,
}

/// How a CSV file's records map onto the contract columns.
pub(super) struct CsvFormat {
    /// Per contract column, the index of its field.
    map: [Option<usize>; N_COLS],
    /// Fields in the header: every record must have as many.
    n_fields: usize,
    delimiter: u8,
    /// `--date-format`, for telling a swallowed row by its timestamp.
    date_format: Option<String>,
    /// The file's encoding when it is not UTF-8 (`encoding::guess_file`).
    guess: Option<&'static encoding_rs::Encoding>,
}

/// Delimiters an export may use, in the order ties are broken.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// The delimiter of a CSV export: whichever of `,` `;` tab `|` its header
/// line holds most of outside quotes (`,` when none: a one-column file).
/// Semicolons are what European Excel writes; tabs and pipes what many
/// CRM and database exports do.
/// The delimiter of the CSV file `name`: tab for a `.tsv` file, else
/// sniffed from its first bytes `head`.
pub(super) fn delimiter_for(name: &str, head: &[u8]) -> u8 {
    if name.to_ascii_lowercase().ends_with(".tsv") {
        b'\t'
    } else {
        sniff_delimiter(head)
    }
}

fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or(head);
    let mut counts = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(i) = DELIMITERS.iter().position(|&d| d == b) {
                counts[i] += 1;
            }
        }
    }
    let mut best = 0;
    for i in 1..DELIMITERS.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    DELIMITERS[best]
}

/// Reads the header of the CSV file `name`; `None` when it has none (an
/// empty file). A header that is not UTF-8 or lacks a required column is an
/// error. The delimiter is `tab` for a `.tsv` file, else sniffed from the
/// header line. `guess` names the encoding of a file that is not UTF-8.
pub(super) fn open<R: BufRead>(
    mut reader: R,
    name: &str,
    columns: &BTreeMap<String, String>,
    date_format: Option<&str>,
    guess: Option<&'static encoding_rs::Encoding>,
) -> Result<Option<(CsvRows<R>, CsvFormat)>> {
    let head = reader
        .fill_buf()
        .with_context(|| format!("{name}: line 1: cannot read the CSV header"))?;
    let delimiter = delimiter_for(name, head);
    let mut rdr = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(reader);
    let headers = rdr
        .byte_headers()
        .with_context(|| format!("{name}: line 1: cannot read the CSV header"))?
        .clone();
    if headers.is_empty() || (headers.len() == 1 && headers[0].is_empty()) {
        return Ok(None);
    }
    let header_names: Vec<String> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = std::str::from_utf8(h).map_err(|e| {
                anyhow::anyhow!(
                    "{name}: line 1, column {}: header is not valid UTF-8 ({})",
                    i + 1,
                    describe_bad_utf8(h, e.valid_up_to(), guess)
                )
            })?;
            // A UTF-8 byte order mark sticks to the first header.
            Ok(h.trim_start_matches('\u{feff}').trim().to_string())
        })
        .collect::<Result<_>>()?;
    let format = format_for(name, &header_names, columns, delimiter, date_format, guess)?;
    let rows = CsvRows {
        rdr,
        rec: ::csv::ByteRecord::new(),
        name: name.to_string(),
    };
    Ok(Some((rows, format)))
}

/// How records under `header_names` map onto the contract columns: a
/// required column missing, or a contract column's header twice, is an
/// error naming the file. (A workbook's sheet is read through it too.)
pub(super) fn format_for(
    name: &str,
    header_names: &[String],
    columns: &BTreeMap<String, String>,
    delimiter: u8,
    date_format: Option<&str>,
    guess: Option<&'static encoding_rs::Encoding>,
) -> Result<CsvFormat> {
    let map = map_columns(header_names, columns);
    // A contract column whose header appears twice: which one holds it is a
    // guess, so the file is refused.
    for (c, idx) in map.iter().enumerate() {
        let Some(i) = *idx else { continue };
        let same: Vec<String> = header_names
            .iter()
            .enumerate()
            .filter(|(_, h)| h.eq_ignore_ascii_case(&header_names[i]))
            .map(|(j, _)| (j + 1).to_string())
            .collect();
        if same.len() > 1 {
            bail!(
                "{name}: line 1: the header '{}' ({}) appears {} times (columns {}); rename all but one",
                header_names[i],
                COLUMNS[c].name,
                same.len(),
                same.join(", ")
            );
        }
    }
    // Every missing required column at once: a user fixes them in one go,
    // not one per rerun.
    let missing: Vec<&str> = COLUMNS
        .iter()
        .enumerate()
        .filter(|(c, spec)| spec.required && map[*c].is_none())
        .map(|(_, spec)| spec.name)
        .collect();
    if !missing.is_empty() {
        let named = |c: &str| {
            let mapped = columns
                .get(c)
                .map(|h| format!(" (mapped to '{h}')"))
                .unwrap_or_default();
            format!("'{c}'{mapped}")
        };
        let list: Vec<String> = missing.iter().map(|c| named(c)).collect();
        let how: Vec<String> = missing
            .iter()
            .map(|c| format!("{c} = \"<header>\""))
            .collect();
        bail!(
            "{name}: line 1: required column{} {} not found in the header ({}); map {} with [columns] {} in --config, or let `recontact init {name}` propose the mapping",
            if missing.len() > 1 { "s" } else { "" },
            list.join(", "),
            header_names.join(", "),
            if missing.len() > 1 { "them" } else { "it" },
            how.join(", "),
        );
    }
    Ok(CsvFormat {
        map,
        n_fields: header_names.len(),
        delimiter,
        date_format: date_format.map(str::to_string),
        guess,
    })
}

/// For each contract column, the index of the header that carries it:
/// the `[columns]` mapping first, else the contract name (any case).
fn map_columns(headers: &[String], mapping: &BTreeMap<String, String>) -> [Option<usize>; N_COLS] {
    let mut map = [None; N_COLS];
    for (c, spec) in COLUMNS.iter().enumerate() {
        let find = |want: &str| {
            headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(want.trim()))
        };
        map[c] = mapping
            .get(spec.name)
            .and_then(|alias| find(alias))
            .or_else(|| find(spec.name));
    }
    map
}

impl<R: Read + Send> RowReader for CsvRows<R> {
    type Row = ::csv::ByteRecord;

    fn next_row(&mut self) -> Result<Option<(u64, ::csv::ByteRecord)>> {
        match self.rdr.read_byte_record(&mut self.rec) {
            Ok(true) => {
                let line = self.rec.position().map(|p| p.line()).unwrap_or(0);
                Ok(Some((line, self.rec.clone())))
            }
            Ok(false) => Ok(None),
            Err(e) => Err(anyhow::anyhow!("{}: {e}", self.name)),
        }
    }
}

impl CsvFormat {
    /// A quoted field left open swallows the rows after it into one text
    /// (until the next quote, or the end of the file). Its lines after the
    /// first that read as whole rows — the header's width and a timestamp
    /// where `started_at` belongs — give it away; a transcript's own lines
    /// never do.
    fn swallowed_rows(&self, rec: &::csv::ByteRecord) -> Option<Parsed> {
        let ts = self.map[super::Col::StartedAt as usize]?;
        let start = rec.position().map_or(0, |p| p.line());
        for (i, field) in rec.iter().enumerate() {
            if !field.contains(&b'\n') {
                continue;
            }
            let rows: Vec<usize> = field
                .split(|&b| b == b'\n')
                .enumerate()
                .skip(1)
                .filter(|(_, line)| self.reads_as_row(line, ts))
                .map(|(k, _)| k)
                .collect();
            let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
                continue;
            };
            let column = self
                .map
                .iter()
                .position(|&m| m == Some(i))
                .map_or("", |c| COLUMNS[c].name);
            return Some(Parsed::Rejected {
                column,
                kind: RejectKind::UnclosedQuote,
                reason: format!(
                    "field {} ({}) opens a quote that is not closed where it should be: it swallows {} line(s) that read as rows of their own (lines {}–{}); close the quote (a quote inside a field is written \"\"); the swallowed rows are in raw_row",
                    i + 1,
                    if column.is_empty() { "unmapped" } else { column },
                    rows.len(),
                    start + *first as u64,
                    start + *last as u64,
                ),
            });
        }
        None
    }

    /// Whether one line reads as a row: the header's width, with a
    /// timestamp in the `started_at` field.
    fn reads_as_row(&self, line: &[u8], ts: usize) -> bool {
        // Cheap first: enough delimiters for the header's width.
        if line.iter().filter(|&&b| b == self.delimiter).count() + 1 < self.n_fields {
            return false;
        }
        let mut rdr = ::csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(line);
        let mut rec = ::csv::ByteRecord::new();
        if !matches!(rdr.read_byte_record(&mut rec), Ok(true)) || rec.len() != self.n_fields {
            return false;
        }
        rec.get(ts)
            .and_then(|b| std::str::from_utf8(b).ok())
            .is_some_and(|t| {
                let format = self.date_format.as_deref();
                crate::time::parse_timestamp_as(t, chrono_tz::UTC, format).is_ok()
            })
    }
}

impl RowFormat for CsvFormat {
    type Row = ::csv::ByteRecord;

    fn fields(&self, rec: &::csv::ByteRecord) -> Result<Fields, Parsed> {
        if let Some(rejected) = self.swallowed_rows(rec) {
            return Err(rejected);
        }
        if rec.len() != self.n_fields {
            return Err(Parsed::Rejected {
                column: "",
                kind: RejectKind::WrongFieldCount,
                reason: format!(
                    "row has {} fields but the header has {} (unbalanced quote or stray delimiter?)",
                    rec.len(),
                    self.n_fields
                ),
            });
        }
        let mut fields: Fields = Default::default();
        for (c, idx) in self.map.iter().enumerate() {
            let Some(i) = idx else { continue };
            let Some(bytes) = rec.get(*i) else { continue };
            match std::str::from_utf8(bytes) {
                Ok(s) => fields[c] = Some(s.to_string()),
                Err(e) => {
                    return Err(Parsed::Rejected {
                        column: COLUMNS[c].name,
                        kind: RejectKind::InvalidUtf8,
                        reason: format!(
                            "column '{}' (field {}): {}",
                            COLUMNS[c].name,
                            i + 1,
                            describe_bad_utf8(bytes, e.valid_up_to(), self.guess)
                        ),
                    })
                }
            }
        }
        Ok(fields)
    }

    /// The record written back as one CSV line (quoted as needed).
    ///
    /// (For a record that swallowed the rows after an unclosed quote, that
    /// is every swallowed row: nothing is lost without a trace.)
    fn raw_text(&self, rec: &::csv::ByteRecord) -> String {
        let mut w = ::csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        let _ = w.write_byte_record(rec);
        let mut b = w.into_inner().unwrap_or_default();
        while matches!(b.last(), Some(b'\n' | b'\r')) {
            b.pop();
        }
        escape_invalid_utf8(&b)
    }
}

#[cfg(test)]
mod tests {
    use super::super::reader::RowReader;
    use super::super::Col;
    use super::*;

    const HEADER: &str = "contact_id,customer_id,started_at,text,channel\n";

    type Opened<'a> = Option<(CsvRows<&'a [u8]>, CsvFormat)>;

    fn open_str(data: &[u8]) -> Result<Opened<'_>> {
        open(data, "f.csv", &BTreeMap::new(), None, None)
    }

    fn rejected(p: Result<Fields, Parsed>) -> (&'static str, RejectKind, String) {
        match p {
            Err(Parsed::Rejected {
                column,
                kind,
                reason,
            }) => (column, kind, reason),
            _ => panic!("not rejected"),
        }
    }

    #[test]
    fn no_header_is_an_empty_file_and_a_missing_column_an_error() {
        assert!(open_str(b"").unwrap().is_none());
        assert!(open_str(b"\n").unwrap().is_none());
        let err = open_str(b"contact_id,customer_id,text\n").err().unwrap();
        assert!(
            err.to_string()
                .starts_with("f.csv: line 1: required column 'started_at' not found"),
            "{err}"
        );
        // All missing columns at once.
        let err = open_str(b"contact_id,body\n").err().unwrap().to_string();
        assert!(
            err.starts_with(
                "f.csv: line 1: required columns 'customer_id', 'started_at', 'text' not found"
            ),
            "{err}"
        );
        assert!(err.contains("customer_id = \"<header>\", started_at = \"<header>\""));
        let bad = open_str(b"contact_id,\xFFcustomer\n").err().unwrap();
        assert!(bad
            .to_string()
            .contains("line 1, column 2: header is not valid UTF-8"));
    }

    #[test]
    fn records_keep_their_first_line_and_raw_text() {
        let data = format!("{HEADER}a,U1,2026-10-01,\"two\nlines, quoted\",phone\nb,U2\n");
        let (mut rows, format) = open_str(data.as_bytes()).unwrap().unwrap();
        let (line, first) = rows.next_row().unwrap().unwrap();
        assert_eq!(line, 2);
        let fields = format.fields(&first).ok().unwrap();
        assert_eq!(fields[Col::ContactId as usize].as_deref(), Some("a"));
        assert_eq!(
            fields[Col::Text as usize].as_deref(),
            Some("two\nlines, quoted")
        );
        assert_eq!(
            format.raw_text(&first),
            "a,U1,2026-10-01,\"two\nlines, quoted\",phone"
        );
        let (line, short) = rows.next_row().unwrap().unwrap();
        assert_eq!(line, 4);
        let (column, kind, reason) = rejected(format.fields(&short));
        assert_eq!((column, kind), ("", RejectKind::WrongFieldCount));
        assert!(reason.starts_with("row has 2 fields but the header has 5"));
        assert!(rows.next_row().unwrap().is_none());
    }

    #[test]
    fn an_unclosed_quote_that_swallows_rows_is_rejected() {
        let data = format!(
            "{HEADER}a,U1,2026-10-01T09:00:00Z,\"my card, it never came,phone\n\
             b,U2,2026-10-02T09:00:00Z,refund please,chat\n\
             c,U3,2026-10-03 10:00,where is my parcel,chat\n"
        );
        let (mut rows, format) = open_str(data.as_bytes()).unwrap().unwrap();
        let (line, rec) = rows.next_row().unwrap().unwrap();
        assert_eq!(line, 2);
        let (column, kind, reason) = rejected(format.fields(&rec));
        assert_eq!((column, kind), ("text", RejectKind::UnclosedQuote));
        assert!(
            reason.contains("swallows 2 line(s)") && reason.contains("lines 3–4"),
            "{reason}"
        );
        assert!(format.raw_text(&rec).contains("where is my parcel"));
        // A transcript's own lines, commas and all, are not rows.
        let data = format!(
            "{HEADER}a,U1,2026-10-01T09:00:00Z,\"Agent: hi, how can I help, today?\nCustomer: yes, well, my card, it, never came\",phone\n"
        );
        let (mut rows, format) = open_str(data.as_bytes()).unwrap().unwrap();
        let (_, rec) = rows.next_row().unwrap().unwrap();
        assert!(format.fields(&rec).is_ok());
    }

    #[test]
    fn a_field_that_is_not_utf8_is_named() {
        let mut data = HEADER.as_bytes().to_vec();
        data.extend_from_slice(b"a,U1,2026-10-01,caf\xE9,phone\n");
        let (mut rows, format) = open_str(&data).unwrap().unwrap();
        let (_, rec) = rows.next_row().unwrap().unwrap();
        let (column, kind, reason) = rejected(format.fields(&rec));
        assert_eq!((column, kind), ("text", RejectKind::InvalidUtf8));
        assert!(reason.starts_with("column 'text' (field 4): invalid UTF-8 at byte 4"));
        assert_eq!(format.raw_text(&rec), "a,U1,2026-10-01,caf\\xE9,phone");
    }

    #[test]
    fn a_contract_column_named_twice_is_refused() {
        let err = open_str(b"contact_id,customer_id,started_at,text,Text\n")
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .contains("line 1: the header 'text' (text) appears 2 times (columns 4, 5)"),
            "{err}"
        );
        // Two columns recontact does not read may share a name.
        assert!(open_str(b"contact_id,customer_id,started_at,text,x,x\n").is_ok());
    }

    #[test]
    fn delimiters_are_sniffed_from_the_header() {
        assert_eq!(sniff_delimiter(b"contact_id;customer_id;text\na,b,c"), b';');
        assert_eq!(sniff_delimiter(b"contact_id\tcustomer_id\ttext"), b'\t');
        assert_eq!(sniff_delimiter(b"id|\"a,b,c\"|text"), b'|');
        assert_eq!(sniff_delimiter(b"contact_id"), b',');
        let data =
            b"contact_id;customer_id;started_at;text\na;U1;2026-10-01T09:00:00Z;\"hi, there\"\n";
        let (mut rows, format) = open_str(data).unwrap().unwrap();
        let (_, rec) = rows.next_row().unwrap().unwrap();
        let f = format.fields(&rec).ok().unwrap();
        assert_eq!(f[Col::Text as usize].as_deref(), Some("hi, there"));
        let tsv = open(
            &b"contact_id\tcustomer_id\tstarted_at\ttext\n"[..],
            "x.TSV",
            &BTreeMap::new(),
            None,
            None,
        );
        assert_eq!(tsv.unwrap().unwrap().1.delimiter, b'\t');
    }

    #[test]
    fn maps_crm_headers() {
        let mut m = BTreeMap::new();
        m.insert("contact_id".to_string(), "Call ID".to_string());
        let headers: Vec<String> = ["Call ID", "CUSTOMER_ID", "started_at", "text"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let map = map_columns(&headers, &m);
        assert_eq!(map[Col::ContactId as usize], Some(0));
        assert_eq!(map[Col::CustomerId as usize], Some(1));
        assert_eq!(map[Col::Channel as usize], None);
    }
}
