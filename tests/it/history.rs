//! `--history` and `recontact history` (issue 17.4): each run's month is
//! added to a Parquet dataset partitioned by month, a rerun replaces its
//! month, and the history reads back as FCR and themes by month; the
//! report shows the year: the FCR trend, each theme's months, and "did the
//! fix land?".

use std::fs;
use std::path::Path;

use crate::util::{arg, ok, ok_stdout, report_json, rows, run, three_reasons_month};

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

/// Four recurring reasons, worded as customers vary them; `counts`
/// customers per reason come back the next day (a non-FCR episode each),
/// and 40 one-off questions are resolved. Contact ids say the reason:
/// `refund-10-007-0`.
fn month(period: &str, counts: [usize; 4]) -> String {
    let reasons: [(&str, &str); 4] = [
        (
            "coupon",
            "I cannot find where to enter the coupon code at checkout",
        ),
        ("refund", "my refund has not arrived in my bank account"),
        ("card", "my new card has not arrived in the post"),
        ("password", "the password reset email never comes"),
    ];
    let openers = [
        "Hi,",
        "Hello,",
        "Good morning,",
        "Hey there,",
        "Sorry to bother you,",
    ];
    let closers = [
        "please help",
        "thanks",
        "any news?",
        "what now?",
        "asap please",
        "cheers",
    ];
    let mm = &period[5..];
    let mut s = String::from("contact_id,customer_id,started_at,text,channel\n");
    for ((name, text), &n) in reasons.iter().zip(&counts) {
        for u in 0..n {
            let day = 1 + u % 25;
            for (j, (d, h)) in [(day, 9), (day + 1, 15)].into_iter().enumerate() {
                let again = if j == 1 { "still not fixed: " } else { "" };
                s.push_str(&format!(
                    "{name}-{mm}-{u:03}-{j},{name}-{u},{period}-{d:02}T{h:02}:00:00Z,\"Customer: {} {again}{text}, {}\",phone\n",
                    openers[(u + j) % openers.len()],
                    closers[(u * 7 + j) % closers.len()]
                ));
            }
        }
    }
    for u in 0..40 {
        let q = [
            "opening hours",
            "delivery address",
            "invoice copy",
            "loyalty points",
        ][u % 4];
        s.push_str(&format!(
            "once-{mm}-{u:03},once-{mm}-{u},{period}-{:02}T10:00:00Z,\"Customer: how do I see my {q}\",chat\n",
            1 + u % 25
        ));
    }
    s
}

/// The themes a reason's contacts went to in an output folder, the
/// commonest first.
fn themes_of(out: &Path, reason: &str) -> Vec<String> {
    let mut n: std::collections::BTreeMap<String, usize> = Default::default();
    for r in rows(&out.join("contacts.csv")) {
        if r["contact_id"].starts_with(reason) && !r["theme_id"].is_empty() {
            *n.entry(r["theme_id"].clone()).or_default() += 1;
        }
    }
    let mut ids: Vec<(String, usize)> = n.into_iter().collect();
    ids.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    assert!(!ids.is_empty(), "{reason}: no theme");
    ids.into_iter().map(|(id, _)| id).collect()
}

fn theme_of(out: &Path, reason: &str) -> String {
    themes_of(out, reason).remove(0)
}

#[test]
fn three_months_show_the_planted_fix_and_rise_in_the_year() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    let run_month = |period: &str, counts: [usize; 4]| {
        let input = dir.path().join(format!("{period}.csv"));
        fs::write(&input, month(period, counts)).unwrap();
        let out = dir.path().join(period);
        ok(&[
            "run",
            &arg(&input),
            "--out",
            &arg(&out),
            "--embedder",
            "lexical",
            "--no-index",
            "-q",
            "--history",
            &arg(&history),
        ]);
        out
    };
    run_month("2026-08", [30, 20, 20, 16]);
    let sep = run_month("2026-09", [30, 20, 20, 16]);
    // October: the card fix landed (none), refunds broke (three times).
    let oct = run_month("2026-10", [30, 60, 0, 16]);

    // No --previous was given: each month continued the dataset's last.
    let metrics = crate::util::json(&oct.join("metrics.json"));
    let previous = metrics["settings"]["previous"].as_str().unwrap();
    assert!(previous.ends_with("period=2026-09"), "{previous}");
    let cards = themes_of(&sep, "card");
    let card = cards[0].clone();
    let refund = theme_of(&oct, "refund");
    assert_eq!(refund, theme_of(&sep, "refund"), "ids carried");

    let doc = report_json(&oct);
    assert!(
        !doc["changes"].is_null(),
        "month over month from the dataset"
    );
    let y = &doc["year"];
    let periods: Vec<&str> = y["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(periods.len(), 12);
    assert_eq!(periods[0], "2025-11");
    assert_eq!(periods[11], "2026-10");
    let fcr = y["fcr"].as_array().unwrap();
    assert!(fcr[..9].iter().all(|f| f.is_null()), "{fcr:?}");
    assert!(fcr[9..].iter().all(|f| f.is_f64()), "{fcr:?}");
    assert_eq!(y["linked_months"], 2);

    let themes = y["themes"].as_array().unwrap();
    let of = |id: &str| themes.iter().find(|t| t["theme_id"] == id).cloned();
    let r = of(&refund).unwrap();
    assert_eq!(r["significant"], true, "{r}");
    assert!(r["rate"].as_f64() > r["usual_rate"].as_f64(), "{r}");
    assert_eq!(r["extra_contacts"][9], 20);
    assert_eq!(r["extra_contacts"][11], 60);
    for reason in ["coupon", "password"] {
        let t = of(&theme_of(&oct, reason)).unwrap();
        assert_eq!(t["significant"], false, "{reason} did not move: {t}");
    }
    // The card theme is gone and listed as a landed fix; nothing that
    // stayed level is listed as significant.
    let fell = y["fell"].as_array().unwrap();
    let c = fell
        .iter()
        .find(|t| t["theme_id"] == card.as_str())
        .unwrap();
    assert_eq!(c["significant"], true, "{c}");
    assert_eq!(c["extra_contacts"][11], 0);
    assert!((c["usual_extra_contacts"].as_f64().unwrap() - 20.0).abs() < 1e-9);
    assert!(
        fell.iter().all(|t| t["significant"] == false
            || cards.iter().any(|c| t["theme_id"] == c.as_str())),
        "{fell:?}"
    );

    let html = fs::read_to_string(oct.join("report.html")).unwrap();
    assert!(html.contains(r##"<a href="#year">"##), "in the contents");
    assert!(html.contains(r#"<section id="year">"#));
    assert!(html.contains(r#"id="year-fcr-chart""#));
    assert!(html.contains(r#"id="year-fix""#));
    assert!(html.contains("the fix seems to have landed"));
    // Each small multiple also says how the theme moved since last month.
    assert!(
        html.contains("since last month: 20 → 60 episodes, a significant rise"),
        "{html}"
    );
    let md = fs::read_to_string(oct.join("report.md")).unwrap();
    assert!(md.contains("## The last 12 months"), "{md}");
    assert!(md.contains("### Did the fix land?"));

    // The first month has no year to speak of: its FCR only, no tests.
    let aug = crate::util::json(&dir.path().join("2026-08").join("report.json"));
    assert_eq!(aug["year"]["linked_months"], 0);
    assert!(aug["year"]["fell"].as_array().unwrap().is_empty());
}
