//! `recontact run --previous` and `--taxonomy`: two small consecutive months
//! (lexical embedder: model-free and fast) with planted changes.

use std::collections::HashMap;
use std::fs;

use crate::util::{arg, assert_report_schema, json, ok, rows, run};

/// Issues: (key, first contact, repeat).
const ISSUES: [(&str, &str, &str); 11] = [
    (
        "coupon",
        "I cannot find where to enter the coupon code at checkout",
        "still not fixed, the coupon code box is missing at checkout",
    ),
    (
        "password",
        "I forgot my password and the reset email never comes",
        "again, the password reset email still never arrives",
    ),
    (
        "delivery",
        "my parcel delivery is late, the courier has not come",
        "still waiting, the parcel courier has not delivered",
    ),
    (
        "refund",
        "my refund has not reached my bank account",
        "the refund is still not in my bank account",
    ),
    (
        "pin",
        "my card PIN is blocked after wrong attempts",
        "the PIN on my card is still blocked",
    ),
    (
        "app",
        "the mobile app crashes when I open it",
        "the app still crashes on my phone",
    ),
    (
        "address",
        "I need to change my home address on the account",
        "my home address change was not saved",
    ),
    (
        "invoice",
        "my invoice shows the wrong amount charged",
        "the invoice amount is still wrong",
    ),
    (
        "subscription",
        "I want to cancel my subscription plan",
        "my subscription plan is not cancelled yet",
    ),
    (
        "wifi",
        "the router wifi connection keeps dropping",
        "wifi on the router still drops all the time",
    ),
    (
        "points",
        "my loyalty points were not added after purchase",
        "loyalty points still missing from my purchase",
    ),
];

/// A word unique to customer `u` (so no two reasons are copies).
fn tag(u: usize) -> String {
    let d: String = format!("{u:03}")
        .bytes()
        .map(|b| (b'a' + (b - b'0')) as char)
        .collect();
    format!("ref{d}")
}

/// A month with `counts[k]` customers calling twice about issue `k`, plus
/// resolved one-off contacts.
fn month(counts: [usize; 11]) -> String {
    let mut s = String::from("contact_id,customer_id,started_at,text,channel,team\n");
    let mut id = 0;
    for (k, (key, first, repeat)) in ISSUES.iter().enumerate() {
        for u in 0..counts[k] {
            for (j, t) in [first, repeat].iter().enumerate() {
                id += 1;
                s.push_str(&format!(
                    "c{id:04},{key}{u:03},2026-10-{:02}T{:02}:00:00Z,\"Customer: {t} {}\",{},t{}\n",
                    1 + u % 20,
                    9 + j * 5,
                    tag(u),
                    ["phone", "chat"][u % 2],
                    k % 3
                ));
            }
        }
    }
    for u in 0..10 {
        id += 1;
        s.push_str(&format!(
            "c{id:04},V{u},2026-10-{:02}T10:00:00Z,Customer: what are your opening hours,phone,t9\n",
            1 + u
        ));
    }
    s
}

/// September: every issue but refund, 15 customers each. October:
/// password ×4, delivery gone, refund new.
fn counts(oct: bool) -> [usize; 11] {
    let mut c = [15; 11];
    if oct {
        c[1] = 60;
        c[2] = 0;
    } else {
        c[3] = 0;
    }
    c
}

/// The category rows whose keywords mention `word` (the lexical
/// clusterer may cut one issue in pieces).
fn cats<'a>(rows: &'a [HashMap<String, String>], word: &str) -> Vec<&'a HashMap<String, String>> {
    let v: Vec<_> = rows
        .iter()
        .filter(|r| r["keywords"].contains(word))
        .collect();
    assert!(!v.is_empty(), "no category about {word}: {rows:#?}");
    v
}

fn ids(rows: &[&HashMap<String, String>]) -> Vec<String> {
    rows.iter().map(|r| r["category_id"].clone()).collect()
}

struct Months {
    _tmp: tempfile::TempDir,
    m1: std::path::PathBuf,
    m2: std::path::PathBuf,
    out1: std::path::PathBuf,
    out2: std::path::PathBuf,
}

fn two_months() -> Months {
    let tmp = tempfile::tempdir().unwrap();
    let m1 = tmp.path().join("sep.csv");
    let m2 = tmp.path().join("oct.csv");
    // Coupon unchanged, password ×3, delivery gone, refund new.
    fs::write(&m1, month(counts(false))).unwrap();
    fs::write(&m2, month(counts(true))).unwrap();
    let out1 = tmp.path().join("out-sep");
    let out2 = tmp.path().join("out-oct");
    ok(&[
        "run",
        &arg(&m1),
        "--out",
        &arg(&out1),
        "--embedder",
        "lexical",
        "--no-index",
        "-q",
    ]);
    ok(&[
        "run",
        &arg(&m2),
        "--out",
        &arg(&out2),
        "--embedder",
        "lexical",
        "--no-index",
        "-q",
        "--previous",
        &arg(&out1),
    ]);
    Months {
        _tmp: tmp,
        m1,
        m2,
        out1,
        out2,
    }
}

