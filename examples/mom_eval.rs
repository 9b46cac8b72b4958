//! Scores a month-over-month run (`recontact run --previous`) against the
//! generator's truth (`examples/gen_month/main.rs --dist-seed --scale`).
//!
//! ```text
//! cargo run --example mom_eval -- --prev OUT1 --prev-truth T1.csv --cur OUT2 --cur-truth T2.csv \
//!     [--grown INTENT] [--gone INTENT] [--new INTENT] [--top 20]
//! ```
//!
//! A truth category's *home* in a month is the category holding most of its
//! categorised non-FCR episodes, provided the truth category is also the
//! plurality of that category (else it has no home). Reported:
//!
//! * id kept: of the unchanged truth categories with a home last month, the
//!   share whose home this month has the same id;
//! * the planted changes: the grown intent's home flagged `rising`, the gone
//!   intent's home of last month listed as vanished (or falling / merged),
//!   the new intent's home flagged `new` (or `split`);
//! * false alarms: among this month's top N categories, those flagged
//!   rising/falling (significant), and those flagged new/split/merged.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Parser;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    prev: PathBuf,
    #[arg(long)]
    prev_truth: PathBuf,
    #[arg(long)]
    cur: PathBuf,
    #[arg(long)]
    cur_truth: PathBuf,
    #[arg(long)]
    grown: Option<String>,
    #[arg(long)]
    gone: Option<String>,
    #[arg(long)]
    new: Option<String>,
    #[arg(long, default_value_t = 20)]
    top: usize,
}

/// Category → language (`en`, `zh`, `he`), from the truth file.
fn languages(path: &Path) -> Result<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).with_context(|| format!("{}", path.display()))?;
    let h = r.headers()?.clone();
    let ca = h.iter().position(|x| x == "category").context("category")?;
    let la = h.iter().position(|x| x == "language").context("language")?;
    let mut m = HashMap::new();
    for row in r.records() {
        let row = row?;
        m.insert(row[ca].to_string(), row[la].to_string());
    }
    Ok(m)
}

fn truth(path: &Path) -> Result<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).with_context(|| format!("{}", path.display()))?;
    let h = r.headers()?.clone();
    let ci = h
        .iter()
        .position(|x| x == "contact_id")
        .context("contact_id")?;
    let ca = h.iter().position(|x| x == "category").context("category")?;
    let mut m = HashMap::new();
    for row in r.records() {
        let row = row?;
        m.insert(row[ci].to_string(), row[ca].to_string());
    }
    Ok(m)
}

/// Truth category → predicted id → episodes.
type Table = BTreeMap<String, BTreeMap<String, usize>>;

fn table(dir: &Path, truth: &HashMap<String, String>) -> Result<Table> {
    let path = dir.join("episodes.csv");
    let mut r = csv::Reader::from_path(&path).with_context(|| format!("{}", path.display()))?;
    let h = r.headers()?.clone();
    let fi = h
        .iter()
        .position(|x| x == "first_contact_id")
        .context("first_contact_id")?;
    let ci = h
        .iter()
        .position(|x| x == "category_id")
        .context("category_id")?;
    let mut t: Table = BTreeMap::new();
    for row in r.records() {
        let row = row?;
        if row[ci].is_empty() {
            continue;
        }
        if let Some(cat) = truth.get(&row[fi]) {
            *t.entry(cat.clone())
                .or_default()
                .entry(row[ci].to_string())
                .or_default() += 1;
        }
    }
    Ok(t)
}

/// Truth category → its home id.
fn homes(t: &Table) -> BTreeMap<String, String> {
    let plurality = plurality_of(t);
    let mut out = BTreeMap::new();
    for (truth, preds) in t {
        if let Some((p, _)) = preds.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) {
            if plurality.get(p) == Some(truth) {
                out.insert(truth.clone(), p.clone());
            }
        }
    }
    out
}

