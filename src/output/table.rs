//! One output table written twice from the same rows: as CSV for people
//! (cells formatted, formulas neutralised, optional byte order mark) and as
//! typed Parquet for BI tools and data lakes (timestamps with their zone,
//! booleans, numbers, lists; values as they are).
//!
//! Each table declares its columns once, with their kind; a row is a list
//! of typed cells. The CSV text of every cell is exactly what the table
//! wrote before it had a Parquet twin.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int64Builder, ListBuilder, StringBuilder,
    TimestampMillisecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use chrono_tz::Tz;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::text::SafeCsv;
use crate::time::format_time;

/// What a column holds, and how its CSV cell is written.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Text,
    Int,
    /// A number, shown in CSV with this many decimals.
    Float(usize),
    /// `true` / `false`.
    Bool,
    /// `yes` / `no` in CSV (an answer), a boolean in Parquet.
    YesNo,
    /// Seconds since the epoch: RFC 3339 in the run's zone in CSV, a
    /// timestamp with that zone in Parquet.
    Time,
    /// A list of texts, joined with this separator in CSV.
    List(&'static str),
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
}

pub const fn col(name: &'static str, kind: Kind) -> Column {
    Column { name, kind }
}

/// One cell of a row; `Null` is an empty CSV cell.
#[derive(Debug, Clone)]
pub enum Cell<'a> {
    Text(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    Time(i64),
    List(Vec<Cow<'a, str>>),
    Null,
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(s: &'a str) -> Self {
        Cell::Text(Cow::Borrowed(s))
    }
}

impl From<String> for Cell<'_> {
    fn from(s: String) -> Self {
        Cell::Text(Cow::Owned(s))
    }
}

impl<'a, T: Into<Cell<'a>>> From<Option<T>> for Cell<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Null, Into::into)
    }
}

impl From<bool> for Cell<'_> {
    fn from(v: bool) -> Self {
        Cell::Bool(v)
    }
}

/// Whole numbers, whatever their Rust type (counts fit i64).
pub fn int<T: TryInto<i64>>(v: T) -> Cell<'static> {
    v.try_into().map_or(Cell::Null, Cell::Int)
}

pub fn list<'a, I: IntoIterator<Item = &'a str>>(items: I) -> Cell<'a> {
    Cell::List(items.into_iter().map(Cow::Borrowed).collect())
}

/// Rows buffered before a Parquet row group is written: bounds memory on a
/// month of millions of contacts.
const BATCH_ROWS: usize = 64 * 1024;

/// Writes one table as `NAME.csv` and/or `NAME.parquet`.
pub struct TableWriter {
    columns: &'static [Column],
    tz: Tz,
    csv: Option<(SafeCsv<BufWriter<File>>, PathBuf)>,
    parquet: Option<ParquetTable>,
}

impl TableWriter {
    /// Writes to `csv_path` and/or `parquet_path`, whichever are given.
    pub fn create(
        csv_path: Option<&Path>,
        parquet_path: Option<&Path>,
        columns: &'static [Column],
        bom: bool,
        tz: Tz,
    ) -> Result<TableWriter> {
        let csv = csv_path
            .map(|path| -> Result<_> {
                let f = File::create(path)
                    .with_context(|| format!("cannot create {}", path.display()))?;
                let mut w = BufWriter::with_capacity(1 << 20, f);
                if bom {
                    w.write_all("\u{feff}".as_bytes())
                        .with_context(|| format!("cannot write {}", path.display()))?;
                }
                let mut csv = SafeCsv::new(csv::Writer::from_writer(w));
                csv.write_record(columns.iter().map(|c| c.name))?;
                Ok((csv, path.to_path_buf()))
            })
            .transpose()?;
        let parquet = parquet_path
            .map(|p| ParquetTable::create(p, columns, tz))
            .transpose()?;
        Ok(TableWriter {
            columns,
            tz,
            csv,
            parquet,
        })
    }

