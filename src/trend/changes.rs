//! The report's "What changed since last month" section: new, rising,
//! falling, vanished, split and merged categories, and FCR against last
//! month.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::files::{PrevGroup, PrevMetrics, Previous};
use super::stats::{holm, round, two_proportion_p, Correction};
use super::ALPHA;
use crate::metrics::{GroupMetrics, Metrics};
use crate::model::TrendFlag;
use crate::rank::RankedCategory;

/// A category in the "What changed" lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedCategory {
    pub category_id: String,
    pub label: String,
    pub episodes: usize,
    pub prev_episodes: usize,
    pub episodes_delta: i64,
    pub extra_contacts: usize,
    pub prev_extra_contacts: usize,
    pub episode_share: f64,
    pub prev_episode_share: f64,
    pub p_value: Option<f64>,
    pub significant: bool,
    /// Last month's ids it continues / split from / merged.
    pub matched_from: Vec<String>,
}

/// A last-month category with no match now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VanishedCategory {
    pub category_id: String,
    pub label: String,
    pub keywords: Vec<String>,
    pub prev_episodes: usize,
    pub prev_extra_contacts: usize,
    pub p_value: Option<f64>,
    pub significant: bool,
}

/// FCR this month against last, overall or for one channel/team.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FcrDelta {
    pub key: String,
    pub fcr_rate: Option<f64>,
    pub prev_fcr_rate: Option<f64>,
    /// Percentage points as a fraction (0.02 = +2 points).
    pub delta: Option<f64>,
    pub measured_episodes: usize,
    pub prev_measured_episodes: usize,
    /// Two-proportion z-test (Holm-adjusted within channels / teams).
    pub p_value: Option<f64>,
    pub significant: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FcrChanges {
    pub overall: FcrDelta,
    pub by_channel: Vec<FcrDelta>,
    pub by_team: Vec<FcrDelta>,
}

/// The "What changed since last month" section's data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changes {
    pub previous_out_dir: String,
    pub previous_data_start: String,
    pub previous_data_end: String,
    /// `centroids` (same model both months) or `keywords` (term profiles
    /// and keywords: the lexical embedder, or a different embedder).
    pub matched_by: String,
    pub warning: Option<String>,
    pub reasons: usize,
    pub prev_reasons: usize,
    pub test: String,
    /// The multiple-test correction `test` names (the report words it in
    /// its language).
    #[serde(skip)]
    pub correction: Correction,
    pub new: Vec<ChangedCategory>,
    pub rising: Vec<ChangedCategory>,
    pub falling: Vec<ChangedCategory>,
    pub vanished: Vec<VanishedCategory>,
    pub split: Vec<ChangedCategory>,
    pub merged: Vec<ChangedCategory>,
    /// Known (`--taxonomy`) categories with no case this month.
    pub known_without_cases: Vec<String>,
    pub fcr: FcrChanges,
}

fn fcr_delta(key: &str, now: (Option<f64>, usize, usize), prev: Option<&PrevGroup>) -> FcrDelta {
    let (rate, measured, fcr) = now;
    let (prate, pmeasured, pfcr) = prev
        .map(|g| (g.fcr_rate, g.measured_episodes, g.fcr_episodes))
        .unwrap_or((None, 0, 0));
    let p = two_proportion_p(fcr, measured, pfcr, pmeasured);
    FcrDelta {
        key: key.into(),
        fcr_rate: rate,
        prev_fcr_rate: prate,
        delta: rate.zip(prate).map(|(a, b)| round(a - b, 4)),
        measured_episodes: measured,
        prev_measured_episodes: pmeasured,
        p_value: p.map(|x| round(x, 6)),
        significant: p.is_some_and(|x| x < ALPHA),
    }
}

fn fcr_groups(
    now: &BTreeMap<String, GroupMetrics>,
    prev: &BTreeMap<String, PrevGroup>,
) -> Vec<FcrDelta> {
    let keys: BTreeSet<&String> = now.keys().chain(prev.keys()).collect();
    let mut v: Vec<FcrDelta> = keys
        .into_iter()
        .map(|k| {
            let n = now
                .get(k)
                .map(|g| (g.fcr_rate, g.measured_episodes, g.fcr_episodes))
                .unwrap_or((None, 0, 0));
            fcr_delta(k, n, prev.get(k))
        })
        .collect();
    let idx: Vec<usize> = (0..v.len()).filter(|&i| v[i].p_value.is_some()).collect();
    let adj = holm(
        &idx.iter()
            .map(|&i| v[i].p_value.unwrap_or(1.0))
            .collect::<Vec<_>>(),
    );
    for (&i, a) in idx.iter().zip(adj) {
        v[i].p_value = Some(round(a, 6));
        v[i].significant = a < ALPHA;
    }
    v
}