#[test]
fn ids_are_kept_and_planted_changes_are_flagged() {
    let m = two_months();
    let c1 = rows(&m.out1.join("categories.csv"));
    let c2 = rows(&m.out2.join("categories.csv"));
    let rep2 = json(&m.out2.join("report.json"));
    assert!(
        rep2["changes"]["test"]
            .as_str()
            .unwrap()
            .contains("Benjamini–Hochberg"),
        "the default correction"
    );
    // Without --previous: by-rank ids, trend columns empty, files for next month.
    assert!(c1.iter().all(|r| r["trend"].is_empty()));
    let reg1 = json(&m.out1.join("category_ids.json"));
    assert_eq!(reg1["format"], "recontact-category-ids");
    assert_eq!(reg1["highest_id"], c1.len());
    let cen = json(&m.out1.join("categories.centroids.json"));
    assert_eq!(cen["format"], "recontact-category-centroids");
    assert_eq!(cen["embedder"]["identity"], "lexical");
    assert_eq!(cen["version"], 2);
    // Example reasons saved, masked, so next month can place each category
    // in its own (lexical) space.
    for c in cen["categories"].as_array().unwrap() {
        let ex = c["examples"].as_array().unwrap();
        assert!(!ex.is_empty() && ex.len() <= 30, "{c}");
    }
    assert_eq!(
        cen["categories"].as_array().unwrap().len(),
        c1.len(),
        "one centre per category"
    );

    // Unchanged issues keep their ids and are stable.
    for word in ["coupon", "invoice", "router"] {
        let (a, b) = (cats(&c1, word), cats(&c2, word));
        assert_eq!(ids(&a), ids(&b), "{word}");
        for r in &b {
            assert_eq!(r["trend"], "stable", "{r:#?}");
            assert_eq!(r["significant"], "false");
            assert_eq!(r["matched_from"], r["category_id"]);
        }
        assert_eq!(b[0]["prev_episodes"], a[0]["episodes"]);
    }
    // The grown one keeps its id and rises, significantly (pieces the
    // clusterer cut off it say they split from it).
    let before = ids(&cats(&c1, "password"));
    let now = cats(&c2, "password");
    let rising: Vec<_> = now.iter().filter(|r| r["trend"] == "rising").collect();
    assert_eq!(rising.len(), 1, "{now:#?}");
    let b = rising[0];
    assert!(before.contains(&b["category_id"]));
    assert_eq!(b["significant"], "true");
    let p: f64 = b["p_value"].parse().unwrap();
    assert!(p < 0.05, "{p}");
    assert!(b["episodes_delta"].parse::<i64>().unwrap() > 0);
    for r in &now {
        assert!(
            before.contains(&r["matched_from"]),
            "password pieces continue last month's: {r:#?}"
        );
    }
    // The new one gets fresh ids, never one used last month.
    let max1 = c1.len() as u64;
    for r in cats(&c2, "refund") {
        assert_eq!(r["trend"], "new");
        let n: u64 = r["category_id"][4..].parse().unwrap();
        assert!(n > max1, "{n}");
    }
    // The gone one is listed as vanished and retired.
    let gone = ids(&cats(&c1, "courier"));
    assert!(c2.iter().all(|x| !gone.contains(&x["category_id"])));
    let rep = json(&m.out2.join("report.json"));
    let ch = &rep["changes"];
    let mut vanished: Vec<String> = ch["vanished"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["category_id"].as_str().unwrap().to_string())
        .collect();
    vanished.sort();
    let mut gone_sorted = gone.clone();
    gone_sorted.sort();
    assert_eq!(vanished, gone_sorted);
    let reg2 = json(&m.out2.join("category_ids.json"));
    let retired: Vec<String> = reg2["retired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    assert!(gone.iter().all(|g| retired.contains(g)));
    assert!(ids(&cats(&c2, "refund"))
        .contains(&ch["new"][0]["category_id"].as_str().unwrap().to_string()));
    assert_eq!(ch["rising"][0]["category_id"], b["category_id"].as_str());
    assert!(ch["fcr"]["overall"]["prev_fcr_rate"].is_number());
    assert!(ch["fcr"]["by_channel"].as_array().unwrap().len() >= 2);
    assert_eq!(ch["matched_by"], "keywords");

    // "What changed" comes first in every report.
    let md = fs::read_to_string(m.out2.join("report.md")).unwrap();
    let first_h2 = md.lines().find(|l| l.starts_with("## ")).unwrap();
    assert_eq!(first_h2, "## What changed since last month");
    assert!(md.contains("Vanished issues"));
    let text = fs::read_to_string(m.out2.join("report.json")).unwrap();
    assert!(text.find("\"changes\"").unwrap() < text.find("\"headline\"").unwrap());
    let html = fs::read_to_string(m.out2.join("report.html")).unwrap();
    assert!(html.find("id=\"changes\"").unwrap() < html.find("id=\"headline\"").unwrap());
    // report.json still validates against its schema.
    assert_report_schema(&rep);
    let _ = (&m.m1, &m.m2);
}

#[test]
fn taxonomy_assigns_known_categories_and_lists_zero_cases() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("oct.csv");
    fs::write(&input, month(counts(true))).unwrap();
    let tax = tmp.path().join("taxonomy.toml");
    fs::write(
        &tax,
        r#"
[[category]]
id = "coupon-not-found"
name = "Coupon not found at checkout"
examples = ["I cannot find where to enter the coupon code at checkout", "优惠券找不到"]

[[category]]
id = "lost-card"
name = "Lost card"
examples = ["I lost my card yesterday"]
"#,
    )
    .unwrap();
    let out = tmp.path().join("out");
    ok(&[
        "run",
        &arg(&input),
        "--out",
        &arg(&out),
        "--embedder",
        "lexical",
        "--no-index",
        "-q",
        "--taxonomy",
        &arg(&tax),
    ]);
    let c = rows(&out.join("categories.csv"));
    let coupon = c
        .iter()
        .find(|r| r["taxonomy_key"] == "coupon-not-found")
        .unwrap_or_else(|| panic!("{c:#?}"));
    assert_eq!(coupon["label"], "Coupon not found at checkout");
    assert_eq!(coupon["episodes"], "15");
    let lost = c.iter().find(|r| r["taxonomy_key"] == "lost-card").unwrap();
    assert_eq!(lost["episodes"], "0");
    assert_eq!(lost["label"], "Lost card");
    // The rest are clustered as usual.
    assert!(c.iter().any(|r| r["keywords"].contains("password")));
    let reg = json(&out.join("category_ids.json"));
    assert_eq!(
        reg["taxonomy"]["coupon-not-found"],
        coupon["category_id"].as_str()
    );
    assert_eq!(reg["taxonomy"]["lost-card"], lost["category_id"].as_str());
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("Coupon not found at checkout"));
    assert!(md.contains("Lost card"));

    // Next month the known categories keep their ids; this time the
    // taxonomy (relative to the config file) and the correction come from
    // the config file's [run] table.
    let out2 = tmp.path().join("out2");
    let cfg = tmp.path().join("recontact.toml");
    fs::write(
        &cfg,
        "[run]\ntaxonomy = \"taxonomy.toml\"\ntaxonomy_threshold = 0.5\ntrend_correction = \"holm\"\nanchor = true\n",
    )
    .unwrap();
    ok(&[
        "run",
        &arg(&input),
        "--out",
        &arg(&out2),
        "--config",
        &arg(&cfg),
        "--embedder",
        "lexical",
        "--no-index",
        "-q",
        "--previous",
        &arg(&out),
    ]);
    let c2 = rows(&out2.join("categories.csv"));
    for key in ["coupon-not-found", "lost-card"] {
        let a = c.iter().find(|r| r["taxonomy_key"] == key).unwrap();
        let b = c2.iter().find(|r| r["taxonomy_key"] == key).unwrap();
        assert_eq!(a["category_id"], b["category_id"], "{key}");
    }
    // Same input both months: nothing new, nothing vanished, nothing moved.
    assert!(c2.iter().all(|r| r["trend"] == "stable"), "{c2:#?}");
    let rep = json(&out2.join("report.json"));
    assert!(rep["changes"]["test"].as_str().unwrap().contains("Holm"));
    assert_eq!(
        rep["changes"]["known_without_cases"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn clear_errors_for_a_bad_previous_folder_or_taxonomy() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("oct.csv");
    fs::write(&input, month(counts(false))).unwrap();
    let out = tmp.path().join("out");
    let o = run(&[
        "run",
        &arg(&input),
        "--out",
        &arg(&out),
        "--embedder",
        "lexical",
        "--no-index",
        "--previous",
        &arg(tmp.path()),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not a recontact output folder"), "{err}");
    assert!(err.contains(&arg(tmp.path())), "{err}");
    assert!(!out.exists(), "a failed run writes nothing");

    let tax = tmp.path().join("bad.toml");
    fs::write(&tax, "[[category]]\nname = \"x\"\nexamples = [\"a\"\n").unwrap();
    let o = run(&[
        "run",
        &arg(&input),
        "--out",
        &arg(&out),
        "--embedder",
        "lexical",
        "--taxonomy",
        &arg(&tax),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.toml"), "{err}");
    assert!(err.contains("line 3"), "{err}");
}
