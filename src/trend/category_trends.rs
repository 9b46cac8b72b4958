//! Per-category trends: this month's episodes against those of the
//! last-month categories each continues (a split's counted with its
//! parent), an exact binomial test per category and per vanished one,
//! adjusted for multiple testing all together.

use std::collections::{BTreeMap, BTreeSet};

use super::changes::VanishedCategory;
use super::files::CentroidsFile;
use super::matching::Matching;
use super::stats::{adjust, binom_two_sided, round, Correction};
use super::ALPHA;
use crate::model::{CategoryTrend, TrendFlag};
use crate::rank::RankedCategory;

/// Sets each category's `trend` (flag, counts, shares, adjusted p-value)
/// against last month's `pc`; returns last month's categories that
/// vanished, tested in the same adjustment. `reasons`: this month's
/// non-FCR episodes clustered (the share denominator).
pub(super) fn set_trends(
    ranked: &mut [RankedCategory],
    m: &Matching,
    pc: &CentroidsFile,
    reasons: usize,
    correction: Correction,
) -> Vec<VanishedCategory> {
    // Counts: this month and the previous categories each continues.
    let (n1, n2) = (reasons as u64, pc.reasons as u64);
    let p0 = if n1 + n2 == 0 {
        0.5
    } else {
        n1 as f64 / (n1 + n2) as f64
    };
    // Every test goes in one list (categories first, then the vanished),
    // so the adjustment covers them all.
    let mut tests: Vec<f64> = Vec::new();
    let (mut trends, test_of) = category_trends(ranked, m, pc, (n1, n2), p0, &mut tests);
    let mut vanished = vanished(m, pc, p0, &mut tests);
    let adj = adjust(correction, &tests);
    for (t, ti) in trends.iter_mut().zip(&test_of) {
        if let Some(k) = ti {
            t.p_value = Some(round(adj[*k], 6));
            t.significant = adj[*k] < ALPHA;
            // A merge that moved significantly says so in the flag; it
            // stays listed with the merges (`matched_from`).
            if matches!(t.flag, TrendFlag::Stable | TrendFlag::Merged) && t.significant {
                t.flag = if t.episode_share > t.prev_episode_share {
                    TrendFlag::Rising
                } else {
                    TrendFlag::Falling
                };
            }
        }
    }
    for (v, k) in &mut vanished {
        v.p_value = Some(round(adj[*k], 6));
        v.significant = adj[*k] < ALPHA;
    }
    for (c, t) in ranked.iter_mut().zip(trends) {
        c.trend = Some(t);
    }
    vanished.into_iter().map(|(v, _)| v).collect()
}

/// Episodes and extra contacts of the splits, by the last-month category
/// they split from: they count with it, as the issue grew even when this
/// month's clustering cut it in pieces.
fn split_episodes(ranked: &[RankedCategory], m: &Matching) -> BTreeMap<usize, (usize, usize)> {
    let mut split_episodes: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for (i, c) in ranked.iter().enumerate() {
        if let (None, Some(j)) = (m.matched[i], m.split_from[i]) {
            let e = split_episodes.entry(j).or_default();
            e.0 += c.episodes;
            e.1 += c.extra_contacts;
        }
    }
    split_episodes
}

/// Each category's trend (p-value not yet set) and the index of its test
/// in `tests`, which it appends to (a split has none). `(n1, n2)`: this
/// and last month's share denominators; `p0`: this month's share of both.
fn category_trends(
    ranked: &[RankedCategory],
    m: &Matching,
    pc: &CentroidsFile,
    (n1, n2): (u64, u64),
    p0: f64,
    tests: &mut Vec<f64>,
) -> (Vec<CategoryTrend>, Vec<Option<usize>>) {
    let share = |k: usize, n: u64| {
        if n == 0 {
            0.0
        } else {
            round(k as f64 / n as f64, 4)
        }
    };
    let mut trends: Vec<CategoryTrend> = Vec::new();
    let mut test_of: Vec<Option<usize>> = Vec::new();
    let split_episodes = split_episodes(ranked, m);
    for (i, c) in ranked.iter().enumerate() {
        let from: Vec<usize> = match (m.matched[i], m.split_from[i]) {
            (Some((j, _)), _) => std::iter::once(j).chain(m.merged[i].clone()).collect(),
            (None, Some(j)) => vec![j],
            (None, None) => Vec::new(),
        };
        let is_split = m.matched[i].is_none() && m.split_from[i].is_some();
        let (pe, px) = if is_split {
            (0, 0)
        } else {
            from.iter().fold((0, 0), |(e, x), &j| {
                (
                    e + pc.categories[j].episodes,
                    x + pc.categories[j].extra_contacts,
                )
            })
        };
        // A split has no count of its own last month: not tested; its
        // episodes are tested with its parent's.
        let (split_e, split_x) = m.matched[i]
            .and_then(|(j, _)| split_episodes.get(&j).copied())
            .unwrap_or((0, 0));
        let k1 = c.episodes + split_e;
        let t = (!is_split).then(|| {
            tests.push(binom_two_sided(k1 as u64, (k1 + pe) as u64, p0));
            tests.len() - 1
        });
        test_of.push(t);
        let flag = if m.matched[i].is_some() && !m.merged[i].is_empty() {
            TrendFlag::Merged
        } else if m.matched[i].is_some() {
            TrendFlag::Stable
        } else if is_split {
            TrendFlag::Split
        } else {
            TrendFlag::New
        };
        trends.push(CategoryTrend {
            flag,
            matched_from: from
                .iter()
                .map(|&j| pc.categories[j].category_id.clone())
                .collect(),
            match_score: m.matched[i].map(|(_, s)| round(s, 4)),
            prev_label: from.first().map(|&j| pc.categories[j].label.clone()),
            prev_episodes: pe,
            prev_extra_contacts: px,
            episode_share: share(k1, n1),
            prev_episode_share: share(pe, n2),
            episodes_delta: k1 as i64 - pe as i64,
            extra_contacts_delta: (c.extra_contacts + split_x) as i64 - px as i64,
            p_value: None,
            significant: false,
        });
    }
    (trends, test_of)
}

/// Last month's categories neither continued nor merged, each with the
/// index of its test (no episode this month) in `tests`, which it appends to.
fn vanished(
    m: &Matching,
    pc: &CentroidsFile,
    p0: f64,
    tests: &mut Vec<f64>,
) -> Vec<(VanishedCategory, usize)> {
    let merged_into: BTreeSet<usize> = m.merged.iter().flatten().copied().collect();
    let continued: BTreeSet<usize> = m.matched.iter().flatten().map(|(j, _)| *j).collect();
    let mut vanished: Vec<(VanishedCategory, usize)> = Vec::new();
    for (j, p) in pc.categories.iter().enumerate() {
        if continued.contains(&j) || merged_into.contains(&j) || p.episodes == 0 {
            continue;
        }
        tests.push(binom_two_sided(0, p.episodes as u64, p0));
        vanished.push((
            VanishedCategory {
                category_id: p.category_id.clone(),
                label: p.label.clone(),
                keywords: p.keywords.clone(),
                prev_episodes: p.episodes,
                prev_extra_contacts: p.extra_contacts,
                p_value: None,
                significant: false,
            },
            tests.len() - 1,
        ));
    }
    vanished
}
