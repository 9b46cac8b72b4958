//! The hostile corpus: every file in `tests/hostile/` run through
//! `recontact run`, its outcome checked against `tests/hostile/cases.toml`
//! (exit code, rows accepted, rejections per reason, what stderr says).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::util::{arg, assert_no_formula_cells, json, run, Tmp};

#[derive(Deserialize)]
struct Manifest {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    file: String,
    #[serde(default)]
    args: Vec<String>,
    exit: i32,
    contacts: Option<u64>,
    rejected: Option<BTreeMap<String, u64>>,
    stderr: Option<String>,
    stderr_lacks: Option<String>,
}

/// What is wrong with one case's run, if anything.
fn check(dir: &Path, case: &Case, t: &Tmp, n: usize) -> Vec<String> {
    let out = t.path(&format!("out{n}"));
    let mut args = vec![
        "run".to_string(),
        arg(&dir.join(&case.file)),
        "--out".into(),
        arg(&out),
        "-q".into(),
        "--no-index".into(),
        "--embedder".into(),
        "lexical".into(),
    ];
    args.extend(case.args.iter().cloned());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(&argv);
    let stderr = String::from_utf8_lossy(&r.stderr);
    let mut wrong = Vec::new();
    if r.status.code() != Some(case.exit) {
        wrong.push(format!(
            "exit {:?}, expected {}",
            r.status.code(),
            case.exit
        ));
    }
    if let Some(want) = &case.stderr {
        if !stderr.contains(want.as_str()) {
            wrong.push(format!("stderr lacks {want:?}"));
        }
    }
    if let Some(bad) = &case.stderr_lacks {
        if stderr.contains(bad.as_str()) {
            wrong.push(format!("stderr holds {bad:?}"));
        }
    }
    if case.exit != 0 {
        if out.exists() {
            wrong.push("a failed run wrote --out".into());
        }
    } else if r.status.success() {
        let input = &json(&out.join("metrics.json"))["input"];
        if let Some(n) = case.contacts {
            if input["rows_accepted"] != n {
                wrong.push(format!("{} accepted, expected {n}", input["rows_accepted"]));
            }
        }
        let got: BTreeMap<String, u64> =
            serde_json::from_value(input["rejected_by_reason"].clone()).unwrap_or_default();
        let got: BTreeMap<String, u64> = got.into_iter().filter(|(_, n)| *n > 0).collect();
        if let Some(want) = &case.rejected {
            if &got != want {
                wrong.push(format!("rejected {got:?}, expected {want:?}"));
            }
        }
        assert_no_formula_cells(&out);
    }
    if !wrong.is_empty() {
        wrong.push(format!("stderr: {stderr}"));
    }
    wrong
}

#[test]
fn every_hostile_input_has_its_outcome() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let manifest: Manifest =
        toml::from_str(&std::fs::read_to_string(dir.join("cases.toml")).unwrap()).unwrap();
    // Every file in the folder is a case.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name != "cases.toml" && !name.starts_with('.') {
            assert!(
                manifest.case.iter().any(|c| c.file == name),
                "{name} has no case in cases.toml"
            );
        }
    }
    let t = Tmp::new();
    let failures: Vec<String> = manifest
        .case
        .iter()
        .enumerate()
        .filter_map(|(n, case)| {
            let wrong = check(&dir, case, &t, n);
            (!wrong.is_empty())
                .then(|| format!("{} {:?}:\n  {}", case.file, case.args, wrong.join("\n  ")))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
