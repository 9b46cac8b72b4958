//! Property tests: no input file makes ingest panic. Arbitrary bytes, and
//! near-valid CSV and JSON Lines (random quotes, delimiters, line ends,
//! NULs, huge numbers, Hebrew, Chinese, direction marks), go through the
//! readers row by row and through [`ingest`] whole; every row is a contact
//! or a rejection, and the counts add up.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::reader::RowReader;
use super::row::{self, Parsed, RowFormat};
use super::*;
use crate::model::SourceRef;
use crate::test_support::{fuzz_config, hostile_text};

static HEADER: [&str; 8] = [
    "contact_id",
    "customer_id",
    "started_at",
    "text",
    "channel",
    "direction",
    "csat",
    "escalated",
];

/// A cell: a plausible value for its column, or hostile text.
fn cell(col: usize) -> BoxedStrategy<String> {
    let plausible: BoxedStrategy<String> = match col {
        0 | 1 => "[cU]?[0-9]{1,4}".boxed(),
        2 => proptest::sample::select(&[
            "2026-10-01T09:00:00Z",
            "2026-10-02 10:30",
            "1790000000",
            "1790000000500",
            "2026-10-03 09:14:00+0800",
            "2100-01-01T00:00:00Z",
            "03/10/2026 09:00",
            "+262143-12-31 23:59:59+0000",
            "",
        ])
        .prop_map(str::to_string)
        .boxed(),
        5 => proptest::sample::select(&["inbound", "out", "sideways", ""])
            .prop_map(str::to_string)
            .boxed(),
        6 => proptest::sample::select(&["5", "0", "-1", "99999999999999999999", ""])
            .prop_map(str::to_string)
            .boxed(),
        _ => "[a-z ]{0,12}".boxed(),
    };
    prop_oneof![3 => plausible, 1 => hostile_text()].boxed()
}

/// How a cell is written: bare, quoted properly, or with a quote left open.
fn quoted(v: String, how: u8) -> String {
    match how {
        0 => format!("\"{}\"", v.replace('"', "\"\"")),
        1 => format!("\"{v}"),
        _ => v,
    }
}

/// A CSV export: its header (maybe a column short, maybe with a BOM), rows
/// of the header's width or not, any delimiter and line end.
fn near_valid_csv() -> impl Strategy<Value = Vec<u8>> {
    let row = (0usize..=9).prop_flat_map(|width| {
        (0..width)
            .map(|c| {
                (
                    cell(c % HEADER.len()),
                    prop_oneof![1 => Just(0u8), 1 => Just(1u8), 8 => Just(2u8)],
                )
            })
            .collect::<Vec<_>>()
    });
    (
        proptest::sample::select(&[",", ";", "\t", "|"]),
        proptest::sample::select(&["\n", "\r\n", "\r"]),
        any::<bool>(),
        6usize..=8,
        proptest::collection::vec(row, 0..12),
    )
        .prop_map(|(delim, eol, bom, width, rows)| {
            let mut s = String::new();
            if bom {
                s.push('\u{feff}');
            }
            s.push_str(&HEADER[..width].join(delim));
            for r in rows {
                s.push_str(eol);
                let cells: Vec<String> = r.into_iter().map(|(v, how)| quoted(v, how)).collect();
                s.push_str(&cells.join(delim));
            }
            s.into_bytes()
        })
}

/// A JSON Lines export: objects with the contract's keys and any JSON value
/// (huge numbers, nesting, escapes), lines cut short, blank lines, bytes.
fn near_valid_jsonl() -> impl Strategy<Value = Vec<u8>> {
    let value = prop_oneof![
        hostile_text().prop_map(|s| serde_json::Value::String(s).to_string()),
        proptest::sample::select(&[
            "98765432109876543210",
            "1e999",
            "-0.5e-999999",
            "true",
            "null",
            "[1,[2]]",
            "{\"a\":{}}",
            "\"\\ud800\"",
            "\"\\u0000\"",
            "01",
            "NaN",
        ])
        .prop_map(str::to_string),
    ];
    let key = prop_oneof![
        proptest::sample::select(&HEADER).prop_map(str::to_string),
        proptest::sample::select(&["TEXT", " text ", "started_at", "x"]).prop_map(str::to_string),
    ];
    let line = prop_oneof![
        4 => proptest::collection::vec((key, value), 0..8).prop_map(|kv| {
            let body: Vec<String> = kv
                .into_iter()
                .map(|(k, v)| format!("{}: {v}", serde_json::Value::String(k)))
                .collect();
            format!("{{{}}}", body.join(", ")).into_bytes()
        }),
        1 => proptest::collection::vec(any::<u8>(), 0..40),
        1 => Just(b"  ".to_vec()),
    ];
    (
        proptest::collection::vec((line, 0usize..200), 0..10),
        any::<bool>(),
    )
        .prop_map(|(lines, crlf)| {
            let mut out = Vec::new();
            for (l, cut) in lines {
                // Sometimes cut a line short, as a killed export does.
                let keep = if cut < 20 { l.len().min(cut) } else { l.len() };
                out.extend_from_slice(&l[..keep]);
                out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
            }
            out
        })
}

