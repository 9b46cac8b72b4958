//! Scores an output folder against a truth file: FCR-rate error, B-cubed
//! precision / recall / F1 of episode linking, and non-FCR detection F1.
//!
//! Truth (`truth.csv`, one row per contact): `contact_id, episode_id,
//! episode_fcr` at least (the sample generator writes more columns).

use std::collections::HashMap;
use std::hash::Hash;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::layout;

#[derive(Debug, Serialize, PartialEq)]
pub struct Scores {
    pub contacts_scored: usize,
    pub contacts_missing_in_output: usize,
    pub contacts_not_in_truth: usize,
    pub predicted_fcr_rate: Option<f64>,
    pub true_fcr_rate: Option<f64>,
    pub fcr_rate_error: Option<f64>,
    pub predicted_episodes: usize,
    pub true_episodes: usize,
    pub bcubed_precision: f64,
    pub bcubed_recall: f64,
    pub bcubed_f1: f64,
    /// Over contacts whose predicted episode is closed; positive = non-FCR.
    pub non_fcr_precision: f64,
    pub non_fcr_recall: f64,
    pub non_fcr_f1: f64,
    /// Categories, when the truth has a `category` column and the run wrote
    /// categories.csv.
    pub categories: Option<CategoryScores>,
    /// The same at the theme level (themes.csv, `theme_id`).
    pub themes: Option<CategoryScores>,
    /// How many members say the names (report.json, no truth needed).
    pub names: Option<NameScores>,
}

/// Names against their members: `name_said_by` from report.json.
#[derive(Debug, Serialize, PartialEq)]
pub struct NameScores {
    /// Themes: mean share of members saying the name, weighted by episodes.
    pub themes_said_by: f64,
    /// Themes whose name fewer than [`FEW_SAY_IT`] of their members say.
    pub themes_few_say: usize,
    pub themes: usize,
    /// The same for categories.
    pub categories_said_by: f64,
    pub categories_few_say: usize,
    pub categories: usize,
}

/// A name said by fewer of its members than this describes few of them.
pub const FEW_SAY_IT: f64 = 0.2;

/// Name figures of a run's report.json; `None` without one (or with a
/// version before `name_said_by`).
fn score_names(out_dir: &Path) -> Option<NameScores> {
    let text = std::fs::read_to_string(out_dir.join(layout::REPORT_JSON)).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let level = |key: &str| -> Option<(f64, usize, usize)> {
        let groups = v["root_causes"][key].as_array()?;
        let (mut said, mut weight, mut few) = (0.0, 0.0, 0);
        for g in groups {
            let s = g["name_said_by"].as_f64()?;
            let e = g["episodes"].as_f64().unwrap_or(0.0);
            said += s * e;
            weight += e;
            few += usize::from(s < FEW_SAY_IT);
        }
        let mean = if weight > 0.0 { said / weight } else { 0.0 };
        Some((round(mean), few, groups.len()))
    };
    let (themes_said_by, themes_few_say, themes) = level("themes")?;
    let (categories_said_by, categories_few_say, categories) = level("categories")?;
    Some(NameScores {
        themes_said_by,
        themes_few_say,
        themes,
        categories_said_by,
        categories_few_say,
        categories,
    })
}

/// Root-cause categories against the true categories of the truly non-FCR
/// episodes (one item per true episode: its first contact).
#[derive(Debug, Serialize, PartialEq)]
pub struct CategoryScores {
    pub episodes_scored: usize,
    /// Share of them that got a category.
    pub coverage: f64,
    /// Over the categorised ones.
    pub nmi: f64,
    pub ari: f64,
    /// Over all of them, the uncategorised as one more group: what leaving
    /// reasons out costs is weighed against the purity it buys.
    pub nmi_all: f64,
    pub predicted_categories: usize,
    pub true_categories: usize,
    /// How many of the true top-10 categories by extra contacts are the
    /// majority true category of one of the predicted top 10.
    pub top10_hits: usize,
    pub true_top10: Vec<String>,
    pub predicted_top10_as_true: Vec<String>,
    /// Share of the #1 group's scored episodes in its majority true
    /// category.
    pub top1_purity: f64,
}