    pub fn row(&mut self, cells: Vec<Cell>) -> Result<()> {
        if cells.len() != self.columns.len() {
            bail!(
                "a row of {} cells for {} columns",
                cells.len(),
                self.columns.len()
            );
        }
        if let Some((csv, path)) = &mut self.csv {
            let text: Vec<Cow<str>> = cells
                .iter()
                .zip(self.columns)
                .map(|(c, col)| csv_text(c, col.kind, self.tz))
                .collect();
            csv.write_record(text.iter().map(|t| t.as_ref()))
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        if let Some(p) = &mut self.parquet {
            p.push(cells)?;
        }
        Ok(())
    }

    pub fn finish(self) -> Result<()> {
        if let Some((mut csv, path)) = self.csv {
            csv.flush()
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        if let Some(p) = self.parquet {
            p.finish()?;
        }
        Ok(())
    }
}

/// The CSV text of a cell, as the tables have always written it.
fn csv_text<'c>(cell: &'c Cell, kind: Kind, tz: Tz) -> Cow<'c, str> {
    match (cell, kind) {
        (Cell::Null, _) => Cow::Borrowed(""),
        (Cell::Text(s), _) => Cow::Borrowed(s.as_ref()),
        (Cell::Int(v), _) => Cow::Owned(v.to_string()),
        (Cell::Float(v), Kind::Float(d)) => Cow::Owned(format!("{v:.d$}")),
        (Cell::Float(v), _) => Cow::Owned(v.to_string()),
        (Cell::Bool(v), Kind::YesNo) => Cow::Borrowed(if *v { "yes" } else { "no" }),
        (Cell::Bool(v), _) => Cow::Borrowed(if *v { "true" } else { "false" }),
        (Cell::Time(t), _) => Cow::Owned(format_time(*t, tz)),
        (Cell::List(items), Kind::List(sep)) => Cow::Owned(items.join(sep)),
        (Cell::List(items), _) => Cow::Owned(items.join(";")),
    }
}

