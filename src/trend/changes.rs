//! The data of the report's "What changed since last month" section:
//! changed and vanished categories, and FCR against last month.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::files::PrevGroup;
use super::stats::{holm, round, two_proportion_p};
use super::ALPHA;
use crate::metrics::GroupMetrics;

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

pub(super) fn fcr_delta(
    key: &str,
    now: (Option<f64>, usize, usize),
    prev: Option<&PrevGroup>,
) -> FcrDelta {
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

pub(super) fn fcr_groups(
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
