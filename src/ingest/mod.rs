//! Ingest stage: CSV / JSON Lines files and folders → [`Ingested`] (the public API).
//!
//! Files are streamed in batches: one thread reads raw rows (`reader`),
//! the rayon pool parses each batch (timestamps, text normalisation, terms)
//! in parallel, and results are kept in input order so output never depends
//! on threads. A row that cannot be used becomes a [`Rejection`]; a file that
//! cannot be read at all is an error naming it.
//!
//! `csv` and `jsonl` split a raw row into the contract fields, `row` builds
//! the contact from them, `encoding` names bytes that are not UTF-8.

mod csv;
mod encoding;
#[cfg(test)]
mod fuzz;
mod jsonl;
mod outliers;
mod parquet;
mod peek;
mod propose;
mod reader;
mod row;
mod workbook;

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono_tz::Tz;
use rayon::prelude::*;

use crate::model::{Ingested, RejectKind, Rejection, SourceRef};
use crate::progress::Progress;
use crate::settings::Settings;

pub use encoding::{describe_bad_utf8, escape_invalid_utf8};
pub use peek::{peek, Peek};
pub use propose::{propose, Proposal};
pub use row::{parse_bool, NotABool};

use reader::{Batch, RowReader};
use row::{Parsed, RowFormat};

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

/// How to read the inputs.
pub struct IngestOptions<'a> {
    /// Contract column → the export's own header (`[columns]` in the config).
    pub columns: &'a BTreeMap<String, String>,
    pub settings: &'a Settings,
    pub timezone: Tz,
    /// Rows read are counted here, a batch at a time.
    pub progress: &'a Progress,
}

/// An input file's format, from its extension.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Format {
    Text(TextFormat),
    /// .xlsx, .xlsm, .xlsb, .xls, .ods: one sheet, read like a CSV file.
    Workbook,
    /// .parquet: typed columns, read like a CSV file.
    Parquet,
}

/// A text file's format: read through a text encoding.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum TextFormat {
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
            "no input files (.csv, .tsv, .jsonl, .ndjson, .json, .xlsx, .xls, .ods, .parquet) found in {}",
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
        "csv" | "tsv" => Some(Format::Text(TextFormat::Csv)),
        "jsonl" | "ndjson" | "json" => Some(Format::Text(TextFormat::JsonLines)),
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => Some(Format::Workbook),
        "parquet" => Some(Format::Parquet),
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
        match format_of(path).unwrap_or(Format::Text(TextFormat::Csv)) {
            Format::Text(format) => read_file(path, file_idx, format, opts, &mut out, &mut seen)?,
            Format::Workbook => read_binary(path, file_idx, opts, &mut out, &mut seen, |name| {
                workbook::open(
                    path,
                    name,
                    opts.settings.sheet.as_deref(),
                    opts.columns,
                    opts.settings.date_format.as_deref(),
                )
            })?,
            Format::Parquet => read_binary(path, file_idx, opts, &mut out, &mut seen, |name| {
                parquet::open(
                    path,
                    name,
                    opts.columns,
                    opts.settings.date_format.as_deref(),
                )
            })?,
        }
    }
    out.stats.files_read = files.len();
    outliers::reject_outlying_times(&mut out, opts.settings.repeat_window_secs, opts.timezone);
    Ok(out)
}

/// Opens an input file; `None` when it is empty. A UTF-16 file is an
/// error unless `--encoding` says how to read it (with a byte order mark,
/// any: the mark wins; without one, UTF-16); a UTF-32 one always is (no
/// `--encoding` reads it).
fn open_checked(
    path: &Path,
    decoded: Option<&'static encoding_rs::Encoding>,
) -> Result<Option<File>> {
    let mut f =
        File::open(path).with_context(|| format!("cannot open input file {}", path.display()))?;
    let mut head = Vec::with_capacity(4096);
    (&mut f)
        .take(4096)
        .read_to_end(&mut head)
        .with_context(|| format!("cannot read input file {}", path.display()))?;
    if let Some(w) = encoding::wide_unicode(&head) {
        let read = match (w, decoded) {
            (encoding::Wide::Utf16Bom, Some(_)) => true,
            (encoding::Wide::Utf16(_), Some(e)) => {
                e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE
            }
            _ => false,
        };
        if !read {
            bail!(
                "{}: line 1, column 1: {}",
                path.display(),
                encoding::wide_advice(w)
            );
        }
    }
    if head.is_empty() {
        return Ok(None);
    }
    let f =
        File::open(path).with_context(|| format!("cannot open input file {}", path.display()))?;
    Ok(Some(f))
}

