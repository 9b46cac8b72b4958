//! JSON Lines files: one object per line, its keys mapped onto the contract columns.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;

use anyhow::Result;

use crate::model::RejectKind;

use super::encoding::{describe_bad_utf8, escape_invalid_utf8};
use super::reader::RowReader;
use super::row::{Fields, Parsed, RowFormat};
use super::COLUMNS;

/// A JSON Lines file's non-blank lines, without their line ends.
pub(super) struct JsonRows<B> {
    reader: B,
    /// Lines read so far.
    line_no: u64,
    name: String,
}

impl<B: BufRead> JsonRows<B> {
    pub(super) fn new(reader: B, name: &str) -> JsonRows<B> {
        JsonRows {
            reader,
            line_no: 0,
            name: name.to_string(),
        }
    }
}

/// Longest JSON line read whole; a longer one is rejected without being
/// held in memory (a 200 MB line is a broken export, not a contact).
pub(super) const MAX_LINE_BYTES: usize = 64 << 20;
/// What a rejected over-long line keeps for rejected.csv.
const TOO_LONG_HEAD: usize = 1024;

/// One line as read: its bytes, or, past [`MAX_LINE_BYTES`], its first
/// bytes and its length.
pub(super) struct JsonLine {
    bytes: Vec<u8>,
    too_long: Option<usize>,
}

impl<B: BufRead> JsonRows<B> {
    /// Reads one line into `buf` up to [`MAX_LINE_BYTES`], consuming the
    /// rest of a longer one. Returns (bytes consumed, whether too long).
    fn read_line_bounded(&mut self, buf: &mut Vec<u8>) -> std::io::Result<(usize, bool)> {
        let (mut total, mut too_long) = (0, false);
        loop {
            let avail = self.reader.fill_buf()?;
            if avail.is_empty() {
                return Ok((total, too_long));
            }
            let (chunk, done) = match avail.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            if !too_long && buf.len() + chunk > MAX_LINE_BYTES {
                too_long = true;
                buf.truncate(TOO_LONG_HEAD);
            }
            if !too_long {
                buf.extend_from_slice(&avail[..chunk]);
            } else if buf.len() < TOO_LONG_HEAD {
                let room = (TOO_LONG_HEAD - buf.len()).min(chunk);
                buf.extend_from_slice(&avail[..room]);
            }
            self.reader.consume(chunk);
            total += chunk;
            if done {
                return Ok((total, too_long));
            }
        }
    }
}

impl<B: BufRead + Send> RowReader for JsonRows<B> {
    type Row = JsonLine;

    fn next_row(&mut self) -> Result<Option<(u64, JsonLine)>> {
        loop {
            let mut buf = Vec::new();
            match self.read_line_bounded(&mut buf) {
                Ok((0, _)) => return Ok(None),
                Ok((n, too_long)) => {
                    self.line_no += 1;
                    if !too_long && buf.iter().all(|b| b.is_ascii_whitespace()) {
                        continue;
                    }
                    while matches!(buf.last(), Some(b'\n' | b'\r')) {
                        buf.pop();
                    }
                    let line = JsonLine {
                        bytes: buf,
                        too_long: too_long.then_some(n),
                    };
                    return Ok(Some((self.line_no, line)));
                }
                Err(e) => {
                    return Err(anyhow::anyhow!(
                        "{}: line {}: cannot read: {e}",
                        self.name,
                        self.line_no + 1
                    ))
                }
            }
        }
    }
}

/// How JSON keys map onto the contract columns.
pub(super) struct JsonFormat {
    /// Lower-cased JSON key → contract column, aliases first.
    map: HashMap<String, usize>,
    /// The file's encoding when it is not UTF-8 (`encoding::guess_file`).
    guess: Option<&'static encoding_rs::Encoding>,
}

impl JsonFormat {
    /// The contract names and the `[columns]` aliases (which win); `guess`
    /// names the encoding of a file that is not UTF-8.
    pub(super) fn new(
        mapping: &BTreeMap<String, String>,
        guess: Option<&'static encoding_rs::Encoding>,
    ) -> JsonFormat {
        let mut map = HashMap::new();
        for (c, spec) in COLUMNS.iter().enumerate() {
            map.insert(spec.name.to_string(), c);
        }
        for (c, spec) in COLUMNS.iter().enumerate() {
            if let Some(alias) = mapping.get(spec.name) {
                map.insert(alias.trim().to_lowercase(), c);
            }
        }
        JsonFormat { map, guess }
    }
}

impl RowFormat for JsonFormat {
    type Row = JsonLine;