/// B-cubed precision, recall and F1 of `pred` against `truth` (same items).
pub fn bcubed<P: Eq + Hash + Clone, T: Eq + Hash + Clone>(pairs: &[(P, T)]) -> (f64, f64, f64) {
    if pairs.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let mut psize: HashMap<&P, f64> = HashMap::new();
    let mut tsize: HashMap<&T, f64> = HashMap::new();
    let mut both: HashMap<(&P, &T), f64> = HashMap::new();
    for (p, t) in pairs {
        *psize.entry(p).or_default() += 1.0;
        *tsize.entry(t).or_default() += 1.0;
        *both.entry((p, t)).or_default() += 1.0;
    }
    let (mut prec, mut rec) = (0.0, 0.0);
    for (p, t) in pairs {
        let n = both[&(p, t)];
        prec += n / psize[p];
        rec += n / tsize[t];
    }
    let n = pairs.len() as f64;
    let (prec, rec) = (prec / n, rec / n);
    (prec, rec, f1(prec, rec))
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn read_csv(path: &Path) -> Result<(csv::StringRecord, Vec<csv::StringRecord>)> {
    let mut r =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let headers = r.headers()?.clone();
    let rows = r
        .records()
        .collect::<std::result::Result<Vec<_>, _>>()
        .with_context(|| format!("{}: bad CSV", path.display()))?;
    Ok((headers, rows))
}

fn col(headers: &csv::StringRecord, name: &str, path: &Path) -> Result<usize> {
    headers
        .iter()
        // A CSV written with --csv-bom: the mark sticks to the first header.
        .position(|h| h.trim_start_matches('\u{feff}') == name)
        .with_context(|| format!("{}: no column '{name}'", path.display()))
}

/// Scores `out_dir` against the truth; with `language`, only the contacts
/// the truth says are in that language (its `language` column), and the
/// predicted FCR rate is then read from their episodes in contacts.csv
/// (closed ones) instead of metrics.json's month-wide rate.
pub fn score(out_dir: &Path, truth_path: &Path, language: Option<&str>) -> Result<Scores> {
    let cpath = out_dir.join(layout::CONTACTS);
    let (ch, mut crows) = read_csv(&cpath)?;
    let (c_id, c_ep, c_fcr, c_open) = (
        col(&ch, "contact_id", &cpath)?,
        col(&ch, "episode_id", &cpath)?,
        col(&ch, "episode_fcr", &cpath)?,
        col(&ch, "episode_window_open", &cpath)?,
    );
    let (th, mut trows) = read_csv(truth_path)?;
    let (t_id, t_ep, t_fcr) = (
        col(&th, "contact_id", truth_path)?,
        col(&th, "episode_id", truth_path)?,
        col(&th, "episode_fcr", truth_path)?,
    );
    if let Some(lang) = language {
        let t_lang = col(&th, "language", truth_path)?;
        trows.retain(|r| &r[t_lang] == lang);
        if trows.is_empty() {
            anyhow::bail!("{}: no contact in language '{lang}'", truth_path.display());
        }
        let keep: std::collections::HashSet<&str> = trows.iter().map(|r| &r[t_id]).collect();
        crows.retain(|r| keep.contains(&r[c_id]));
    }
    let mpath = out_dir.join(layout::METRICS);
    let metrics: serde_json::Value = serde_json::from_reader(
        std::fs::File::open(&mpath).with_context(|| format!("cannot read {}", mpath.display()))?,
    )
    .with_context(|| format!("{}: bad JSON", mpath.display()))?;
    let predicted_fcr_rate = if language.is_some() {
        let mut eps: HashMap<&str, bool> = HashMap::new();
        for r in crows.iter().filter(|r| &r[c_open] != "true") {
            eps.insert(&r[c_ep], &r[c_fcr] == "true");
        }
        (!eps.is_empty())
            .then(|| round(eps.values().filter(|f| **f).count() as f64 / eps.len() as f64))
    } else {
        metrics.get("fcr_rate").and_then(|v| v.as_f64())
    };

    let truth: HashMap<&str, (&str, bool)> = trows
        .iter()
        .map(|r| (&r[t_id], (&r[t_ep], &r[t_fcr] == "true")))
        .collect();
    let mut true_eps: HashMap<&str, bool> = HashMap::new();
    for (ep, fcr) in truth.values() {
        true_eps.insert(ep, *fcr);
    }
    let true_fcr_rate = (!true_eps.is_empty())
        .then(|| true_eps.values().filter(|f| **f).count() as f64 / true_eps.len() as f64);

    let mut pairs = Vec::new();
    let (mut tp, mut fp, mut fneg) = (0usize, 0usize, 0usize);
    let mut not_in_truth = 0;
    let mut pred_eps: HashMap<&str, ()> = HashMap::new();
    for r in &crows {
        pred_eps.insert(&r[c_ep], ());
        let Some(&(tep, tfcr)) = truth.get(&r[c_id]) else {
            not_in_truth += 1;
            continue;
        };
        pairs.push((&r[c_ep], tep));
        if &r[c_open] == "true" {
            continue;
        }
        let pred_non = &r[c_fcr] != "true";
        match (pred_non, !tfcr) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fneg += 1,
            _ => {}
        }
    }
    let (bp, br, bf) = bcubed(&pairs);
    let np = if tp + fp > 0 {
        tp as f64 / (tp + fp) as f64
    } else {
        0.0
    };
    let nr = if tp + fneg > 0 {
        tp as f64 / (tp + fneg) as f64
    } else {
        0.0
    };
    Ok(Scores {
        contacts_scored: pairs.len(),
        contacts_missing_in_output: truth.len().saturating_sub(pairs.len()),
        contacts_not_in_truth: not_in_truth,
        predicted_fcr_rate,
        true_fcr_rate: true_fcr_rate.map(round),
        fcr_rate_error: predicted_fcr_rate
            .zip(true_fcr_rate)
            .map(|(p, t)| round((p - t).abs())),
        predicted_episodes: pred_eps.len(),
        true_episodes: true_eps.len(),
        bcubed_precision: round(bp),
        bcubed_recall: round(br),
        bcubed_f1: round(bf),
        non_fcr_precision: round(np),
        non_fcr_recall: round(nr),
        non_fcr_f1: round(f1(np, nr)),
        categories: score_categories(out_dir, &th, &trows, &ch, &crows, Level::Category)?,
        themes: score_categories(out_dir, &th, &trows, &ch, &crows, Level::Theme)?,
        names: score_names(out_dir),
    })
}

