//! End to end on the bundled sample month with the default model: the
//! whole job, scored against the sample's truth. Needs the model in
//! models/all-MiniLM-L6-v2 (scripts/fetch-model.sh); skipped without it
//! unless RECONTACT_REQUIRE_MODEL=1 (as in CI), where its absence fails.

use std::path::Path;

use crate::util::{arg, default_model_or_skip, json, ok_in, rows};

#[test]
fn sample_month_with_the_default_model() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !default_model_or_skip(root) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let res = ok_in(
        root,
        &[
            "run",
            "data/sample",
            "--config",
            "data/sample/recontact.toml",
            "--out",
            &arg(&out),
        ],
    );
    let stdout = String::from_utf8_lossy(&res.stdout);
    assert!(stdout.contains("candle:all-MiniLM-L6-v2"), "{stdout}");
    for f in [
        "contacts.csv",
        "episodes.csv",
        "categories.csv",
        "themes.csv",
        "metrics.json",
        "rejected.csv",
        "report.md",
        "report.html",
        "report.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let res = ok_in(
        root,
        &[
            "eval",
            "--json",
            "--truth",
            "data/sample.truth.csv",
            &arg(&out),
        ],
    );
    let s: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    // Quality floors well inside what the default settings reach (see
    // BENCHMARKS.md), so a regression fails here.
    assert!(s["bcubed_f1"].as_f64().unwrap() >= 0.95, "{s}");
    assert!(s["fcr_rate_error"].as_f64().unwrap() <= 0.02, "{s}");
    let cats = &s["categories"];
    assert!(cats["predicted_categories"].as_u64().unwrap() >= 20, "{s}");
    // Coverage 0.82 since catch-alls dissolve (issue 13): the Hebrew
    // reasons an English-only model leaves to the lexical space formed one
    // category of unrelated requests, now left uncategorised.
    assert!(cats["coverage"].as_f64().unwrap() >= 0.80, "{s}");
    assert!(cats["nmi"].as_f64().unwrap() >= 0.6, "{s}");

    // The whole job, model included, is byte-identical on one thread. The
    // reports name the output folder, so the second run writes to the same
    // one, the first moved aside.
    let out1 = dir.path().join("out1");
    std::fs::rename(&out, &out1).unwrap();
    ok_in(
        root,
        &[
            "run",
            "data/sample",
            "--config",
            "data/sample/recontact.toml",
            "--threads",
            "1",
            "-q",
            "--out",
            &arg(&out),
        ],
    );
    for f in [
        "contacts.csv",
        "episodes.csv",
        "categories.csv",
        "metrics.json",
        "report.md",
        "report.html",
        "report.json",
    ] {
        let a = std::fs::read(out.join(f)).unwrap();
        let b = std::fs::read(out1.join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 thread and all cores");
    }

    assert_themes_consistent(&out1);
    assert_headline_rebuilds_from_csvs(&out1);
    assert_readme_searches_find_contacts(root, &out1);

    // Run from another folder: the default model is still found (it is
    // looked up beside the binary and above it, not only in the working
    // directory), so the headline does not move.
    let elsewhere = dir.path().join("elsewhere");
    let from = tempfile::tempdir().unwrap();
    ok_in(
        from.path(),
        &[
            "run",
            &arg(&root.join("data/sample")),
            "--config",
            &arg(&root.join("data/sample/recontact.toml")),
            "--categorise",
            "none",
            "--no-index",
            "-q",
            "--require-model",
            "--out",
            &arg(&elsewhere),
        ],
    );
    let (a, b) = (
        json(&elsewhere.join("metrics.json")),
        json(&out1.join("metrics.json")),
    );
    assert_eq!(a["fcr_rate"], b["fcr_rate"]);
    assert_eq!(a["settings"]["same_issue"], "embedding");
    // The month's own evidence on the same-issue threshold.
    let cal = &json(&out1.join("metrics.json"))["same_issue_calibration"];
    assert!(cal["far_pairs"].as_u64().unwrap() >= 50, "{cal}");
    assert!(cal["close_pairs"].as_u64().unwrap() > cal["far_pairs"].as_u64().unwrap());
    let suggested = cal["suggested_threshold"].as_f64().unwrap();
    assert!(suggested > 0.0 && suggested < 1.0, "{cal}");

    // The same month again, with the first as --previous (the model's
    // space for English, a lexical one for Chinese and Hebrew): every
    // category continues itself; nothing new, vanished, rising or falling.
    let again = dir.path().join("again");
    ok_in(
        root,
        &[
            "run",
            "data/sample",
            "--config",
            "data/sample/recontact.toml",
            "--no-index",
            "-q",
            "--previous",
            &arg(&out1),
            "--out",
            &arg(&again),
        ],
    );
    let rep = json(&again.join("report.json"));
    let ch = &rep["changes"];
    for list in ["new", "rising", "falling", "vanished", "split", "merged"] {
        assert_eq!(ch[list].as_array().unwrap().len(), 0, "{list}: {ch}");
    }
    let mut r = csv::Reader::from_path(again.join("categories.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let (id, from, trend) = (
        h.iter().position(|x| x == "category_id").unwrap(),
        h.iter().position(|x| x == "matched_from").unwrap(),
        h.iter().position(|x| x == "trend").unwrap(),
    );
    for row in r.records() {
        let row = row.unwrap();
        assert_eq!(&row[trend], "stable", "{row:?}");
        assert_eq!(&row[id], &row[from], "{row:?}");
    }
    // Themes continue themselves too, with last month's ids.
    let first_themes = rows(&out1.join("themes.csv"));
    let again_themes = rows(&again.join("themes.csv"));
    assert_eq!(first_themes.len(), again_themes.len());
    for t in &again_themes {
        assert_eq!(t["trend"], "stable", "{t:?}");
        assert_eq!(t["matched_from"], t["theme_id"], "{t:?}");
    }
    assert_themes_consistent(&again);
}

/// Every `recontact search out/sample …` example in the README finds
/// contacts in the sample month (a reader tries them first).
fn assert_readme_searches_find_contacts(root: &Path, out: &Path) {
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let examples: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("recontact search out/sample "))
        .collect();
    assert!(examples.len() >= 3, "{examples:?}");
    for line in examples {
        let mut args = shlex::split(line).expect("README example quotes are balanced");
        args.remove(0);
        for a in args.iter_mut().filter(|a| *a == "out/sample") {
            *a = arg(out);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let res = ok_in(root, &args);
        let stdout = String::from_utf8_lossy(&res.stdout);
        let found = if args.contains(&"csv") {
            stdout.lines().count() > 1
        } else {
            !stdout.contains("no contact matches") && stdout.contains("matching contact")
        };
        assert!(found, "README example finds nothing: {line}\n{stdout}");
    }
}

/// An analyst rebuilds every headline and by-channel/team/week figure of
/// metrics.json, and each theme's and category's episodes and extra
/// contacts, from episodes.csv alone (the data contract's promise).
fn assert_headline_rebuilds_from_csvs(out: &Path) {
    use std::collections::BTreeMap;
    let m = json(&out.join("metrics.json"));
    let episodes = rows(&out.join("episodes.csv"));
    let period = m["period"].as_str().unwrap();
    assert_eq!(period, "2026-10");
    #[derive(Default, Debug)]
    struct T {
        episodes: u64,
        measured: u64,
        fcr: u64,
        closed: u64,
        inbound_closed: u64,
    }
    let mut all = T::default();
    let mut by: [BTreeMap<String, T>; 3] = Default::default();
    let mut extra: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
    let yes = |v: &str| match v {
        "true" => true,
        "false" => false,
        _ => panic!("not a boolean: {v}"),
    };
    for e in &episodes {
        assert_eq!(e["period"], period);
        assert!(e["episode_id"].starts_with(&format!("{period}-E")), "{e:?}");
        let measured = yes(&e["measured"]);
        let fcr = yes(&e["fcr"]);
        let inbound: u64 = e["n_inbound"].parse().unwrap();
        let closed = !yes(&e["window_open"]) && inbound > 0;
        assert!(
            !fcr || inbound > 0,
            "an FCR success needs a customer: {e:?}"
        );
        let week = {
            use chrono::Datelike;
            let t = chrono::DateTime::parse_from_rfc3339(&e["first_started_at"]).unwrap();
            let w = t.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        };
        let none = |s: &str| {
            if s.is_empty() {
                "(none)".to_string()
            } else {
                s.to_string()
            }
        };
        let keys = [none(&e["channel"]), none(&e["team"]), week];
        for t in std::iter::once(&mut all).chain(
            by.iter_mut()
                .zip(&keys)
                .map(|(g, k)| g.entry(k.clone()).or_default()),
        ) {
            t.episodes += 1;
            t.measured += u64::from(measured);
            t.fcr += u64::from(measured && fcr);
            t.closed += u64::from(closed);
            t.inbound_closed += if closed { inbound } else { 0 };
        }
        for (level, id) in [("theme", &e["theme_id"]), ("category", &e["category_id"])] {
            if !id.is_empty() {
                let x = extra.entry((level.to_string(), id.clone())).or_default();
                x.0 += 1;
                x.1 += inbound.saturating_sub(1);
            }
        }
    }
    let ratio = |n: u64, d: u64| (n as f64 / d as f64 * 1e6).round() / 1e6;
    let check = |g: &serde_json::Value, t: &T, what: &str| {
        assert_eq!(g["episodes"], t.episodes, "{what}");
        assert_eq!(g["measured_episodes"], t.measured, "{what}");
        assert_eq!(g["fcr_episodes"], t.fcr, "{what}");
        assert_eq!(g["closed_episodes"], t.closed, "{what}");
        if t.measured > 0 {
            assert_eq!(
                g["fcr_rate"].as_f64().unwrap(),
                ratio(t.fcr, t.measured),
                "{what}"
            );
        }
        if t.closed > 0 {
            let avg = g["avg_contacts_per_resolved_issue"].as_f64().unwrap();
            assert_eq!(avg, ratio(t.inbound_closed, t.closed), "{what}");
            assert!(avg >= 1.0, "{what}: {avg} contacts per resolved issue");
        }
    };
    check(&m, &all, "headline");
    assert!(all.measured > 1000 && all.fcr > 0, "{all:?}");
    for (name, g) in ["by_channel", "by_team", "by_week"].iter().zip(&by) {
        let json_groups = m[name].as_object().unwrap();
        assert_eq!(json_groups.len(), g.len(), "{name}");
        for (k, t) in g {
            check(&json_groups[k], t, &format!("{name}.{k}"));
        }
    }
    // Contacts carry their episode's period and outcome.
    for c in rows(&out.join("contacts.csv")) {
        assert_eq!(c["period"], period);
    }
    for (level, file, id) in [
        ("theme", "themes.csv", "theme_id"),
        ("category", "categories.csv", "category_id"),
    ] {
        let table = rows(&out.join(file));
        assert!(!table.is_empty(), "{file}");
        for r in table {
            assert_eq!(r["period"], period, "{file}");
            let (n, x) = extra[&(level.to_string(), r[id].clone())];
            assert_eq!(r["episodes"], n.to_string(), "{file} {r:?}");
            assert_eq!(r["extra_contacts"], x.to_string(), "{file} {r:?}");
        }
    }
}

/// Themes partition the categories; contacts, episodes and categories
/// carry their theme; no name repeats between themes and categories.
fn assert_themes_consistent(out: &std::path::Path) {
    let themes = rows(&out.join("themes.csv"));
    let cats = rows(&out.join("categories.csv"));
    assert!(!themes.is_empty() && themes.len() <= cats.len());
    let mut theme_of: std::collections::HashMap<String, String> = Default::default();
    for t in &themes {
        assert!(t["theme_id"].starts_with("THM-"), "{t:?}");
        for c in t["categories"].split(';') {
            assert!(
                theme_of
                    .insert(c.to_string(), t["theme_id"].clone())
                    .is_none(),
                "{c} twice"
            );
        }
    }
    let mut names: std::collections::HashSet<String> = Default::default();
    for c in &cats {
        assert_eq!(
            theme_of.get(&c["category_id"]),
            Some(&c["theme_id"]),
            "{c:?}"
        );
        assert!(
            names.insert(c["label"].clone()),
            "category name twice: {}",
            c["label"]
        );
    }
    assert_eq!(theme_of.len(), cats.len());
    for t in themes.iter().filter(|t| t["categories"].contains(';')) {
        assert!(
            names.insert(t["name"].clone()),
            "theme name reused: {}",
            t["name"]
        );
    }
    for c in rows(&out.join("contacts.csv")) {
        match theme_of.get(&c["category_id"]) {
            Some(t) => assert_eq!(&c["theme_id"], t, "{c:?}"),
            None => assert_eq!(c["theme_id"], "", "{c:?}"),
        }
    }
    let total: f64 = themes
        .iter()
        .map(|t| t["share"].parse::<f64>().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 0.01, "theme shares add up: {total}");
}