    fn fields(&self, row: &JsonLine) -> Result<Fields, Parsed> {
        if let Some(n) = row.too_long {
            return Err(Parsed::Rejected {
                column: "",
                kind: RejectKind::LineTooLong,
                reason: format!(
                    "line of {n} bytes, longer than the {} MiB a contact may take: not read (its first {} bytes are in raw_row)",
                    MAX_LINE_BYTES >> 20,
                    TOO_LONG_HEAD
                ),
            });
        }
        let bytes = &row.bytes;
        let line = std::str::from_utf8(bytes).map_err(|e| Parsed::Rejected {
            column: "",
            kind: RejectKind::InvalidUtf8,
            reason: format!(
                "column {}: {}",
                e.valid_up_to() + 1,
                describe_bad_utf8(bytes, e.valid_up_to(), self.guess)
            ),
        })?;
        // Values as their raw JSON text: a numeric id beyond u64 would lose
        // digits through f64 (98765432109876543210 and …211 would become one
        // customer), so numbers keep the text they were written with.
        let obj: BTreeMap<String, &serde_json::value::RawValue> = serde_json::from_str(line)
            .map_err(|e| Parsed::Rejected {
                column: "",
                kind: RejectKind::BadJson,
                reason: if line.trim_start().starts_with('{') {
                    format!("column {}: bad JSON: {e}", e.column())
                } else {
                    "line is not a JSON object".into()
                },
            })?;
        let mut fields: Fields = Default::default();
        for (k, v) in obj {
            let Some(&c) = self.map.get(&k.trim().to_lowercase()) else {
                continue;
            };
            let raw = v.get();
            let s = match raw.as_bytes().first() {
                Some(b'n') => continue,
                Some(b'"') => {
                    serde_json::from_str::<String>(raw).map_err(|e| Parsed::Rejected {
                        column: COLUMNS[c].name,
                        kind: RejectKind::BadJson,
                        reason: format!("key '{k}': bad JSON string: {e}"),
                    })?
                }
                Some(b't' | b'f' | b'-' | b'0'..=b'9') => raw.to_string(),
                _ => {
                    return Err(Parsed::Rejected {
                        column: COLUMNS[c].name,
                        kind: RejectKind::BadValue,
                        reason: format!("key '{k}': expected a string, number or boolean"),
                    })
                }
            };
            // An alias and the contract name may both be present: keep the first.
            if fields[c].is_none() {
                fields[c] = Some(s);
            }
        }
        Ok(fields)
    }

    /// The line as read.
    fn raw_text(&self, row: &JsonLine) -> String {
        escape_invalid_utf8(&row.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Col;
    use super::*;

    fn line_of(bytes: &[u8]) -> JsonLine {
        JsonLine {
            bytes: bytes.to_vec(),
            too_long: None,
        }
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
    fn blank_lines_are_skipped_but_counted() {
        let data: &[u8] = b"{\"a\":1}\r\n\n  \n{\"b\":2}";
        let mut rows = JsonRows::new(data, "f.jsonl");
        let mut next = || rows.next_row().unwrap().map(|(n, l)| (n, l.bytes));
        assert_eq!(next(), Some((1, b"{\"a\":1}".to_vec())));
        assert_eq!(next(), Some((4, b"{\"b\":2}".to_vec())));
        assert_eq!(next(), None);
    }

    #[test]
    fn an_over_long_line_is_rejected_without_being_held() {
        let mut data = b"{\"text\": \"".to_vec();
        data.resize(MAX_LINE_BYTES + 10, b'a');
        data.extend_from_slice(b"\"}\n{\"b\":2}\n");
        let mut rows = JsonRows::new(&data[..], "f.jsonl");
        let (n, long) = rows.next_row().unwrap().unwrap();
        assert_eq!(n, 1);
        assert_eq!(long.bytes.len(), TOO_LONG_HEAD);
        let format = JsonFormat::new(&BTreeMap::new(), None);
        let (_, kind, reason) = rejected(format.fields(&long));
        assert_eq!(kind, RejectKind::LineTooLong);
        assert!(reason.contains("longer than the 64 MiB"), "{reason}");
        let (n, next) = rows.next_row().unwrap().unwrap();
        assert_eq!((n, next.bytes), (2, b"{\"b\":2}".to_vec()));
    }

    #[test]
    fn keys_map_onto_columns() {
        let mapping = BTreeMap::from([("contact_id".to_string(), "Call ID".to_string())]);
        let format = JsonFormat::new(&mapping, None);
        let line =
            br#"{"call id": "c1", "contact_id": "x", "csat": 4, "escalated": true, "team": null}"#;
        let f = format.fields(&line_of(line)).ok().unwrap();
        let get = |c: Col| f[c as usize].as_deref();
        assert_eq!(
            get(Col::ContactId),
            Some("c1"),
            "the alias comes first here"
        );
        assert_eq!(get(Col::Csat), Some("4"));
        assert_eq!(get(Col::Escalated), Some("true"));
        assert_eq!(get(Col::Team), None);
    }

    #[test]
    fn numeric_ids_keep_every_digit() {
        let format = JsonFormat::new(&BTreeMap::new(), None);
        let id = |line: &str| {
            let f = format.fields(&line_of(line.as_bytes())).ok().unwrap();
            f[Col::CustomerId as usize].clone()
        };
        let a = id(r#"{"customer_id": 98765432109876543210}"#);
        let b = id(r#"{"customer_id": 98765432109876543211}"#);
        assert_eq!(a.as_deref(), Some("98765432109876543210"));
        assert_ne!(a, b);
        assert_eq!(id(r#"{"customer_id": "a\u00e9"}"#).as_deref(), Some("aé"));
        assert_eq!(id(r#"{"customer_id": -0.50}"#).as_deref(), Some("-0.50"));
    }

    #[test]
    fn bad_lines_are_rejected() {
        let format = JsonFormat::new(&BTreeMap::new(), None);
        let kind = |line: &[u8]| {
            let (column, kind, _) = rejected(format.fields(&line_of(line)));
            (column, kind)
        };
        assert_eq!(kind(b"{not json}"), ("", RejectKind::BadJson));
        assert_eq!(kind(b"[1, 2]"), ("", RejectKind::BadJson));
        assert_eq!(
            kind(b"{\"text\": \"caf\xE9\"}"),
            ("", RejectKind::InvalidUtf8)
        );
        assert_eq!(kind(br#"{"text": ["a"]}"#), ("text", RejectKind::BadValue));
        assert_eq!(format.raw_text(&line_of(b"{\"x\xFF\"}")), "{\"x\\xFF\"}");
    }
}