/// Predicted id → its plurality truth category.
fn plurality_of(t: &Table) -> BTreeMap<String, String> {
    let mut by_pred: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for (truth, preds) in t {
        for (p, n) in preds {
            *by_pred
                .entry(p.as_str())
                .or_default()
                .entry(truth.as_str())
                .or_default() += n;
        }
    }
    by_pred
        .into_iter()
        .filter_map(|(p, m)| {
            m.into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                .map(|(t, _)| (p.to_string(), t.to_string()))
        })
        .collect()
}

struct Row {
    rank: usize,
    id: String,
    trend: String,
    label: String,
}

fn categories(dir: &Path) -> Result<Vec<Row>> {
    let path = dir.join("categories.csv");
    let mut r = csv::Reader::from_path(&path).with_context(|| format!("{}", path.display()))?;
    let h = r.headers()?.clone();
    let col = |n: &str| h.iter().position(|x| x == n).context(n.to_string());
    let (ri, ii, ti, li) = (
        col("rank")?,
        col("category_id")?,
        col("trend")?,
        col("label")?,
    );
    let mut v = Vec::new();
    for row in r.records() {
        let row = row?;
        v.push(Row {
            rank: row[ri].parse().unwrap_or(0),
            id: row[ii].to_string(),
            trend: row[ti].to_string(),
            label: row[li].to_string(),
        });
    }
    Ok(v)
}

