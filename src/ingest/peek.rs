//! A first look at an export, for `recontact init`: its format, header
//! and first rows as text, read the way `recontact run` reads it (the
//! delimiter sniffed, the encoding named when it is not UTF-8, a workbook's
//! sheet, a Parquet file's fields), without any column mapping.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context, Result};

use super::reader::RowReader;
use super::{csv, encoding, format_of, parquet, workbook, Format, TextFormat};

/// What an export looks like.
#[derive(Debug, Clone, Default)]
pub struct Peek {
    /// "CSV", "JSON Lines", "workbook" or "Parquet".
    pub format: &'static str,
    /// A CSV file's delimiter.
    pub delimiter: Option<char>,
    /// The `--encoding` that reads a text file that is not UTF-8.
    pub encoding: Option<String>,
    /// The workbook sheet read, and all its sheets.
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
    pub header: Vec<String>,
    /// The first rows, one cell per header (missing cells empty).
    pub rows: Vec<Vec<String>>,
}

/// Bytes of a text export looked at, and rows kept.
const HEAD_BYTES: u64 = 1 << 20;
const ROWS: usize = 500;

/// Looks at the export at `path` (`sheet`: a workbook's sheet, else the
/// first).
pub fn peek(path: &Path, sheet: Option<&str>) -> Result<Peek> {
    let name = path.display().to_string();
    if path.is_dir() {
        bail!("{name} is a folder: name one export file");
    }
    let Some(format) = format_of(path) else {
        bail!("{name}: not an export recontact reads (.csv, .tsv, .jsonl, .ndjson, .json, .xlsx, .xlsm, .xlsb, .xls, .ods, .parquet)");
    };
    match format {
        Format::Text(text) => peek_text(path, &name, text),
        Format::Workbook => {
            let Some(s) = workbook::read_sheet(path, &name, sheet)? else {
                bail!("{name}: the sheet is empty");
            };
            let width = s.header.len();
            Ok(Peek {
                format: "workbook",
                sheet: Some(s.name),
                sheets: s.sheets,
                rows: s
                    .records
                    .iter()
                    .take(ROWS)
                    .map(|(_, r)| cells(r, width))
                    .collect(),
                header: s.header,
                ..Peek::default()
            })
        }
        Format::Parquet => {
            let Some((header, mut reader)) = parquet::rows(path, &name, ROWS)? else {
                bail!("{name}: the Parquet file has no columns");
            };
            let mut rows = Vec::new();
            while rows.len() < ROWS {
                let Some((_, r)) = reader.next_row()? else {
                    break;
                };
                rows.push(cells(&r, header.len()));
            }
            Ok(Peek {
                format: "Parquet",
                header,
                rows,
                ..Peek::default()
            })
        }
    }
}

fn cells(r: &::csv::ByteRecord, width: usize) -> Vec<String> {
    (0..width)
        .map(|k| {
            r.get(k)
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default()
        })
        .collect()
}

fn peek_text(path: &Path, name: &str, format: TextFormat) -> Result<Peek> {
    let mut head = Vec::new();
    File::open(path)
        .with_context(|| format!("cannot open input file {name}"))?
        .take(HEAD_BYTES)
        .read_to_end(&mut head)
        .with_context(|| format!("cannot read input file {name}"))?;
    let cut = head.len() as u64 == HEAD_BYTES;
    // The encoding: a byte order mark, UTF-16 without one, else UTF-8 or
    // the legacy encoding it most looks like.
    let (enc, flag) = match encoding_rs::Encoding::for_bom(&head) {
        Some((e, _)) => (
            e,
            (e != encoding_rs::UTF_8).then(|| e.name().to_ascii_lowercase()),
        ),
        None => match encoding::wide_unicode(&head) {
            Some(encoding::Wide::Utf16(le)) => {
                let e = if le {
                    encoding_rs::UTF_16LE
                } else {
                    encoding_rs::UTF_16BE
                };
                (e, Some(e.name().to_ascii_lowercase()))
            }
            Some(w) => bail!("{name}: {}", encoding::wide_advice(w)),
            None => match encoding::guess_file(&head) {
                Some(e) => (e, Some(encoding::encoding_flag(e))),
                None => (encoding_rs::UTF_8, None),
            },
        },
    };
    let (text, _, _) = enc.decode(&head);
    let text = text.trim_start_matches('\u{feff}');
    match format {
        TextFormat::Csv => {
            let delimiter = csv::delimiter_for(name, text.as_bytes());
            let mut rdr = ::csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .flexible(true)
                .has_headers(true)
                .from_reader(text.as_bytes());
            let header: Vec<String> = rdr
                .headers()
                .with_context(|| format!("{name}: line 1: cannot read the CSV header"))?
                .iter()
                .map(|h| h.trim().to_string())
                .collect();
            if header.iter().all(String::is_empty) {
                bail!("{name}: the file is empty");
            }
            let mut rows: Vec<Vec<String>> = rdr
                .records()
                .take(ROWS + 1)
                .filter_map(|r| r.ok())
                .map(|r| {
                    (0..header.len())
                        .map(|k| r.get(k).unwrap_or("").to_string())
                        .collect()
                })
                .collect();
            // The last row of a cut head may be cut too.
            if cut || rows.len() > ROWS {
                rows.pop();
            }
            Ok(Peek {
                format: "CSV",
                delimiter: Some(char::from(delimiter)),
                encoding: flag,
                header,
                rows,
                ..Peek::default()
            })
        }
        TextFormat::JsonLines => {
            let mut header: Vec<String> = Vec::new();
            let mut objects = Vec::new();
            let lines: Vec<&str> = text.lines().collect();
            let whole = if cut {
                lines.len().saturating_sub(1)
            } else {
                lines.len()
            };
            for line in lines.iter().take(whole) {
                let Ok(serde_json::Value::Object(o)) = serde_json::from_str(line) else {
                    continue;
                };
                for k in o.keys() {
                    if !header.contains(k) {
                        header.push(k.clone());
                    }
                }
                objects.push(o);
                if objects.len() == ROWS {
                    break;
                }
            }
            if header.is_empty() {
                bail!("{name}: no JSON object on its first lines");
            }
            let rows = objects
                .iter()
                .map(|o| {
                    header
                        .iter()
                        .map(|k| match o.get(k) {
                            None | Some(serde_json::Value::Null) => String::new(),
                            Some(serde_json::Value::String(s)) => s.clone(),
                            Some(v) => v.to_string(),
                        })
                        .collect()
                })
                .collect();
            Ok(Peek {
                format: "JSON Lines",
                encoding: flag,
                header,
                rows,
                ..Peek::default()
            })
        }
    }
}
