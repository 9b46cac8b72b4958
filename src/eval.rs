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
        .position(|h| h == name)
        .with_context(|| format!("{}: no column '{name}'", path.display()))
}

pub fn score(out_dir: &Path, truth_path: &Path) -> Result<Scores> {
    let cpath = out_dir.join("contacts.csv");
    let (ch, crows) = read_csv(&cpath)?;
    let (c_id, c_ep, c_fcr, c_open) = (
        col(&ch, "contact_id", &cpath)?,
        col(&ch, "episode_id", &cpath)?,
        col(&ch, "episode_fcr", &cpath)?,
        col(&ch, "episode_window_open", &cpath)?,
    );
    let (th, trows) = read_csv(truth_path)?;
    let (t_id, t_ep, t_fcr) = (
        col(&th, "contact_id", truth_path)?,
        col(&th, "episode_id", truth_path)?,
        col(&th, "episode_fcr", truth_path)?,
    );
    let mpath = out_dir.join("metrics.json");
    let metrics: serde_json::Value = serde_json::from_reader(
        std::fs::File::open(&mpath).with_context(|| format!("cannot read {}", mpath.display()))?,
    )
    .with_context(|| format!("{}: bad JSON", mpath.display()))?;
    let predicted_fcr_rate = metrics.get("fcr_rate").and_then(|v| v.as_f64());

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
    })
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