enum Builder {
    Text(StringBuilder),
    Int(Int64Builder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
    Time(TimestampMillisecondBuilder),
    List(ListBuilder<StringBuilder>),
}

struct ParquetTable {
    path: PathBuf,
    schema: Arc<Schema>,
    columns: &'static [Column],
    builders: Vec<Builder>,
    rows: usize,
    writer: ArrowWriter<BufWriter<File>>,
}

fn data_type(kind: Kind, tz: &Arc<str>) -> DataType {
    match kind {
        Kind::Text => DataType::Utf8,
        Kind::Int => DataType::Int64,
        Kind::Float(_) => DataType::Float64,
        Kind::Bool | Kind::YesNo => DataType::Boolean,
        // Milliseconds: Parquet has no logical type for seconds, and a
        // reader other than Arrow's would see plain integers.
        Kind::Time => DataType::Timestamp(TimeUnit::Millisecond, Some(tz.clone())),
        Kind::List(_) => DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
    }
}

fn builders(columns: &[Column], tz: &Arc<str>) -> Vec<Builder> {
    columns
        .iter()
        .map(|c| match c.kind {
            Kind::Text => Builder::Text(StringBuilder::new()),
            Kind::Int => Builder::Int(Int64Builder::new()),
            Kind::Float(_) => Builder::Float(Float64Builder::new()),
            Kind::Bool | Kind::YesNo => Builder::Bool(BooleanBuilder::new()),
            Kind::Time => {
                Builder::Time(TimestampMillisecondBuilder::new().with_timezone(tz.clone()))
            }
            Kind::List(_) => Builder::List(ListBuilder::new(StringBuilder::new())),
        })
        .collect()
}

impl ParquetTable {
    fn create(path: &Path, columns: &'static [Column], tz: Tz) -> Result<ParquetTable> {
        let tz: Arc<str> = Arc::from(tz.name());
        let schema = Arc::new(Schema::new(
            columns
                .iter()
                .map(|c| Field::new(c.name, data_type(c.kind, &tz), true))
                .collect::<Vec<_>>(),
        ));
        let f = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        // Snappy: what Spark, DuckDB and pandas write, and every reader
        // reads; no creation time in the file, so reruns are identical.
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("recontact {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer = ArrowWriter::try_new(BufWriter::new(f), schema.clone(), Some(props))
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(ParquetTable {
            path: path.to_path_buf(),
            schema,
            columns,
            builders: builders(columns, &tz),
            rows: 0,
            writer,
        })
    }

    fn push(&mut self, cells: Vec<Cell>) -> Result<()> {
        for ((cell, b), col) in cells.into_iter().zip(&mut self.builders).zip(self.columns) {
            match (b, cell) {
                (Builder::Text(b), Cell::Null) => b.append_null(),
                (Builder::Text(b), Cell::Text(s)) => b.append_value(s),
                (Builder::Int(b), Cell::Null) => b.append_null(),
                (Builder::Int(b), Cell::Int(v)) => b.append_value(v),
                (Builder::Float(b), Cell::Null) => b.append_null(),
                (Builder::Float(b), Cell::Float(v)) => b.append_value(v),
                (Builder::Bool(b), Cell::Null) => b.append_null(),
                (Builder::Bool(b), Cell::Bool(v)) => b.append_value(v),
                (Builder::Time(b), Cell::Null) => b.append_null(),
                (Builder::Time(b), Cell::Time(t)) => b.append_value(t.saturating_mul(1000)),
                (Builder::List(b), Cell::Null) => b.append(false),
                (Builder::List(b), Cell::List(items)) => {
                    for i in items {
                        b.values().append_value(i);
                    }
                    b.append(true);
                }
                (_, cell) => bail!(
                    "{}: column {} ({:?}) given {cell:?}",
                    self.path.display(),
                    col.name,
                    col.kind
                ),
            }
        }
        self.rows += 1;
        if self.rows == BATCH_ROWS {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn flush_batch(&mut self) -> Result<()> {
        let arrays: Vec<ArrayRef> = self
            .builders
            .iter_mut()
            .map(|b| -> ArrayRef {
                match b {
                    Builder::Text(b) => Arc::new(b.finish()),
                    Builder::Int(b) => Arc::new(b.finish()),
                    Builder::Float(b) => Arc::new(b.finish()),
                    Builder::Bool(b) => Arc::new(b.finish()),
                    Builder::Time(b) => Arc::new(b.finish()),
                    Builder::List(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        self.rows = 0;
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        self.writer
            .write(&batch)
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        Ok(())
    }

    fn finish(mut self) -> Result<()> {
        if self.rows > 0 || self.writer.bytes_written() == 0 {
            self.flush_batch()?;
        }
        self.writer
            .close()
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type, TimestampMillisecondType};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    const COLUMNS: &[Column] = &[
        col("id", Kind::Text),
        col("n", Kind::Int),
        col("share", Kind::Float(4)),
        col("fcr", Kind::Bool),
        col("survey", Kind::YesNo),
        col("at", Kind::Time),
        col("ids", Kind::List(";")),
    ];

    #[test]
    fn one_row_twice_formatted_in_csv_and_typed_in_parquet() {
        let dir = tempfile::tempdir().unwrap();
        let (c, p) = (dir.path().join("t.csv"), dir.path().join("t.parquet"));
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let mut w = TableWriter::create(Some(&c), Some(&p), COLUMNS, false, tz).unwrap();
        w.row(vec![
            "=HYPERLINK(\"x\")".into(),
            int(3usize),
            Cell::Float(0.12345),
            true.into(),
            Cell::Bool(false),
            Cell::Time(1_700_000_000),
            list(["a", "b"]),
        ])
        .unwrap();
        w.row(vec![
            "退款".into(),
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Null,
        ])
        .unwrap();
        assert!(w.row(vec![Cell::Null]).is_err(), "a short row is refused");
        w.finish().unwrap();
        let csv = std::fs::read_to_string(&c).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "id,n,share,fcr,survey,at,ids");
        // Neutralised for spreadsheets in CSV; formatted per column.
        assert_eq!(
            lines[1],
            "\"'=HYPERLINK(\"\"x\"\")\",3,0.1235,true,no,2023-11-15T06:13:20+08:00,a;b"
        );
        assert_eq!(lines[2], "退款,,,,,,");

        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&p).unwrap())
            .unwrap()
            .build()
            .unwrap();
        let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
        assert_eq!(batches.len(), 1);
        let b = &batches[0];
        assert_eq!(b.num_rows(), 2);
        // The raw value, not the spreadsheet-safe one.
        assert_eq!(b.column(0).as_string::<i32>().value(0), "=HYPERLINK(\"x\")");
        assert_eq!(b.column(0).as_string::<i32>().value(1), "退款");
        assert_eq!(b.column(1).as_primitive::<Int64Type>().value(0), 3);
        assert!(b.column(1).is_null(1));
        assert_eq!(b.column(2).as_primitive::<Float64Type>().value(0), 0.12345);
        assert!(b.column(3).as_boolean().value(0));
        assert!(!b.column(4).as_boolean().value(0));
        assert_eq!(
            b.column(5)
                .as_primitive::<TimestampMillisecondType>()
                .value(0),
            1_700_000_000_000
        );
        assert_eq!(
            b.schema().field(5).data_type(),
            &DataType::Timestamp(TimeUnit::Millisecond, Some("Asia/Shanghai".into()))
        );
        let ids = b.column(6).as_list::<i32>().value(0);
        assert_eq!(ids.as_string::<i32>().value(1), "b");
        assert!(b.column(6).is_null(1));
    }

    #[test]
    fn an_empty_table_is_a_readable_parquet_file() {
        let dir = tempfile::tempdir().unwrap();
        let (c, p) = (dir.path().join("t.csv"), dir.path().join("t.parquet"));
        TableWriter::create(Some(&c), Some(&p), COLUMNS, false, chrono_tz::UTC)
            .unwrap()
            .finish()
            .unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&p).unwrap()).unwrap();
        assert_eq!(reader.schema().fields().len(), COLUMNS.len());
        assert_eq!(reader.metadata().file_metadata().num_rows(), 0);
    }
}
