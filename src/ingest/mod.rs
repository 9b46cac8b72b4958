//! Ingest stage: CSV / JSON Lines files and folders → [`Ingested`].
//!
//! Files are streamed in batches: one thread reads raw rows, the rayon pool
//! parses each batch (timestamps, text normalisation, terms) in parallel,
//! and results are kept in input order so output never depends on threads.
//! A row that cannot be used becomes a [`Rejection`]; a file that cannot be
//! read at all is an error naming it.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;

use anyhow::{bail, Context, Result};
use chrono_tz::Tz;
use rayon::prelude::*;

use crate::model::{Contact, Direction, Ingested, Rejection, SourceRef};
use crate::settings::Settings;
use crate::text;
use crate::time::parse_timestamp;

/// A contract input column.
pub struct ColumnSpec {
    pub name: &'static str,
    /// The column must exist (CSV header or JSON key).
    pub required: bool,
}

macro_rules! columns {
    ($($idx:ident = $name:literal, $req:literal;)*) => {
        /// Contract input columns, in contract order.
        pub const COLUMNS: &[ColumnSpec] = &[$(ColumnSpec { name: $name, required: $req }),*];
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy)]
        #[repr(usize)]
        enum Col { $($idx),* }
    };
}

columns! {
    ContactId = "contact_id", true;
    CustomerId = "customer_id", true;
    StartedAt = "started_at", true;
    Text = "text", true;
    Channel = "channel", false;
    Direction = "direction", false;
    TicketId = "ticket_id", false;
    AgentId = "agent_id", false;
    Team = "team", false;
    Queue = "queue", false;
    ReasonCode = "reason_code", false;
    Transferred = "transferred", false;
    Escalated = "escalated", false;
    Reopened = "reopened", false;
    SurveyResolved = "survey_resolved", false;
    Csat = "csat", false;
    Segment = "segment", false;
}

const N_COLS: usize = 17;
const BATCH_ROWS: usize = 8192;

/// How to read the inputs.
pub struct IngestOptions<'a> {
    /// Contract column → the export's own header (`[columns]` in the config).
    pub columns: &'a BTreeMap<String, String>,
    pub settings: &'a Settings,
    pub timezone: Tz,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Format {
    Csv,
    JsonLines,
}

/// Expands files and folders into the list of input files, sorted within
/// each folder so the order (and duplicate resolution) is reproducible.
pub fn discover(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read input folder {}", dir.display()))?
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<_>>()
            .with_context(|| format!("cannot read input folder {}", dir.display()))?;
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out)?;
            } else if format_of(&p).is_some() {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            walk(input, &mut files)?;
        } else if input.exists() {
            files.push(input.clone());
        } else {
            bail!("input not found: {}", input.display());
        }
    }
    if files.is_empty() {
        bail!(
            "no input files (.csv, .jsonl, .ndjson, .json) found in {}",
            inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(files)
}

fn format_of(p: &Path) -> Option<Format> {
    let ext = p.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Some(Format::Csv),
        "jsonl" | "ndjson" | "json" => Some(Format::JsonLines),
        _ => None,
    }
}

/// Reads every input file into contacts and rejections.
pub fn ingest(inputs: &[PathBuf], opts: &IngestOptions) -> Result<Ingested> {
    let files = discover(inputs)?;
    let mut out = Ingested::default();
    let mut seen: HashMap<String, SourceRef> = HashMap::new();
    for (i, path) in files.iter().enumerate() {
        let name = path.display().to_string();
        out.files.push(name.clone());
        let file_idx = u32::try_from(i).context("too many input files")?;
        let format = format_of(path).unwrap_or(Format::Csv);
        read_file(path, file_idx, format, opts, &mut out, &mut seen)?;
    }
    out.stats.files_read = files.len();
    Ok(out)
}

/// A raw row as read, before parsing.
enum RawRow {
    Csv(csv::ByteRecord),
    Json(Vec<u8>),
}

struct Batch {
    rows: Vec<(u64, RawRow)>,
}

