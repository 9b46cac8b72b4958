//! `recontact init` (issue 17.5): a config proposed from an export's
//! header that `recontact run` then reads as it is, for exports in the
//! shapes centres have: a Salesforce-like case export with `;` and
//! day-first dates in Hebrew, a GB18030 Chinese export with Chinese
//! headers, and exports it cannot map.

use std::fs;

use crate::util::{arg, json, ok, ok_stdout, rows, run};

fn run_with(dir: &std::path::Path, export: &str, config: &std::path::Path) -> std::path::PathBuf {
    let out = dir.join("out");
    ok(&[
        "run",
        &arg(&dir.join(export)),
        "--config",
        &arg(config),
        "--out",
        &arg(&out),
        "--embedder",
        "lexical",
        "--no-index",
        "-q",
    ]);
    out
}

#[test]
fn a_case_export_with_day_first_dates_runs_with_the_proposed_config() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from(
        "Case Number;Contact ID;Date/Time Opened;Description;Case Origin;Case Owner;Status\n",
    );
    for u in 0..12 {
        let day = 13 + u % 10;
        csv.push_str(&format!(
            "0000{u:02}a;003C{u:02};{day:02}/10/2026 09:{u:02};הכרטיס החדש לא הגיע בדואר;Phone;Dana;New\n"
        ));
        csv.push_str(&format!(
            "0000{u:02}b;003C{u:02};{:02}/10/2026 16:{u:02};עדיין לא הגיע הכרטיס;Phone;Dana;New\n",
            day + 1
        ));
    }
    fs::write(dir.path().join("cases.csv"), csv).unwrap();
    let config = dir.path().join("recontact.toml");
    let said = ok_stdout(&[
        "init",
        &arg(&dir.path().join("cases.csv")),
        "--out",
        &arg(&config),
    ]);
    assert!(said.contains("delimiter ';'"), "{said}");
    let text = fs::read_to_string(&config).unwrap();
    for line in [
        "contact_id = \"Case Number\"",
        "customer_id = \"Contact ID\"",
        "started_at = \"Date/Time Opened\"",
        "text = \"Description\"",
        "channel = \"Case Origin\"",
        "agent_id = \"Case Owner\"",
        "timezone = \"Asia/Jerusalem\"",
        "date_format = \"%d/%m/%Y %H:%M\"",
    ] {
        assert!(text.contains(line), "no {line:?} in:\n{text}");
    }
    assert!(text.contains("Headers not used: \"Status\""), "{text}");

    let out = run_with(dir.path(), "cases.csv", &config);
    assert_eq!(rows(&out.join("rejected.csv")).len(), 0);
    let contacts = rows(&out.join("contacts.csv"));
    assert_eq!(contacts.len(), 24);
    // The second contact of each customer is a repeat; times in Israel.
    assert_eq!(contacts[1]["is_repeat"], "true", "{:?}", contacts[1]);
    assert!(
        contacts[0]["started_at"].ends_with("+03:00"),
        "{:?}",
        contacts[0]
    );
    let m = json(&out.join("metrics.json"));
    assert_eq!(m["settings"]["timezone"], "Asia/Jerusalem");

    // A second init does not overwrite what the user may have edited.
    fs::write(&config, "# edited\n").unwrap();
    let r = run(&[
        "init",
        &arg(&dir.path().join("cases.csv")),
        "--out",
        &arg(&config),
    ]);
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("--force"));
    assert_eq!(fs::read_to_string(&config).unwrap(), "# edited\n");
}

#[test]
fn a_gb18030_export_with_chinese_headers_gets_its_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("会话ID,客户ID,开始时间,会话内容,渠道\n");
    for u in 0..10 {
        csv.push_str(&format!(
            "S{u}a,K{u},2026-10-{:02} 09:00:00,退款还没到账，已经等了一周,在线\n",
            3 + u
        ));
        csv.push_str(&format!(
            "S{u}b,K{u},2026-10-{:02} 10:00:00,还是没有收到退款,在线\n",
            4 + u
        ));
    }
    let (bytes, _, _) = encoding_rs::GB18030.encode(&csv);
    fs::write(dir.path().join("hotline.csv"), &bytes).unwrap();
    let config = dir.path().join("recontact.toml");
    ok(&[
        "init",
        &arg(&dir.path().join("hotline.csv")),
        "--out",
        &arg(&config),
    ]);
    let text = fs::read_to_string(&config).unwrap();
    for line in [
        "contact_id = \"会话ID\"",
        "customer_id = \"客户ID\"",
        "started_at = \"开始时间\"",
        "text = \"会话内容\"",
        "channel = \"渠道\"",
        "encoding = \"gb18030\"",
        "timezone = \"Asia/Shanghai\"",
    ] {
        assert!(text.contains(line), "no {line:?} in:\n{text}");
    }
    let out = run_with(dir.path(), "hotline.csv", &config);
    let contacts = rows(&out.join("contacts.csv"));
    assert_eq!(contacts.len(), 20);
    assert!(contacts[0]["started_at"].ends_with("+08:00"));
    assert_eq!(contacts[1]["is_repeat"], "true");
}

#[test]
fn every_missing_required_column_is_named_at_once() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("notes.csv"),
        "Ticket ID,Notes,Priority\n1,the app crashes,high\n",
    )
    .unwrap();
    let config = dir.path().join("recontact.toml");
    let r = run(&[
        "init",
        &arg(&dir.path().join("notes.csv")),
        "--out",
        &arg(&config),
    ]);
    assert_eq!(r.status.code(), Some(3));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("required columns customer_id, started_at"),
        "{err}"
    );
    // The config is written with a line to fill in for each.
    let text = fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("# customer_id = \"<header>\"   # REQUIRED"),
        "{text}"
    );
    assert!(text.contains("text = \"Notes\""), "{text}");

    // `run` names every missing column at once too.
    let r = run(&[
        "run",
        &arg(&dir.path().join("notes.csv")),
        "--out",
        &arg(&dir.path().join("out")),
    ]);
    assert_eq!(r.status.code(), Some(3));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains(
            "required columns 'contact_id', 'customer_id', 'started_at', 'text' not found"
        ) && err.contains("recontact init"),
        "{err}"
    );
}