/// The section, from `ranked` with their trends set and the `vanished`
/// categories (tested); `by_centroid` and `warning` say how categories
/// were matched.
#[allow(clippy::too_many_arguments)]
pub(super) fn section(
    ranked: &[RankedCategory],
    mut vanished: Vec<VanishedCategory>,
    prev: &Previous,
    by_centroid: bool,
    warning: Option<String>,
    reasons: usize,
    metrics: &Metrics,
    correction: Correction,
) -> Changes {
    let pc = &prev.centroids;
    let entry = |c: &RankedCategory| {
        let t = c.trend.as_ref();
        ChangedCategory {
            category_id: c.category_id.clone(),
            label: c.label.clone(),
            // With the pieces that split from it, as the test counts.
            episodes: t.map_or(c.episodes, |t| {
                (t.prev_episodes as i64 + t.episodes_delta).max(0) as usize
            }),
            prev_episodes: t.map_or(0, |t| t.prev_episodes),
            episodes_delta: t.map_or(0, |t| t.episodes_delta),
            extra_contacts: t.map_or(c.extra_contacts, |t| {
                (t.prev_extra_contacts as i64 + t.extra_contacts_delta).max(0) as usize
            }),
            prev_extra_contacts: t.map_or(0, |t| t.prev_extra_contacts),
            episode_share: t.map_or(0.0, |t| t.episode_share),
            prev_episode_share: t.map_or(0.0, |t| t.prev_episode_share),
            p_value: t.and_then(|t| t.p_value),
            significant: t.is_some_and(|t| t.significant),
            matched_from: t.map(|t| t.matched_from.clone()).unwrap_or_default(),
        }
    };
    let with = |f: TrendFlag| -> Vec<ChangedCategory> {
        ranked
            .iter()
            .filter(|c| c.trend.as_ref().is_some_and(|t| t.flag == f) && c.episodes > 0)
            .map(entry)
            .collect()
    };
    let by_size = |mut v: Vec<ChangedCategory>| {
        v.sort_by(|a, b| {
            b.episodes_delta
                .abs()
                .cmp(&a.episodes_delta.abs())
                .then(a.category_id.cmp(&b.category_id))
        });
        v
    };
    vanished.sort_by(|a, b| {
        b.prev_episodes
            .cmp(&a.prev_episodes)
            .then(a.category_id.cmp(&b.category_id))
    });
    Changes {
        previous_out_dir: prev.dir.to_string_lossy().into_owned(),
        previous_data_start: pc.data_start.clone(),
        previous_data_end: pc.data_end.clone(),
        matched_by: if by_centroid { "centroids" } else { "keywords" }.into(),
        warning,
        reasons,
        prev_reasons: pc.reasons,
        correction,
        test: format!(
            "exact two-sided binomial test of each category's episodes this month given both months' (p0 = this month's share of all non-FCR episodes clustered), {}-adjusted over all categories; significant at 5%",
            match correction {
                Correction::Holm => "Holm",
                Correction::Bh => "Benjamini–Hochberg",
            }
        ),
        new: by_size(with(TrendFlag::New)),
        rising: by_size(with(TrendFlag::Rising)),
        falling: by_size(with(TrendFlag::Falling)),
        vanished,
        split: with(TrendFlag::Split),
        merged: ranked
            .iter()
            .filter(|c| {
                c.trend.as_ref().is_some_and(|t| {
                    t.matched_from.len() > 1 && t.flag != TrendFlag::Split && t.flag != TrendFlag::New
                }) && c.episodes > 0
            })
            .map(entry)
            .collect(),
        known_without_cases: ranked
            .iter()
            .filter(|c| c.taxonomy_key.is_some() && c.episodes == 0)
            .map(|c| c.category_id.clone())
            .collect(),
        fcr: fcr_changes(metrics, &prev.metrics),
    }
}

/// FCR this month against last: overall, by channel, by team.
fn fcr_changes(metrics: &Metrics, pm: &PrevMetrics) -> FcrChanges {
    FcrChanges {
        overall: fcr_delta(
            "overall",
            (
                metrics.fcr_rate,
                metrics.measured_episodes,
                metrics.fcr_episodes,
            ),
            Some(&PrevGroup {
                measured_episodes: pm.measured_episodes,
                fcr_episodes: pm.fcr_episodes,
                fcr_rate: pm.fcr_rate,
            }),
        ),
        by_channel: fcr_groups(&metrics.by_channel, &pm.by_channel),
        by_team: fcr_groups(&metrics.by_team, &pm.by_team),
    }
}
