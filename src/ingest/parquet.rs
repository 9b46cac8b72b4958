//! Parquet exports (from a data lake, Spark, DuckDB, pandas): read like a
//! CSV file, the schema's field names as the header and each row a record
//! numbered from 1, through Apache Arrow's own reader. Cells become the text
//! a CSV export would hold (Arrow's display of each type: timestamps with
//! their offset, naive ones read in `--timezone`), so one set of column
//! mapping, checks and rejections serves every format. Read a row group's
//! batch at a time: memory stays bounded on a month of millions of rows.

use std::collections::{BTreeMap, VecDeque};
use std::fs::File;
use std::path::Path;

use anyhow::{Context, Result};
use arrow_array::RecordBatch;
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

use super::csv::{format_for, CsvFormat};
use super::reader::{RowReader, BATCH_ROWS};
use super::workbook::NO_DELIMITER;

/// A Parquet file's records, with their row numbers.
pub(super) struct ParquetRows {
    reader: ParquetRecordBatchReader,
    name: String,
    rows: VecDeque<(u64, ::csv::ByteRecord)>,
    next_row: u64,
}

impl RowReader for ParquetRows {
    type Row = ::csv::ByteRecord;

    fn next_row(&mut self) -> Result<Option<(u64, ::csv::ByteRecord)>> {
        while self.rows.is_empty() {
            let Some(batch) = self.reader.next() else {
                return Ok(None);
            };
            let batch =
                batch.with_context(|| format!("{}: cannot read the Parquet file", self.name))?;
            self.next_row = records(&batch, self.next_row, &mut self.rows, &self.name)?;
        }
        Ok(self.rows.pop_front())
    }
}

/// Opens the Parquet file at `path`; `None` when it has no columns.
pub(super) fn open(
    path: &Path,
    name: &str,
    columns: &BTreeMap<String, String>,
    date_format: Option<&str>,
) -> Result<Option<(ParquetRows, CsvFormat)>> {
    let Some((header_names, rows)) = rows(path, name, BATCH_ROWS)? else {
        return Ok(None);
    };
    let format = format_for(
        name,
        &header_names,
        columns,
        NO_DELIMITER,
        date_format,
        None,
    )?;
    Ok(Some((rows, format)))
}

/// The file's field names and its records, read `batch` rows at a time;
/// `None` when it has no columns.
pub(super) fn rows(
    path: &Path,
    name: &str,
    batch: usize,
) -> Result<Option<(Vec<String>, ParquetRows)>> {
    let f = File::open(path).with_context(|| format!("cannot open input file {name}"))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(f).map_err(|e| {
        anyhow::anyhow!(
            "{name}: cannot read the Parquet file ({e}); is it really Parquet? A CSV saved under that extension must be named .csv"
        )
    })?;
    let header_names: Vec<String> = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().trim().to_string())
        .collect();
    if header_names.is_empty() {
        return Ok(None);
    }
    let reader = builder
        .with_batch_size(batch)
        .build()
        .map_err(|e| anyhow::anyhow!("{name}: cannot read the Parquet file ({e})"))?;
    Ok(Some((
        header_names,
        ParquetRows {
            reader,
            name: name.to_string(),
            rows: VecDeque::new(),
            next_row: 1,
        },
    )))
}

/// A batch's rows as records, numbered from `first`; returns the next
/// row's number.
fn records(
    batch: &RecordBatch,
    first: u64,
    out: &mut VecDeque<(u64, ::csv::ByteRecord)>,
    name: &str,
) -> Result<u64> {
    let options = FormatOptions::default().with_null("");
    let formatters = batch
        .columns()
        .iter()
        .zip(batch.schema().fields())
        .map(|(array, field)| {
            ArrayFormatter::try_new(array.as_ref(), &options).map_err(|e| {
                anyhow::anyhow!(
                    "{name}: column '{}' ({}) cannot be read as text ({e})",
                    field.name(),
                    field.data_type()
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut cell = String::new();
    for i in 0..batch.num_rows() {
        let mut rec = ::csv::ByteRecord::new();
        for f in &formatters {
            cell.clear();
            use std::fmt::Write;
            write!(cell, "{}", f.value(i))
                .map_err(|e| anyhow::anyhow!("{name}: row {}: {e}", first + i as u64))?;
            rec.push_field(cell.as_bytes());
        }
        out.push_back((first + i as u64, rec));
    }
    Ok(first + batch.num_rows() as u64)
}
