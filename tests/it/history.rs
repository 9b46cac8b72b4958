//! `--history` and `recontact history` (issue 17.4): each run's month is
//! added to a Parquet dataset partitioned by month, a rerun replaces its
//! month, and the history reads back as FCR and themes by month.

use std::fs;

use crate::util::{arg, ok, ok_stdout, run, three_reasons_month};

#[test]
fn months_accumulate_and_a_rerun_replaces_its_month() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("month.csv");
    fs::write(&input, three_reasons_month()).unwrap();
    let history = dir.path().join("history");
    let month = |period: &str, out: &str, previous: Option<&str>| {
        let mut a = vec![
            "run".to_string(),
            arg(&input),
            "--out".into(),
            arg(&dir.path().join(out)),
            "--embedder".into(),
            "lexical".into(),
            "--no-index".into(),
            "-q".into(),
            "--period".into(),
            period.into(),
            "--history".into(),
            arg(&history),
        ];
        if let Some(p) = previous {
            a.extend(["--previous".into(), arg(&dir.path().join(p))]);
        }
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        ok(&a);
    };
    month("2026-10", "oct", None);
    month("2026-11", "nov", Some("oct"));
    // October again: its partition is replaced, nothing left beside it.
    month("2026-10", "oct", None);
    let mut names: Vec<String> = fs::read_dir(&history)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [".recontact-history", "period=2026-10", "period=2026-11"]
    );
    for f in [
        "themes.parquet",
        "categories.parquet",
        "fcr.parquet",
        "metrics.json",
    ] {
        assert!(history.join("period=2026-11").join(f).is_file(), "{f}");
    }

    let table = ok_stdout(&["history", &arg(&history)]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[1].starts_with("2026-10"), "{table}");
    assert!(lines[2].starts_with("2026-11"), "{table}");
    assert!(lines[1].ends_with('%'), "FCR shown: {table}");
    // November kept October's theme ids (--previous): one row each, with
    // a figure in both months.
    let themes: Vec<&str> = lines
        .iter()
        .copied()
        .skip_while(|l| !l.starts_with("theme"))
        .skip(1)
        .collect();
    assert!(!themes.is_empty(), "{table}");
    for t in &themes {
        let cells: Vec<&str> = t.split_whitespace().collect();
        assert!(cells[0].starts_with("THM-"), "{t}");
        assert!(
            cells[1].parse::<u32>().is_ok() && cells[2].parse::<u32>().is_ok(),
            "{t}"
        );
    }
}

#[test]
fn a_folder_of_other_files_is_never_written_into() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("month.csv");
    fs::write(&input, three_reasons_month()).unwrap();
    let other = dir.path().join("reports");
    fs::create_dir_all(&other).unwrap();
    fs::write(other.join("budget.xlsx"), "x").unwrap();
    let r = run(&[
        "run",
        &arg(&input),
        "--out",
        &arg(&dir.path().join("out")),
        "--embedder",
        "lexical",
        "--no-index",
        "--history",
        &arg(&other),
    ]);
    assert_eq!(r.status.code(), Some(5));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("not a recontact history"), "{err}");
    let names: Vec<_> = fs::read_dir(&other).unwrap().collect();
    assert_eq!(names.len(), 1, "nothing added");
    assert!(!dir.path().join("out").exists(), "refused before the work");
    // And `recontact history` says what the folder is not.
    let r = run(&["history", &arg(&other)]);
    assert!(!r.status.success());
}