fn read_file(
    path: &Path,
    file_idx: u32,
    format: TextFormat,
    opts: &IngestOptions,
    out: &mut Ingested,
    seen: &mut HashMap<String, SourceRef>,
) -> Result<()> {
    let name = path.display().to_string();
    let encoding = opts.settings.encoding_rs()?;
    let Some(file) = open_checked(path, encoding)? else {
        out.stats.files_empty.push(name);
        return Ok(());
    };
    // `--encoding`: the file decoded to UTF-8 as it streams (a BOM wins).
    let source: Box<dyn Read + Send> = match encoding {
        Some(e) => Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(e))
                .build(file),
        ),
        None => Box::new(file),
    };
    let mut reader = BufReader::with_capacity(1 << 20, source);
    // Without `--encoding`, a file that is not UTF-8 is named from its first
    // MiB, so every row's rejection names one encoding and one flag.
    let guess = match encoding {
        Some(_) => None,
        None => encoding::guess_file(
            reader
                .fill_buf()
                .with_context(|| format!("cannot read input file {name}"))?,
        ),
    };
    match format {
        TextFormat::Csv => {
            let date_format = opts.settings.date_format.as_deref();
            let Some((rows, row_format)) =
                csv::open(reader, &name, opts.columns, date_format, guess)?
            else {
                out.stats.files_empty.push(name);
                return Ok(());
            };
            read_rows(rows, &row_format, file_idx, &name, opts, out, seen)?;
        }
        TextFormat::JsonLines => {
            let rows = jsonl::JsonRows::new(reader, &name);
            let row_format = jsonl::JsonFormat::new(opts.columns, guess);
            if !read_rows(rows, &row_format, file_idx, &name, opts, out, seen)? {
                out.stats.files_empty.push(name);
            }
        }
    }
    Ok(())
}

/// A binary file (a workbook's sheet, or Parquet): no text encoding to
/// guess or decode; `open` gives its rows and their format, `None` when it
/// has no header.
fn read_binary<R, F>(
    path: &Path,
    file_idx: u32,
    opts: &IngestOptions,
    out: &mut Ingested,
    seen: &mut HashMap<String, SourceRef>,
    open: impl FnOnce(&str) -> Result<Option<(R, F)>>,
) -> Result<()>
where
    R: RowReader<Row = ::csv::ByteRecord>,
    F: RowFormat<Row = ::csv::ByteRecord>,
{
    let name = path.display().to_string();
    let Some((rows, row_format)) = open(&name)? else {
        out.stats.files_empty.push(name);
        return Ok(());
    };
    if !read_rows(rows, &row_format, file_idx, &name, opts, out, seen)? {
        out.stats.files_empty.push(name);
    }
    Ok(())
}

/// Streams one file's rows through the reader thread and parses each batch
/// on the rayon pool. Returns whether the file had any row.
fn read_rows<R, F>(
    rows: R,
    row_format: &F,
    file_idx: u32,
    name: &str,
    opts: &IngestOptions,
    out: &mut Ingested,
    seen: &mut HashMap<String, SourceRef>,
) -> Result<bool>
where
    R: RowReader,
    R::Row: Sync,
    F: RowFormat<Row = R::Row>,
{
    reader::read_batches(rows, |batch| {
        let parsed: Vec<Parsed> = batch
            .par_iter()
            .map(|(line, raw)| {
                let source = SourceRef {
                    file: file_idx,
                    line: *line,
                };
                row::parse(row_format, raw, source, opts)
            })
            .collect();
        let rows = batch.len() as u64;
        collect(batch, parsed, row_format, name, out, seen);
        opts.progress.inc(rows);
    })
}

/// Keeps accepted rows in input order, turns the rest and later duplicates
/// into rejections.
fn collect<F: RowFormat>(
    batch: Batch<F::Row>,
    parsed: Vec<Parsed>,
    row_format: &F,
    name: &str,
    out: &mut Ingested,
    seen: &mut HashMap<String, SourceRef>,
) {
    for ((line, raw), p) in batch.into_iter().zip(parsed) {
        out.stats.rows_read += 1;
        let (column, kind, reason) = match p {
            Parsed::Ok(contact, ignored) => match seen.get(contact.contact_id.as_str()) {
                Some(first) => (
                    "contact_id",
                    RejectKind::DuplicateContactId,
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
                    seen.insert(contact.contact_id.to_string(), contact.source);
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
            .entry(kind.as_str().to_string())
            .or_default() += 1;
        out.rejected.push(Rejection {
            file: name.to_string(),
            line,
            column: column.to_string(),
            reason,
            raw_row: row_format.raw_text(&raw),
        });
    }
}
