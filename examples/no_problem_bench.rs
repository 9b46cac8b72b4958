//! How well the reasons stage sets aside contacts that state no problem
//! (`text::states_no_problem` after `text::reason::contact_reason`, as the
//! pipeline applies it), on public labelled utterances:
//!
//! - CLINC150 (English): recall on `thank_you`, `greeting`, `goodbye`;
//!   false-alarm rate on the 141 intents that ask for something (every
//!   in-scope intent but those three and the small talk `yes`, `no`,
//!   `maybe`, `are_you_a_bot`, `tell_joke`, `fun_fact`, which are reported
//!   apart);
//! - BANKING77: false-alarm rate on all of it (every intent asks);
//! - MASSIVE (en-US, zh-CN, he-IL): recall on `general_greet`, false-alarm
//!   rate on every intent outside `general_*`.
//!
//! Usage: `cargo run --release --example no_problem_bench -- ../shared/data`

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use recontact::text::{reason::contact_reason, states_no_problem};

fn no_problem(t: &str) -> bool {
    states_no_problem(&contact_reason(t))
}

/// intent → (set aside, total)
fn tally<'a>(rows: impl Iterator<Item = (&'a str, &'a str)>) -> BTreeMap<String, (usize, usize)> {
    let mut m: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (text, intent) in rows {
        let e = m.entry(intent.to_string()).or_default();
        e.0 += usize::from(no_problem(text));
        e.1 += 1;
    }
    m
}

fn rate(m: &BTreeMap<String, (usize, usize)>, keep: impl Fn(&str) -> bool) -> (usize, usize) {
    m.iter()
        .filter(|(k, _)| keep(k))
        .fold((0, 0), |a, (_, v)| (a.0 + v.0, a.1 + v.1))
}

fn line(name: &str, (hit, n): (usize, usize)) {
    println!(
        "| {name} | {hit} / {n} | {:.3} |",
        hit as f64 / n.max(1) as f64
    );
}

fn main() -> Result<()> {
    let shared = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "../shared/data".into()),
    );
    let clinc: serde_json::Value = serde_json::from_slice(
        &std::fs::read(shared.join("clinc150/data_full.json")).context("clinc150")?,
    )?;
    let mut rows: Vec<(String, String)> = Vec::new();
    for part in ["train", "val", "test"] {
        for x in clinc[part].as_array().context("clinc part")? {
            rows.push((
                x[0].as_str().unwrap_or_default().to_string(),
                x[1].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    let m = tally(rows.iter().map(|(t, i)| (t.as_str(), i.as_str())));
    let positive = ["thank_you", "greeting", "goodbye"];
    if std::env::var_os("SHOW_MISSES").is_some() {
        for (t, i) in &rows {
            let wanted = positive.contains(&i.as_str());
            if wanted && !no_problem(t) {
                eprintln!("missed {i}: {t}");
            }
            if !wanted && no_problem(t) {
                eprintln!("set aside {i}: {t}");
            }
        }
    }
    let small_talk = [
        "yes",
        "no",
        "maybe",
        "are_you_a_bot",
        "tell_joke",
        "fun_fact",
    ];
    println!("| set | set aside | rate |\n|---|---|---|");
    for p in positive {
        line(&format!("CLINC150 `{p}` (recall)"), rate(&m, |k| k == p));
    }
    for p in small_talk {
        line(&format!("CLINC150 `{p}`"), rate(&m, |k| k == p));
    }
    line(
        "CLINC150 the 141 request intents (false alarms)",
        rate(&m, |k| !positive.contains(&k) && !small_talk.contains(&k)),
    );
    let mut worst: Vec<(&String, &(usize, usize))> = m
        .iter()
        .filter(|(k, v)| {
            !positive.contains(&k.as_str()) && !small_talk.contains(&k.as_str()) && v.0 > 0
        })
        .collect();
    worst.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    for (k, v) in worst.iter().take(5) {
        eprintln!("CLINC150 false alarms in {k}: {} / {}", v.0, v.1);
    }
    // BANKING77: every utterance asks for something.
    let mut set_aside = 0;
    let mut total = 0;
    for part in ["train", "test"] {
        let path = shared.join(format!("banking77/{part}.csv"));
        let mut rdr = csv::Reader::from_path(&path).with_context(|| path.display().to_string())?;
        for rec in rdr.records() {
            let rec = rec?;
            let text = rec.get(0).unwrap_or_default();
            total += 1;
            if no_problem(text) {
                set_aside += 1;
                if std::env::var_os("SHOW_MISSES").is_some() {
                    eprintln!(
                        "set aside banking77 {}: {text}",
                        rec.get(1).unwrap_or_default()
                    );
                }
            }
        }
    }
    line(
        "BANKING77 all 77 intents (false alarms)",
        (set_aside, total),
    );
    for locale in ["en-US", "zh-CN", "he-IL"] {
        let path = shared.join(format!("massive_zh_he/{locale}.labelled.jsonl"));
        let text = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
        let mut rows: Vec<(String, String)> = Vec::new();
        for l in text.lines() {
            let v: serde_json::Value = serde_json::from_str(l)?;
            rows.push((
                v["utt"].as_str().unwrap_or_default().to_string(),
                v["intent"].as_str().unwrap_or_default().to_string(),
            ));
        }
        let m = tally(rows.iter().map(|(t, i)| (t.as_str(), i.as_str())));
        if std::env::var_os("SHOW_MISSES").is_some() {
            for (t, i) in &rows {
                let greet = i == "general_greet";
                if greet != no_problem(t) && (greet || !i.starts_with("general_")) {
                    let what = if greet { "missed" } else { "false alarm" };
                    eprintln!("{what} {locale} {i}: {t}");
                }
            }
        }
        line(
            &format!("MASSIVE {locale} `general_greet` (recall)"),
            rate(&m, |k| k == "general_greet"),
        );
        line(
            &format!("MASSIVE {locale} outside `general_*` (false alarms)"),
            rate(&m, |k| !k.starts_with("general_")),
        );
    }
    Ok(())
}
