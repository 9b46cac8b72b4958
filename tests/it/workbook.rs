//! Excel in, Excel out (issue 17.2): a workbook export read like a CSV
//! file, and output CSVs that Excel opens as written with `--csv-bom`.
//!
//! `tests/data/workbook/contacts.xlsx` was made with openpyxl: a first
//! sheet that is not the export ("Summary"), then "Contacts" with the
//! centre's own headers (mapped in its recontact.toml), date cells, a
//! customer id typed as a number, multi-line Chinese and Hebrew text, an
//! empty row, and a row without its date (row 6).

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{arg, ok, rows, run};

fn input() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/workbook")
}

fn args<'a>(out: &'a str, config: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "run",
        "--config",
        config,
        "--out",
        out,
        "--embedder",
        "lexical",
        "--other-scripts-model",
        "none",
        "--no-index",
        "-q",
    ];
    a.extend_from_slice(extra);
    a
}

#[test]
fn a_workbook_sheet_is_read_like_a_csv_export() {
    let dir = tempfile::tempdir().unwrap();
    let out = arg(&dir.path().join("out"));
    let config = arg(&input().join("recontact.toml"));
    let data = arg(&input());

    // The first sheet is a summary, not the export: the error says which
    // file and what is missing.
    let fails = |extra: &[&str], says: &str| {
        let mut a = args(&out, &config, extra);
        a.push(&data);
        let r = run(&a);
        assert!(!r.status.success());
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains(says), "{err}");
    };
    fails(&[], "contacts.xlsx: line 1: required columns 'contact_id'");
    fails(
        &["--sheet", "Nope"],
        "no sheet named 'Nope' (its sheets: Summary, Contacts)",
    );

    let mut a = args(&out, &config, &["--sheet", "Contacts"]);
    a.push(&data);
    ok(&a);
    let out = dir.path().join("out");
    let contacts = rows(&out.join("contacts.csv"));
    let ids: Vec<&str> = contacts.iter().map(|c| c["contact_id"].as_str()).collect();
    assert_eq!(ids, ["K1", "K2", "K3", "K5"]);
    // A number cell is the id as typed; a date cell the time it shows.
    assert_eq!(contacts[0]["customer_id"], "20481");
    assert_eq!(contacts[0]["started_at"], "2026-10-03T09:14:00Z");
    // 还是 on the next day: the same issue again.
    assert_eq!(contacts[1]["is_repeat"], "true");
    assert_eq!(contacts[0]["episode_id"], contacts[1]["episode_id"]);
    // The row without a date is rejected under the row number Excel shows.
    let rejected = rows(&out.join("rejected.csv"));
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0]["line"], "6");
    assert_eq!(rejected[0]["column"], "started_at");
    assert!(rejected[0]["raw_row"].contains("my card was declined"));
    // Without --csv-bom, a plain UTF-8 CSV (what scripts and Spark expect).
    assert!(fs::read(out.join("contacts.csv"))
        .unwrap()
        .starts_with(b"period,"));
}

#[test]
fn csv_bom_marks_every_output_csv_and_only_those() {
    let dir = tempfile::tempdir().unwrap();
    let out = arg(&dir.path().join("out"));
    let config = arg(&input().join("recontact.toml"));
    let data = arg(&input());
    let mut a = args(&out, &config, &["--sheet", "Contacts", "--csv-bom"]);
    a.push(&data);
    ok(&a);
    let out = dir.path().join("out");
    for f in [
        "contacts.csv",
        "episodes.csv",
        "rejected.csv",
        "categories.csv",
        "themes.csv",
    ] {
        let bytes = fs::read(out.join(f)).unwrap();
        assert!(
            bytes.starts_with("\u{feff}".as_bytes()),
            "{f} has no byte order mark"
        );
        assert!(
            !bytes[3..].starts_with("\u{feff}".as_bytes()),
            "{f}: two marks"
        );
    }
    assert!(fs::read(out.join("metrics.json"))
        .unwrap()
        .starts_with(b"{"));
    // Chinese and Hebrew stay as written behind the mark.
    let episodes = fs::read_to_string(out.join("episodes.csv")).unwrap();
    assert!(
        episodes.contains("退款") || episodes.contains("הכרטיס"),
        "{episodes}"
    );
}