fn open_checked(path: &Path) -> Result<Option<File>> {
    let mut f =
        File::open(path).with_context(|| format!("cannot open input file {}", path.display()))?;
    let mut head = [0u8; 4];
    let n = f
        .read(&mut head)
        .with_context(|| format!("cannot read input file {}", path.display()))?;
    if n >= 2 && (head[..2] == [0xFF, 0xFE] || head[..2] == [0xFE, 0xFF]) {
        bail!(
            "{}: line 1, column 1: file is UTF-16 encoded; export it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)",
            path.display()
        );
    }
    if n == 0 {
        return Ok(None);
    }
    let f =
        File::open(path).with_context(|| format!("cannot open input file {}", path.display()))?;
    Ok(Some(f))
}

fn read_file(
    path: &Path,
    file_idx: u32,
    format: Format,
    opts: &IngestOptions,
    out: &mut Ingested,
    seen: &mut HashMap<String, SourceRef>,
) -> Result<()> {
    let name = path.display().to_string();
    let Some(file) = open_checked(path)? else {
        out.stats.files_empty.push(name);
        return Ok(());
    };
    let reader = BufReader::with_capacity(1 << 20, file);
    match format {
        Format::Csv => {
            let mut rdr = csv::ReaderBuilder::new()
                .flexible(true)
                .has_headers(true)
                .from_reader(reader);
            let headers = rdr
                .byte_headers()
                .with_context(|| format!("{name}: line 1: cannot read the CSV header"))?
                .clone();
            if headers.is_empty() || (headers.len() == 1 && headers[0].is_empty()) {
                out.stats.files_empty.push(name);
                return Ok(());
            }
            let header_names: Vec<String> = headers
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let h = std::str::from_utf8(h).map_err(|e| {
                        anyhow::anyhow!(
                            "{name}: line 1, column {}: header is not valid UTF-8 ({})",
                            i + 1,
                            describe_bad_utf8(h, e.valid_up_to())
                        )
                    })?;
                    // A UTF-8 byte order mark sticks to the first header.
                    Ok(h.trim_start_matches('\u{feff}').trim().to_string())
                })
                .collect::<Result<_>>()?;
            let map = map_columns(&header_names, opts.columns);
            for (c, spec) in COLUMNS.iter().enumerate() {
                if spec.required && map[c].is_none() {
                    bail!(
                        "{name}: line 1: required column '{}'{} not found in the header ({}); map it with [columns] {} = \"<header>\" in --config",
                        spec.name,
                        opts.columns
                            .get(spec.name)
                            .map(|h| format!(" (mapped to '{h}')"))
                            .unwrap_or_default(),
                        header_names.join(", "),
                        spec.name
                    );
                }
            }
            let n_fields = headers.len();
            let reader_name = name.clone();
            std::thread::scope(|s| -> Result<()> {
                let (tx, rx) = sync_channel::<Result<Batch>>(2);
                s.spawn(move || {
                    let mut rows = Vec::with_capacity(BATCH_ROWS);
                    let mut rec = csv::ByteRecord::new();
                    loop {
                        match rdr.read_byte_record(&mut rec) {
                            Ok(true) => {
                                let line = rec.position().map(|p| p.line()).unwrap_or(0);
                                rows.push((line, RawRow::Csv(rec.clone())));
                                if rows.len() == BATCH_ROWS {
                                    let full = std::mem::replace(
                                        &mut rows,
                                        Vec::with_capacity(BATCH_ROWS),
                                    );
                                    if tx.send(Ok(Batch { rows: full })).is_err() {
                                        return;
                                    }
                                }
                            }
                            Ok(false) => break,
                            Err(e) => {
                                let _ = tx.send(Err(anyhow::anyhow!("{reader_name}: {e}")));
                                return;
                            }
                        }
                    }
                    if !rows.is_empty() {
                        let _ = tx.send(Ok(Batch { rows }));
                    }
                });
                for batch in rx {
                    process_batch(
                        batch?,
                        file_idx,
                        &name,
                        &map,
                        Some(n_fields),
                        opts,
                        out,
                        seen,
                    );
                }
                Ok(())
            })
        }
        Format::JsonLines => {
            let keys = opts.columns;
            let reader_name = name.clone();
            let mut reader = reader;
            std::thread::scope(|s| -> Result<()> {
                let (tx, rx) = sync_channel::<Result<Batch>>(2);
                s.spawn(move || {
                    let mut rows = Vec::with_capacity(BATCH_ROWS);
                    let mut line_no = 0u64;
                    loop {
                        let mut buf = Vec::new();
                        match reader.read_until(b'\n', &mut buf) {
                            Ok(0) => break,
                            Ok(_) => {
                                line_no += 1;
                                if buf.iter().all(|b| b.is_ascii_whitespace()) {
                                    continue;
                                }
                                while matches!(buf.last(), Some(b'\n' | b'\r')) {
                                    buf.pop();
                                }
                                rows.push((line_no, RawRow::Json(buf)));
                                if rows.len() == BATCH_ROWS {
                                    let full = std::mem::replace(
                                        &mut rows,
                                        Vec::with_capacity(BATCH_ROWS),
                                    );
                                    if tx.send(Ok(Batch { rows: full })).is_err() {
                                        return;
                                    }
                                }
                            }
                            Err(e) => {
                                let _ = tx.send(Err(anyhow::anyhow!(
                                    "{reader_name}: line {}: cannot read: {e}",
                                    line_no + 1
                                )));
                                return;
                            }
                        }
                    }
                    if !rows.is_empty() {
                        let _ = tx.send(Ok(Batch { rows }));
                    }
                });
                let map = json_key_map(keys);
                let mut any = false;
                for batch in rx {
                    any = true;
                    process_batch_json(batch?, file_idx, &name, &map, opts, out, seen);
                }
                if !any {
                    out.stats.files_empty.push(name.clone());
                }
                Ok(())
            })
        }
    }
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

