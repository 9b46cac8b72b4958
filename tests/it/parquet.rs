//! Parquet in and out (issue 17.3): an export from a data lake read like
//! its CSV twin, and every table written again as typed Parquet for BI
//! tools (timestamps with the run's zone, booleans, numbers, lists).
//!
//! The Parquet input is made here with the same Arrow crates the binary
//! reads it with, from the rows of a CSV month: ids typed as numbers, a
//! timestamp column with a zone, a dictionary-encoded channel (what pandas
//! writes for a categorical), a null text and a null time.

use std::fs::{self, File};
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{
    Int64Builder, StringBuilder, StringDictionaryBuilder, TimestampMillisecondBuilder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, TimestampMillisecondType};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;

use crate::util::{arg, ok, rows, run};

/// One contact: id, customer, epoch seconds (None: no time), text.
type Row = (String, i64, Option<i64>, Option<String>, &'static str);

fn month() -> Vec<Row> {
    let start = 1_790_000_000; // 2026-09-21
    let topics = [
        "my card payment was declined at the shop",
        "the app logs me out every time I open it",
        "退款还没到账，已经等了一周",
        "הכרטיס לא הגיע עדיין",
    ];
    let mut out = Vec::new();
    for u in 0..24i64 {
        let topic = topics[(u % 4) as usize];
        let channel = if u % 3 == 0 { "chat" } else { "phone" };
        let t = start + u * 3_600;
        out.push((
            format!("P{u:03}a"),
            9_000 + u,
            Some(t),
            Some(topic.to_string()),
            channel,
        ));
        if u % 2 == 0 {
            out.push((
                format!("P{u:03}b"),
                9_000 + u,
                Some(t + 86_400),
                Some(format!("still not solved: {topic}")),
                channel,
            ));
        }
    }
    out.push((
        "P900".into(),
        9_900,
        None,
        Some("no time on this row".into()),
        "chat",
    ));
    out.push(("P901".into(), 9_901, Some(start), None, "chat"));
    out
}

fn write_csv(path: &Path, rows: &[Row]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(["contact_id", "customer_id", "started_at", "text", "channel"])
        .unwrap();
    for (id, customer, at, text, channel) in rows {
        let at = at.map(|s| {
            chrono::DateTime::from_timestamp(s, 0)
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        });
        w.write_record([
            id.as_str(),
            &customer.to_string(),
            at.as_deref().unwrap_or(""),
            text.as_deref().unwrap_or(""),
            channel,
        ])
        .unwrap();
    }
    w.flush().unwrap();
}

fn write_parquet(path: &Path, rows: &[Row]) {
    let zone: Arc<str> = Arc::from("Asia/Shanghai");
    let mut id = StringBuilder::new();
    let mut customer = Int64Builder::new();
    let mut at = TimestampMillisecondBuilder::new().with_timezone(zone.clone());
    let mut text = StringBuilder::new();
    let mut channel = StringDictionaryBuilder::<Int32Type>::new();
    for (i, c, t, x, ch) in rows {
        id.append_value(i);
        customer.append_value(*c);
        at.append_option(t.map(|s| s * 1000));
        text.append_option(x.as_deref());
        channel.append_value(ch);
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("contact_id", DataType::Utf8, false),
        Field::new("customer_id", DataType::Int64, false),
        Field::new(
            "started_at",
            DataType::Timestamp(TimeUnit::Millisecond, Some(zone)),
            true,
        ),
        Field::new("text", DataType::Utf8, true),
        Field::new(
            "channel",
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            false,
        ),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(id.finish()),
        Arc::new(customer.finish()),
        Arc::new(at.finish()),
        Arc::new(text.finish()),
        Arc::new(channel.finish()),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let mut w = ArrowWriter::try_new(File::create(path).unwrap(), schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

fn run_on(input: &Path, out: &Path, extra: &[&str]) {
    let mut a = vec![
        "run".to_string(),
        arg(input),
        "--out".into(),
        arg(out),
        "--embedder".into(),
        "lexical".into(),
        "--timezone".into(),
        "Asia/Shanghai".into(),
        "--no-index".into(),
        "-q".into(),
    ];
    a.extend(extra.iter().map(|s| s.to_string()));
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    ok(&a);
}

#[test]
fn a_parquet_export_reads_like_its_csv_twin() {
    let dir = tempfile::tempdir().unwrap();
    let (csv_in, pq_in) = (dir.path().join("csv"), dir.path().join("pq"));
    fs::create_dir_all(&csv_in).unwrap();
    fs::create_dir_all(&pq_in).unwrap();
    let month = month();
    write_csv(&csv_in.join("contacts.csv"), &month);
    write_parquet(&pq_in.join("contacts.parquet"), &month);
    let (csv_out, pq_out) = (dir.path().join("csv_out"), dir.path().join("pq_out"));
    run_on(&csv_in, &csv_out, &[]);
    run_on(&pq_in, &pq_out, &[]);

    // The same episodes, FCR and categories from either export.
    for f in ["episodes.csv", "categories.csv", "themes.csv"] {
        assert_eq!(
            fs::read_to_string(csv_out.join(f)).unwrap(),
            fs::read_to_string(pq_out.join(f)).unwrap(),
            "{f} differs"
        );
    }
    let (a, b) = (
        rows(&csv_out.join("contacts.csv")),
        rows(&pq_out.join("contacts.csv")),
    );
    assert_eq!(
        a.len(),
        month.len() - 1,
        "the row without a time is rejected"
    );
    for (x, y) in a.iter().zip(&b) {
        for col in [
            "contact_id",
            "customer_id",
            "started_at",
            "episode_id",
            "channel",
        ] {
            assert_eq!(x[col], y[col], "{col}");
        }
    }
    // A typed number is the id as written; the time is shown in the zone.
    assert_eq!(b[0]["customer_id"], "9000");
    assert!(b[0]["started_at"].ends_with("+08:00"), "{:?}", b[0]);
    // The rejected row is named by its row number in the file (1-based).
    let rejected = rows(&pq_out.join("rejected.csv"));
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0]["column"], "started_at");
    assert_eq!(rejected[0]["line"], (month.len() - 1).to_string());
    assert!(rejected[0]["source_file"].ends_with("contacts.parquet"));
    assert!(rejected[0]["raw_row"].contains("no time on this row"));
}

#[test]
fn every_table_is_also_typed_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    fs::create_dir_all(&input).unwrap();
    let month = month();
    write_csv(&input.join("contacts.csv"), &month);
    let out = dir.path().join("out");
    run_on(&input, &out, &[]);

    let read = |name: &str| -> Vec<RecordBatch> {
        let f = File::open(out.join(name)).unwrap();
        ParquetRecordBatchReaderBuilder::try_new(f)
            .unwrap()
            .build()
            .unwrap()
            .map(|b| b.unwrap())
            .collect()
    };
    for (table, csv) in [
        ("contacts.parquet", "contacts.csv"),
        ("episodes.parquet", "episodes.csv"),
        ("categories.parquet", "categories.csv"),
        ("themes.parquet", "themes.csv"),
        ("rejected.parquet", "rejected.csv"),
    ] {
        let batches = read(table);
        let n: usize = batches.iter().map(|b| b.num_rows()).sum();
        assert_eq!(
            n,
            rows(&out.join(csv)).len(),
            "{table}: one row per CSV row"
        );
    }

    let contacts = read("contacts.parquet");
    let c = &contacts[0];
    let schema = c.schema();
    assert_eq!(
        schema.field_with_name("started_at").unwrap().data_type(),
        &DataType::Timestamp(TimeUnit::Millisecond, Some("Asia/Shanghai".into()))
    );
    assert_eq!(
        schema.field_with_name("is_repeat").unwrap().data_type(),
        &DataType::Boolean
    );
    assert_eq!(
        schema.field_with_name("similarity").unwrap().data_type(),
        &DataType::Float64
    );
    let csv_rows = rows(&out.join("contacts.csv"));
    let ids = c.column_by_name("contact_id").unwrap().as_string::<i32>();
    let at = c
        .column_by_name("started_at")
        .unwrap()
        .as_primitive::<TimestampMillisecondType>();
    for (i, r) in csv_rows.iter().enumerate().take(c.num_rows()) {
        assert_eq!(ids.value(i), r["contact_id"]);
        let shown = chrono::DateTime::parse_from_rfc3339(&r["started_at"]).unwrap();
        assert_eq!(at.value(i), shown.timestamp() * 1000, "{r:?}");
    }
    // Lists are lists: an episode's contacts, in order.
    let episodes = read("episodes.parquet");
    let e = &episodes[0];
    let ids = e.column_by_name("contact_ids").unwrap().as_list::<i32>();
    let csv_episodes = rows(&out.join("episodes.csv"));
    let first = ids.value(0);
    let first: Vec<&str> = first.as_string::<i32>().iter().flatten().collect();
    assert_eq!(first.join(";"), csv_episodes[0]["contact_ids"]);

    // --no-parquet: the CSVs only.
    let lean = dir.path().join("lean");
    run_on(&input, &lean, &["--no-parquet"]);
    let names: Vec<String> = fs::read_dir(&lean)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".parquet")), "{names:?}");
    assert!(names.iter().any(|n| n == "contacts.csv"), "{names:?}");
}

#[test]
fn a_file_that_is_not_parquet_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    fs::create_dir_all(&input).unwrap();
    fs::write(
        input.join("export.parquet"),
        "contact_id,customer_id,started_at,text\nA,1,2026-10-01T09:00:00Z,hi\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let r = run(&[
        "run",
        &arg(&input),
        "--out",
        &arg(&out),
        "--embedder",
        "lexical",
    ]);
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("export.parquet") && err.contains("is it really Parquet"),
        "{err}"
    );
    assert!(!out.exists(), "nothing half-written");
}