fn main() -> Result<()> {
    let a = Args::parse();
    let t1 = table(&a.prev, &truth(&a.prev_truth)?)?;
    let t2 = table(&a.cur, &truth(&a.cur_truth)?)?;
    let (h1, h2) = (homes(&t1), homes(&t2));
    let planted: Vec<&str> = [&a.grown, &a.gone, &a.new]
        .into_iter()
        .flatten()
        .map(|s| s.as_str())
        .collect();
    let cats = categories(&a.cur)?;
    let trend_of: HashMap<&str, &str> = cats
        .iter()
        .map(|r| (r.id.as_str(), r.trend.as_str()))
        .collect();
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(a.cur.join("report.json")).context("report.json")?,
    )?;
    let ch = &report["changes"];
    let vanished: Vec<String> = ch["vanished"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|x| x["category_id"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();

    let lang = languages(&a.prev_truth)?;
    // Per language: (kept, total).
    let mut by_lang: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut kept, mut total, mut homeless) = (0usize, 0usize, 0usize);
    let mut moved: Vec<String> = Vec::new();
    for (truth, id1) in &h1 {
        if planted.contains(&truth.as_str()) {
            continue;
        }
        total += 1;
        let l = by_lang
            .entry(lang.get(truth).cloned().unwrap_or_default())
            .or_default();
        l.1 += 1;
        match h2.get(truth) {
            Some(id2) if id2 == id1 => {
                kept += 1;
                l.0 += 1;
            }
            Some(id2) => moved.push(format!(
                "[{}] {truth}: {id1} → {id2} ({})",
                lang.get(truth).map_or("", String::as_str),
                trend_of.get(id2.as_str()).unwrap_or(&"")
            )),
            None => {
                homeless += 1;
                moved.push(format!(
                    "[{}] {truth}: {id1} → no home",
                    lang.get(truth).map_or("", String::as_str)
                ));
            }
        }
    }
    println!(
        "id kept: {kept} of {total} unchanged truth categories with a home last month ({:.1}%); {homeless} have no home this month",
        100.0 * kept as f64 / total.max(1) as f64
    );
    for (l, (k, t)) in &by_lang {
        println!(
            "  {l}: {k} of {t} ({:.1}%)",
            100.0 * *k as f64 / (*t).max(1) as f64
        );
    }
    for m in &moved {
        println!("  changed: {m}");
    }
    // Two looser readings, reported beside the strict one. (1) An intent
    // the clustering cuts into several categories has several homes (every
    // category it is the plurality of); kept when this month's home is any
    // of last month's. (2) Category-centric: of last month's categories
    // whose plurality is an unchanged intent, the share whose id this month
    // still names a category with that plurality.
    let (p1, p2) = (plurality_of(&t1), plurality_of(&t2));
    let (mut kept_any, mut total_any) = (0usize, 0usize);
    for (truth, id2) in h2.iter().filter(|(t, _)| h1.contains_key(*t)) {
        if planted.contains(&truth.as_str()) {
            continue;
        }
        total_any += 1;
        if p1.get(id2) == Some(truth) {
            kept_any += 1;
        }
    }
    let homeless_any = h1
        .keys()
        .filter(|t| !planted.contains(&t.as_str()) && !h2.contains_key(*t))
        .count();
    println!(
        "id kept, any of last month's homes: {kept_any} of {} ({:.1}%)",
        total_any + homeless_any,
        100.0 * kept_any as f64 / (total_any + homeless_any).max(1) as f64
    );
    let mut cat_by_lang: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (id, truth) in &p1 {
        if planted.contains(&truth.as_str()) {
            continue;
        }
        let l = cat_by_lang
            .entry(lang.get(truth).cloned().unwrap_or_default())
            .or_default();
        l.1 += 1;
        if p2.get(id) == Some(truth) {
            l.0 += 1;
        }
    }
    let (ck, ct) = cat_by_lang
        .values()
        .fold((0, 0), |(a, b), (k, t)| (a + k, b + t));
    println!(
        "category-centric: {ck} of {ct} of last month's categories still name the same intent under the same id ({:.1}%); {}",
        100.0 * ck as f64 / ct.max(1) as f64,
        cat_by_lang
            .iter()
            .map(|(l, (k, t))| format!("{l} {k}/{t}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(g) = &a.grown {
        let id = h2.get(g);
        println!(
            "grown {g}: home {} flagged {} (last month {})",
            id.map_or("none", |s| s.as_str()),
            id.and_then(|i| trend_of.get(i.as_str())).unwrap_or(&"-"),
            h1.get(g).map_or("none", |s| s.as_str())
        );
    }
    if let Some(g) = &a.gone {
        let id = h1.get(g);
        let now = id.and_then(|i| trend_of.get(i.as_str()));
        println!(
            "gone {g}: last month's home {} → {}",
            id.map_or("none", |s| s.as_str()),
            match (id, now) {
                (Some(i), _) if vanished.contains(i) => "listed as vanished".to_string(),
                (Some(_), Some(t)) => format!("still present, flagged {t}"),
                _ => "not listed".to_string(),
            }
        );
    }
    if let Some(g) = &a.new {
        let id = h2.get(g);
        println!(
            "new {g}: home {} flagged {}",
            id.map_or("none", |s| s.as_str()),
            id.and_then(|i| trend_of.get(i.as_str())).unwrap_or(&"-")
        );
    }
    let top: Vec<&Row> = cats.iter().filter(|r| r.rank <= a.top).collect();
    let sig: Vec<String> = top
        .iter()
        .filter(|r| r.trend == "rising" || r.trend == "falling")
        .map(|r| format!("{} {} ({})", r.id, r.trend, r.label))
        .collect();
    let structural: Vec<String> = top
        .iter()
        .filter(|r| matches!(r.trend.as_str(), "new" | "split" | "merged"))
        .map(|r| format!("{} {} ({})", r.id, r.trend, r.label))
        .collect();
    println!(
        "top {}: {} flagged rising/falling {:?}; {} flagged new/split/merged {:?}",
        a.top,
        sig.len(),
        sig,
        structural.len(),
        structural
    );
    let count = |k: &str| ch[k].as_array().map_or(0, |v| v.len());
    println!(
        "all: {} new, {} rising, {} falling, {} vanished, {} split, {} merged; matched by {}",
        count("new"),
        count("rising"),
        count("falling"),
        count("vanished"),
        count("split"),
        count("merged"),
        ch["matched_by"]
    );
    Ok(())
}