/// Lower-cased JSON key → contract column, aliases first.
fn json_key_map(mapping: &BTreeMap<String, String>) -> HashMap<String, usize> {
    let mut map = HashMap::new();
    for (c, spec) in COLUMNS.iter().enumerate() {
        map.insert(spec.name.to_string(), c);
    }
    for (c, spec) in COLUMNS.iter().enumerate() {
        if let Some(alias) = mapping.get(spec.name) {
            map.insert(alias.trim().to_lowercase(), c);
        }
    }
    map
}

type Fields = [Option<String>; N_COLS];

/// Outcome of parsing one row.
enum Parsed {
    Ok(Box<Contact>, Vec<&'static str>),
    Rejected {
        column: &'static str,
        kind: &'static str,
        reason: String,
    },
}

#[allow(clippy::too_many_arguments)]
fn process_batch(
    batch: Batch,
    file_idx: u32,
    name: &str,
    map: &[Option<usize>; N_COLS],
    n_fields: Option<usize>,
    opts: &IngestOptions,
    out: &mut Ingested,
    seen: &mut HashMap<String, SourceRef>,
) {
    let parsed: Vec<Parsed> = batch
        .rows
        .par_iter()
        .map(|(line, raw)| {
            let RawRow::Csv(rec) = raw else {
                unreachable_row()
            };
            let source = SourceRef {
                file: file_idx,
                line: *line,
            };
            match csv_fields(rec, map, n_fields) {
                Ok(fields) => build_contact(fields, source, opts),
                Err(p) => p,
            }
        })
        .collect();
    collect(batch, parsed, name, out, seen);
}

fn process_batch_json(
    batch: Batch,
    file_idx: u32,
    name: &str,
    map: &HashMap<String, usize>,
    opts: &IngestOptions,
    out: &mut Ingested,
    seen: &mut HashMap<String, SourceRef>,
) {
    let parsed: Vec<Parsed> = batch
        .rows
        .par_iter()
        .map(|(line, raw)| {
            let RawRow::Json(bytes) = raw else {
                unreachable_row()
            };
            let source = SourceRef {
                file: file_idx,
                line: *line,
            };
            match json_fields(bytes, map) {
                Ok(fields) => build_contact(fields, source, opts),
                Err(p) => p,
            }
        })
        .collect();
    collect(batch, parsed, name, out, seen);
}

fn unreachable_row() -> ! {
    // Each reader only ever sends its own kind of row.
    panic!("ingest: row kind does not match the file's format")
}

/// Keeps accepted rows in input order, turns the rest and later duplicates
/// into rejections.
fn collect(
    batch: Batch,
    parsed: Vec<Parsed>,
    name: &str,
    out: &mut Ingested,
    seen: &mut HashMap<String, SourceRef>,
) {
    for ((line, raw), p) in batch.rows.into_iter().zip(parsed) {
        out.stats.rows_read += 1;
        let (column, kind, reason) = match p {
            Parsed::Ok(contact, ignored) => match seen.get(&contact.contact_id) {
                Some(first) => (
                    "contact_id",
                    "duplicate_contact_id",
                    format!(
                        "duplicate contact_id '{}' (first seen in {} line {})",
                        contact.contact_id,
                        out.files
                            .get(first.file as usize)
                            .map(String::as_str)
                            .unwrap_or("?"),
                        first.line
                    ),
                ),
                None => {
                    seen.insert(contact.contact_id.clone(), contact.source);
                    for col in ignored {
                        *out.stats.ignored_values.entry(col.to_string()).or_default() += 1;
                    }
                    if contact.customer_id.is_none() {
                        out.stats.anonymous_contacts += 1;
                    }
                    if contact.text.trim().is_empty() {
                        out.stats.empty_text_contacts += 1;
                    }
                    out.stats.rows_accepted += 1;
                    out.contacts.push(*contact);
                    continue;
                }
            },
            Parsed::Rejected {
                column,
                kind,
                reason,
            } => (column, kind, reason),
        };
        out.stats.rows_rejected += 1;
        *out.stats
            .rejected_by_reason
            .entry(kind.to_string())
            .or_default() += 1;
        out.rejected.push(Rejection {
            file: name.to_string(),
            line,
            column: column.to_string(),
            reason,
            raw_row: raw_text(&raw),
        });
    }
}

/// The raw row as text; bytes that are not UTF-8 are kept as `\xNN`.
fn raw_text(raw: &RawRow) -> String {
    let bytes = match raw {
        RawRow::Json(b) => b.clone(),
        RawRow::Csv(rec) => {
            let mut w = csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(Vec::new());
            let _ = w.write_byte_record(rec);
            let mut b = w.into_inner().unwrap_or_default();
            while matches!(b.last(), Some(b'\n' | b'\r')) {
                b.pop();
            }
            b
        }
    };
    escape_invalid_utf8(&bytes)
}

pub fn escape_invalid_utf8(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                let bad = e.error_len().unwrap_or(rest.len()).max(1);
                for b in &rest[..bad] {
                    out.push_str(&format!("\\x{b:02X}"));
                }
                bytes = &rest[bad..];
            }
        }
    }
}