fn settings(date_format: Option<&str>, encoding: Option<&str>) -> Settings {
    Settings {
        date_format: date_format.map(str::to_string),
        encoding: encoding.map(str::to_string),
        ..Settings::default()
    }
}

/// Every row of a reader through its format: fields, contact, raw text.
fn parse_all<R: RowReader>(
    mut rows: R,
    format: &impl RowFormat<Row = R::Row>,
    opts: &IngestOptions,
) {
    let mut last = 0;
    while let Ok(Some((line, raw))) = rows.next_row() {
        assert!(line >= last, "lines go forward");
        last = line;
        let source = SourceRef { file: 0, line };
        if let Parsed::Ok(c, _) = row::parse(format, &raw, source, opts) {
            assert!(!c.contact_id.is_empty() && !c.contact_id.contains('\0'));
            assert!((crate::time::EARLIEST..crate::time::LATEST).contains(&c.started_at));
        }
        format.raw_text(&raw);
    }
}

fn csv_rows(bytes: &[u8], date_format: Option<&str>) {
    let s = settings(date_format, None);
    let columns = BTreeMap::new();
    let opts = IngestOptions {
        columns: &columns,
        settings: &s,
        timezone: chrono_tz::Asia::Jerusalem,
        progress: &crate::progress::Progress::default(),
    };
    let guess = super::encoding::guess_file(bytes);
    if let Ok(Some((rows, format))) = super::csv::open(bytes, "f.csv", &columns, date_format, guess)
    {
        parse_all(rows, &format, &opts);
    }
}

fn jsonl_rows(bytes: &[u8]) {
    let s = Settings::default();
    let columns = BTreeMap::from([("text".to_string(), "TEXT".to_string())]);
    let opts = IngestOptions {
        columns: &columns,
        settings: &s,
        timezone: chrono_tz::UTC,
        progress: &crate::progress::Progress::default(),
    };
    let format = super::jsonl::JsonFormat::new(&columns, super::encoding::guess_file(bytes));
    parse_all(
        super::jsonl::JsonRows::new(bytes, "f.jsonl"),
        &format,
        &opts,
    );
}

/// The whole stage on a file: a contact or a rejection per row read.
fn ingest_file(name: &str, bytes: &[u8], encoding: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let s = settings(None, encoding);
    let columns = BTreeMap::new();
    let opts = IngestOptions {
        columns: &columns,
        settings: &s,
        timezone: chrono_tz::UTC,
        progress: &crate::progress::Progress::default(),
    };
    let Ok(got) = ingest(&[path], &opts) else {
        return;
    };
    let st = &got.stats;
    assert_eq!(st.rows_read, st.rows_accepted + st.rows_rejected);
    assert_eq!(got.contacts.len() as u64, st.rows_accepted);
    assert_eq!(got.rejected.len() as u64, st.rows_rejected);
    assert_eq!(
        st.rejected_by_reason.values().sum::<u64>(),
        st.rows_rejected
    );
    let ids: std::collections::HashSet<&str> =
        got.contacts.iter().map(|c| c.contact_id.as_str()).collect();
    assert_eq!(ids.len(), got.contacts.len(), "contact ids are unique");
}

proptest! {
    #![proptest_config(fuzz_config(512))]

    #[test]
    fn csv_rows_never_panic(bytes in near_valid_csv(), df in proptest::option::of(Just("%d/%m/%Y %H:%M"))) {
        csv_rows(&bytes, df);
    }

    #[test]
    fn csv_of_any_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        csv_rows(&bytes, None);
        let mut with_header = b"contact_id,customer_id,started_at,text\n".to_vec();
        with_header.extend_from_slice(&bytes);
        csv_rows(&with_header, None);
    }

    #[test]
    fn jsonl_rows_never_panic(bytes in near_valid_jsonl()) {
        jsonl_rows(&bytes);
    }

    #[test]
    fn jsonl_of_any_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        jsonl_rows(&bytes);
    }
}

proptest! {
    // Whole files through threads and the outlier check: fewer cases.
    #![proptest_config(fuzz_config(96))]

    #[test]
    fn ingest_counts_add_up_on_any_file(
        csv in near_valid_csv(),
        jsonl in near_valid_jsonl(),
        noise in proptest::collection::vec(any::<u8>(), 0..200),
        enc in proptest::option::of(proptest::sample::select(&["big5", "utf-16le", "windows-1255"])),
    ) {
        ingest_file("a.csv", &csv, None);
        ingest_file("a.tsv", &csv, enc);
        ingest_file("a.jsonl", &jsonl, None);
        ingest_file("a.csv", &noise, enc);
    }
}

#[test]
fn regressions() {
    // A file of one byte order mark, one NUL, a lone quote.
    for bytes in [
        &b"\xEF\xBB\xBF"[..],
        &b"\0"[..],
        &b"\""[..],
        &b"\xFF\xFE"[..],
        &b"\xFF\xFE\0\0"[..],
    ] {
        csv_rows(bytes, None);
        jsonl_rows(bytes);
        ingest_file("r.csv", bytes, None);
    }
}