/// Which grouping is scored: categories or the themes above them.
#[derive(Clone, Copy)]
enum Level {
    Category,
    Theme,
}

fn score_categories(
    out_dir: &Path,
    th: &csv::StringRecord,
    trows: &[csv::StringRecord],
    ch: &csv::StringRecord,
    crows: &[csv::StringRecord],
    level: Level,
) -> Result<Option<CategoryScores>> {
    let (file, id_col) = match level {
        Level::Category => (layout::CATEGORIES, "category_id"),
        Level::Theme => (layout::THEMES, "theme_id"),
    };
    let catpath = out_dir.join(file);
    let (Some(t_cat), true) = (th.iter().position(|h| h == "category"), catpath.is_file()) else {
        return Ok(None);
    };
    let t_id = col(th, "contact_id", &catpath)?;
    let t_ep = col(th, "episode_id", &catpath)?;
    let t_fcr = col(th, "episode_fcr", &catpath)?;
    let t_rep = col(th, "is_repeat", &catpath)?;
    let c_id = col(ch, "contact_id", &catpath)?;
    let c_cat = col(ch, id_col, &catpath)?;
    let c_time = col(ch, "started_at", &catpath)?;
    let pred: HashMap<&str, (&str, &str)> = crows
        .iter()
        .map(|r| (&r[c_id], (&r[c_cat], &r[c_time])))
        .collect();
    // First contact of each truly non-FCR episode.
    let mut first: HashMap<&str, (&str, &str, &str)> = HashMap::new(); // ep -> (time, contact, category)
    let mut true_extra: HashMap<&str, usize> = HashMap::new();
    for r in trows {
        if &r[t_fcr] == "true" {
            continue;
        }
        if &r[t_rep] == "true" {
            *true_extra.entry(&r[t_cat]).or_default() += 1;
        }
        let Some(&(_, time)) = pred.get(&r[t_id]) else {
            continue;
        };
        let e = first.entry(&r[t_ep]).or_insert((time, &r[t_id], &r[t_cat]));
        if (time, &r[t_id]) < (e.0, e.1) {
            *e = (time, &r[t_id], &r[t_cat]);
        }
    }
    let mut items: Vec<(&str, &str)> = first
        .values()
        .map(|&(_, c, cat)| (pred[c].0, cat))
        .collect();
    items.sort_unstable();
    let n = items.len();
    let assigned: Vec<(&str, &str)> = items
        .iter()
        .copied()
        .filter(|(p, _)| !p.is_empty())
        .collect();
    let ids = |xs: Vec<&str>| -> Vec<usize> {
        let mut m: HashMap<&str, usize> = HashMap::new();
        xs.into_iter()
            .map(|x| {
                let k = m.len();
                *m.entry(x).or_insert(k)
            })
            .collect()
    };
    let p_ids = ids(assigned.iter().map(|x| x.0).collect());
    let p_all = ids(items.iter().map(|x| x.0).collect());
    let t_all = ids(items.iter().map(|x| x.1).collect());
    let t_ids = ids(assigned.iter().map(|x| x.1).collect());
    // Majority true category of each predicted category.
    let mut votes: HashMap<&str, HashMap<&str, usize>> = HashMap::new();
    for (p, t) in &assigned {
        *votes.entry(p).or_default().entry(t).or_default() += 1;
    }
    let majority = |p: &str| -> String {
        votes
            .get(p)
            .and_then(|v| {
                v.iter()
                    .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                    .map(|(t, _)| t.to_string())
            })
            .unwrap_or_default()
    };
    let (cat_h, cat_rows) = read_csv(&catpath)?;
    let cat_id = col(&cat_h, id_col, &catpath)?;
    let top1_purity = cat_rows.first().map_or(0.0, |r| {
        let v = votes.get(&r[cat_id]);
        let n: usize = v.map_or(0, |v| v.values().sum());
        let best = v.and_then(|v| v.values().max().copied()).unwrap_or(0);
        if n == 0 {
            0.0
        } else {
            best as f64 / n as f64
        }
    });
    let predicted_top10_as_true: Vec<String> = cat_rows
        .iter()
        .take(10)
        .map(|r| majority(&r[cat_id]))
        .collect();
    let mut tt: Vec<(&str, usize)> = true_extra.into_iter().collect();
    tt.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let true_top10: Vec<String> = tt.iter().take(10).map(|(c, _)| c.to_string()).collect();
    let top10_hits = true_top10
        .iter()
        .filter(|t| predicted_top10_as_true.contains(t))
        .count();
    let distinct = |xs: &[usize]| xs.iter().collect::<std::collections::HashSet<_>>().len();
    Ok(Some(CategoryScores {
        episodes_scored: n,
        coverage: round(if n == 0 {
            0.0
        } else {
            assigned.len() as f64 / n as f64
        }),
        nmi: round(crate::cluster::nmi(&p_ids, &t_ids)),
        ari: round(crate::cluster::ari(&p_ids, &t_ids)),
        nmi_all: round(crate::cluster::nmi(&p_all, &t_all)),
        predicted_categories: distinct(&p_ids),
        true_categories: distinct(&t_ids),
        top10_hits,
        true_top10,
        predicted_top10_as_true,
        top1_purity: round(top1_purity),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcubed_known_values() {
        // Perfect.
        let (p, r, f) = bcubed(&[(1, 'a'), (1, 'a'), (2, 'b')]);
        assert_eq!((p, r, f), (1.0, 1.0, 1.0));
        // Everything merged: precision drops, recall stays 1.
        let (p, r, _) = bcubed(&[(1, 'a'), (1, 'a'), (1, 'b'), (1, 'b')]);
        assert_eq!((p, r), (0.5, 1.0));
        // Everything split: recall drops, precision stays 1.
        let (p, r, _) = bcubed(&[(1, 'a'), (2, 'a'), (3, 'b'), (4, 'b')]);
        assert_eq!((p, r), (1.0, 0.5));
    }
}