/// Names the likely encoding of bytes that are not UTF-8.
pub fn describe_bad_utf8(bytes: &[u8], valid_up_to: usize) -> String {
    let shown: Vec<String> = bytes[valid_up_to..]
        .iter()
        .take(4)
        .map(|b| format!("{b:02X}"))
        .collect();
    let guess = if encoding_rs::GBK
        .decode_without_bom_handling_and_without_replacement(bytes)
        .is_some_and(|s| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
    {
        "the bytes decode as Chinese GBK/GB18030: re-export as UTF-8 or convert with `iconv -f GB18030 -t UTF-8`"
    } else if bytes[valid_up_to..]
        .iter()
        .any(|b| (0xE0..=0xFA).contains(b))
        && encoding_rs::WINDOWS_1255
            .decode_without_bom_handling_and_without_replacement(bytes)
            .is_some_and(|s| s.chars().any(|c| ('\u{05d0}'..='\u{05ea}').contains(&c)))
        && !bytes.iter().any(|b| (0x41..=0x7A).contains(b))
    {
        "the bytes look like Hebrew Windows-1255: re-export as UTF-8 or convert with `iconv -f WINDOWS-1255 -t UTF-8`"
    } else {
        "the bytes look like a legacy 8-bit encoding (e.g. Windows-1252/Latin-1): re-export as UTF-8"
    };
    format!(
        "invalid UTF-8 at byte {} (bytes {}); {}",
        valid_up_to + 1,
        shown.join(" "),
        guess
    )
}

fn csv_fields(
    rec: &csv::ByteRecord,
    map: &[Option<usize>; N_COLS],
    n_fields: Option<usize>,
) -> Result<Fields, Parsed> {
    if let Some(n) = n_fields {
        if rec.len() != n {
            return Err(Parsed::Rejected {
                column: "",
                kind: "wrong_field_count",
                reason: format!(
                    "row has {} fields but the header has {} (unbalanced quote or stray delimiter?)",
                    rec.len(),
                    n
                ),
            });
        }
    }
    let mut fields: Fields = Default::default();
    for (c, idx) in map.iter().enumerate() {
        let Some(i) = idx else { continue };
        let Some(bytes) = rec.get(*i) else { continue };
        match std::str::from_utf8(bytes) {
            Ok(s) => fields[c] = Some(s.to_string()),
            Err(e) => {
                return Err(Parsed::Rejected {
                    column: COLUMNS[c].name,
                    kind: "invalid_utf8",
                    reason: format!(
                        "column '{}' (field {}): {}",
                        COLUMNS[c].name,
                        i + 1,
                        describe_bad_utf8(bytes, e.valid_up_to())
                    ),
                })
            }
        }
    }
    Ok(fields)
}

fn json_fields(bytes: &[u8], map: &HashMap<String, usize>) -> Result<Fields, Parsed> {
    let line = std::str::from_utf8(bytes).map_err(|e| Parsed::Rejected {
        column: "",
        kind: "invalid_utf8",
        reason: format!(
            "column {}: {}",
            e.valid_up_to() + 1,
            describe_bad_utf8(bytes, e.valid_up_to())
        ),
    })?;
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| Parsed::Rejected {
        column: "",
        kind: "bad_json",
        reason: format!("column {}: bad JSON: {e}", e.column()),
    })?;
    let serde_json::Value::Object(obj) = value else {
        return Err(Parsed::Rejected {
            column: "",
            kind: "bad_json",
            reason: "line is not a JSON object".into(),
        });
    };
    let mut fields: Fields = Default::default();
    for (k, v) in obj {
        let Some(&c) = map.get(&k.trim().to_lowercase()) else {
            continue;
        };
        let s = match v {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s,
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => {
                return Err(Parsed::Rejected {
                    column: COLUMNS[c].name,
                    kind: "bad_value",
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

fn build_contact(mut f: Fields, source: SourceRef, opts: &IngestOptions) -> Parsed {
    let mut take = |c: Col| f[c as usize].take();
    let reject = |c: Col, kind: &'static str, reason: String| Parsed::Rejected {
        column: COLUMNS[c as usize].name,
        kind,
        reason,
    };
    let contact_id = take(Col::ContactId)
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    if contact_id.is_empty() {
        return reject(
            Col::ContactId,
            "missing_field",
            "missing required field 'contact_id'".into(),
        );
    }
    let Some(customer_raw) = take(Col::CustomerId) else {
        return reject(
            Col::CustomerId,
            "missing_field",
            "missing required field 'customer_id'".into(),
        );
    };
    let customer_raw = customer_raw.trim().to_string();
    let started_raw = take(Col::StartedAt).unwrap_or_default();
    if started_raw.trim().is_empty() {
        return reject(
            Col::StartedAt,
            "missing_field",
            "missing required field 'started_at'".into(),
        );
    }
    let started_at = match parse_timestamp(&started_raw, opts.timezone) {
        Ok(t) => t,
        Err(e) => return reject(Col::StartedAt, "bad_timestamp", e),
    };
    let Some(text) = take(Col::Text) else {
        return reject(
            Col::Text,
            "missing_field",
            "missing required field 'text'".into(),
        );
    };

    let mut ignored = Vec::new();
    let opt = |s: Option<String>| s.map(|s| s.trim().to_string()).unwrap_or_default();
    let flag = |c: Col, v: Option<String>, ignored: &mut Vec<&'static str>| -> bool {
        match parse_bool(v.as_deref().unwrap_or("")) {
            Ok(b) => b.unwrap_or(false),
            Err(NotABool) => {
                ignored.push(COLUMNS[c as usize].name);
                false
            }
        }
    };
    let transferred = flag(Col::Transferred, take(Col::Transferred), &mut ignored);
    let escalated = flag(Col::Escalated, take(Col::Escalated), &mut ignored);
    let reopened = flag(Col::Reopened, take(Col::Reopened), &mut ignored);
    let survey_resolved = match parse_bool(take(Col::SurveyResolved).as_deref().unwrap_or("")) {
        Ok(b) => b,
        Err(NotABool) => {
            ignored.push("survey_resolved");
            None
        }
    };
    let direction = match opt(take(Col::Direction)).to_lowercase().as_str() {
        "" | "inbound" | "in" | "incoming" => Direction::Inbound,
        "outbound" | "out" | "outgoing" => Direction::Outbound,
        _ => {
            ignored.push("direction");
            Direction::Inbound
        }
    };
    let csat_raw = opt(take(Col::Csat));
    let csat = if csat_raw.is_empty() {
        None
    } else {
        match csat_raw.parse::<u8>() {
            Ok(v @ 1..=5) => Some(v),
            _ => {
                ignored.push("csat");
                None
            }
        }
    };
    let ticket_id = Some(opt(take(Col::TicketId))).filter(|t| !t.is_empty());
    let customer_id = if opts.settings.is_anonymous(&customer_raw) {
        None
    } else {
        Some(customer_raw.clone())
    };
    let words = text::normalize(&text::customer_words(&text));
    let repeat_cue = text::has_repeat_cue(&words);
    let customer_terms = text::terms(&words);
    Parsed::Ok(
        Box::new(Contact {
            contact_id,
            customer_id,
            customer_raw,
            started_at,
            channel: opt(take(Col::Channel)).to_lowercase(),
            direction,
            ticket_id,
            agent_id: opt(take(Col::AgentId)),
            team: opt(take(Col::Team)),
            queue: opt(take(Col::Queue)),
            reason_code: opt(take(Col::ReasonCode)),
            transferred,
            escalated,
            reopened,
            survey_resolved,
            csat,
            segment: opt(take(Col::Segment)).to_lowercase(),
            source,
            text,
            customer_terms,
            repeat_cue,
        }),
        ignored,
    )
}

/// A value that is not a boolean.
#[derive(Debug, PartialEq, Eq)]
pub struct NotABool;

/// `true/false, yes/no, 1/0, y/n` in any case; empty is `None`.
pub fn parse_bool(s: &str) -> Result<Option<bool>, NotABool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "yes" | "y" | "1" | "t" => Ok(Some(true)),
        "false" | "no" | "n" | "0" | "f" => Ok(Some(false)),
        _ => Err(NotABool),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans() {
        for t in ["true", "YES", "y", "1", "T"] {
            assert_eq!(parse_bool(t), Ok(Some(true)));
        }
        for f in ["false", "No", "n", "0"] {
            assert_eq!(parse_bool(f), Ok(Some(false)));
        }
        assert_eq!(parse_bool(""), Ok(None));
        assert_eq!(parse_bool("maybe"), Err(NotABool));
    }

    #[test]
    fn names_the_encoding() {
        let (gbk, _, _) = encoding_rs::GBK.encode("你好，退款");
        let e = std::str::from_utf8(&gbk).unwrap_err();
        assert!(describe_bad_utf8(&gbk, e.valid_up_to()).contains("GBK"));
        assert_eq!(escape_invalid_utf8(b"ab\xC4\xE3c"), "ab\\xC4\\xE3c");
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
