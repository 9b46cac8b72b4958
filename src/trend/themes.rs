//! Themes month over month: a theme continues the last-month theme that
//! most of its categories continue (by episodes), one to one; it keeps that
//! theme's id and name, and its trend is tested like a category's. Themes
//! that continue none get fresh ids from the registry.

use std::collections::{BTreeMap, BTreeSet};

use super::files::{IdRegistry, Previous, SavedCategory};
use super::stats::{adjust, binom_two_sided, round, Correction};
use super::ALPHA;
use crate::model::{theme_id, theme_id_number, CategoryTrend, TrendFlag};
use crate::rank::{RankedCategory, RankedTheme};

/// Width of a theme id's number.
const WIDTH: usize = 3;

/// Ids, names and trends of this month's themes against `prev`; stamps
/// the categories (`ranked`, and `cur`, their saved form in the same order)
/// with their theme; moves the registry's highest theme number on.
/// `reasons`: this month's categorised-or-not stated reasons (the share
/// denominator, as for categories).
pub fn continue_themes(
    themes: &mut [RankedTheme],
    ranked: &mut [RankedCategory],
    cur: &mut [SavedCategory],
    registry: &mut IdRegistry,
    prev: Option<&Previous>,
    reasons: usize,
    correction: Correction,
) {
    for t in themes.iter() {
        if let Some(n) = theme_id_number(t.id()) {
            registry.highest_theme_id = registry.highest_theme_id.max(n);
        }
    }
    if let Some(prev) = prev {
        let pc = &prev.centroids;
        // Last month: each category's theme, and each theme's totals.
        let mut prev_theme_of: BTreeMap<&str, &str> = BTreeMap::new();
        let mut prev_themes: BTreeMap<&str, (usize, usize, &str)> = BTreeMap::new();
        for c in &pc.categories {
            if c.theme_id.is_empty() {
                continue;
            }
            prev_theme_of.insert(&c.category_id, &c.theme_id);
            let e = prev_themes.entry(&c.theme_id).or_insert((0, 0, &c.theme));
            e.0 += c.episodes;
            e.1 += c.extra_contacts;
            if let Some(n) = theme_id_number(&c.theme_id) {
                registry.highest_theme_id = registry.highest_theme_id.max(n);
            }
        }
        // Votes: this month's theme → last month's, by the episodes of the
        // categories that continue one of its categories.
        let mut votes: BTreeMap<(usize, &str), usize> = BTreeMap::new();
        for (t, th) in themes.iter().enumerate() {
            for &i in &th.categories {
                let c = &ranked[i];
                let Some(tr) = &c.trend else { continue };
                for from in &tr.matched_from {
                    if let Some(pt) = prev_theme_of.get(from.as_str()) {
                        *votes.entry((t, pt)).or_default() += c.episodes;
                    }
                }
            }
        }
        let mut pairs: Vec<((usize, &str), usize)> = votes.into_iter().collect();
        pairs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut continues: Vec<Option<&str>> = vec![None; themes.len()];
        let mut taken: BTreeSet<&str> = BTreeSet::new();
        for ((t, pt), _) in pairs {
            if continues[t].is_none() && !taken.contains(pt) {
                continues[t] = Some(pt);
                taken.insert(pt);
            }
        }
        let (n1, n2) = (reasons as u64, pc.reasons as u64);
        let p0 = if n1 + n2 == 0 {
            0.5
        } else {
            n1 as f64 / (n1 + n2) as f64
        };
        let share = |k: usize, n: u64| {
            if n == 0 {
                0.0
            } else {
                round(k as f64 / n as f64, 4)
            }
        };
        let mut tests: Vec<f64> = Vec::new();
        for (th, from) in themes.iter_mut().zip(&continues) {
            let f = &mut th.figures;
            let (pe, px, pname) = from
                .and_then(|pt| prev_themes.get(pt).copied())
                .unwrap_or((0, 0, ""));
            let k1 = f.episodes;
            tests.push(binom_two_sided(k1 as u64, (k1 + pe) as u64, p0));
            match from {
                Some(pt) => {
                    f.category_id = pt.to_string();
                    // A theme of several categories keeps last month's
                    // name (a theme of one is its category, named there).
                    if th.categories.len() > 1 && !pname.is_empty() {
                        f.label = pname.to_string();
                    }
                }
                None => {
                    registry.highest_theme_id += 1;
                    f.category_id = theme_id(registry.highest_theme_id, WIDTH);
                }
            }
            f.trend = Some(CategoryTrend {
                flag: if from.is_some() {
                    TrendFlag::Stable
                } else {
                    TrendFlag::New
                },
                matched_from: from.iter().map(|s| s.to_string()).collect(),
                match_score: None,
                prev_label: from.map(|_| pname.to_string()),
                prev_episodes: pe,
                prev_extra_contacts: px,
                episode_share: share(k1, n1),
                prev_episode_share: share(pe, n2),
                episodes_delta: k1 as i64 - pe as i64,
                extra_contacts_delta: f.extra_contacts as i64 - px as i64,
                p_value: None,
                significant: false,
            });
        }
        let adj = adjust(correction, &tests);
        for (th, p) in themes.iter_mut().zip(adj) {
            if let Some(t) = th.figures.trend.as_mut() {
                t.p_value = Some(round(p, 6));
                t.significant = p < ALPHA;
                if t.flag == TrendFlag::Stable && t.significant {
                    t.flag = if t.episode_share > t.prev_episode_share {
                        TrendFlag::Rising
                    } else {
                        TrendFlag::Falling
                    };
                }
            }
        }
    }
    unique_theme_names(themes, ranked);
    for th in themes.iter() {
        for &i in &th.categories {
            ranked[i].theme_id = th.id().to_string();
            ranked[i].theme = th.name().to_string();
            if let Some(c) = cur.get_mut(i) {
                c.theme_id = ranked[i].theme_id.clone();
                c.theme = ranked[i].theme.clone();
            }
        }
    }
}

/// No name twice in a report after names were carried from last month: a
/// theme of several categories named like a category or an earlier theme
/// takes its first keyword not in use, else its name with " (theme)".
fn unique_theme_names(themes: &mut [RankedTheme], ranked: &[RankedCategory]) {
    let mut used: BTreeSet<String> = ranked.iter().map(|c| c.label.clone()).collect();
    for th in themes.iter_mut() {
        if let [i] = th.categories.as_slice() {
            th.figures.label = ranked[*i].label.clone();
            continue;
        }
        if used.contains(&th.figures.label) {
            let f = &th.figures;
            let name = f
                .keywords
                .iter()
                .find(|k| !used.contains(*k))
                .cloned()
                .unwrap_or_else(|| {
                    (1..)
                        .map(|n| {
                            if n == 1 {
                                format!("{} (theme)", f.label)
                            } else {
                                format!("{} (theme {n})", f.label)
                            }
                        })
                        .find(|n| !used.contains(n))
                        .unwrap_or_default()
                });
            th.figures.label = name;
        }
        used.insert(th.figures.label.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trend::files::{CentroidsFile, EmbedderIdentity, PrevMetrics};

    fn cat(id: &str, label: &str, episodes: usize, from: &[&str]) -> RankedCategory {
        RankedCategory {
            category_id: id.into(),
            label: label.into(),
            episodes,
            trend: Some(CategoryTrend {
                flag: TrendFlag::Stable,
                matched_from: from.iter().map(|s| s.to_string()).collect(),
                match_score: None,
                prev_label: None,
                prev_episodes: 0,
                prev_extra_contacts: 0,
                episode_share: 0.0,
                prev_episode_share: 0.0,
                episodes_delta: 0,
                extra_contacts_delta: 0,
                p_value: None,
                significant: false,
            }),
            ..Default::default()
        }
    }

    fn theme(id: &str, name: &str, episodes: usize, categories: Vec<usize>) -> RankedTheme {
        RankedTheme {
            figures: RankedCategory {
                category_id: id.into(),
                label: name.into(),
                episodes,
                keywords: vec!["refund".into(), "money back".into()],
                ..Default::default()
            },
            categories,
        }
    }

    fn saved(id: &str, theme_id: &str, theme: &str, episodes: usize) -> SavedCategory {
        let mut s = crate::trend::tests::saved(id, &["x"], vec![1.0]);
        s.theme_id = theme_id.into();
        s.theme = theme.into();
        s.episodes = episodes;
        s
    }

    fn previous(categories: Vec<SavedCategory>, highest_theme_id: u64) -> Previous {
        let mut registry = IdRegistry::new();
        registry.highest_theme_id = highest_theme_id;
        Previous {
            dir: "prev".into(),
            centroids: CentroidsFile {
                format: String::new(),
                version: 2,
                embedder: EmbedderIdentity {
                    name: "m".into(),
                    identity: "m".into(),
                    dim: 1,
                },
                data_start: String::new(),
                data_end: String::new(),
                reasons: 100,
                extra_contacts: 0,
                categories,
            },
            registry,
            metrics: PrevMetrics::default(),
        }
    }

    #[test]
    fn themes_keep_last_months_ids_and_names_and_new_ones_count_on() {
        let prev = previous(
            vec![
                saved("CAT-0001", "THM-004", "refunds", 30),
                saved("CAT-0002", "THM-004", "refunds", 20),
                saved("CAT-0003", "THM-009", "login", 40),
            ],
            9,
        );
        let mut ranked = vec![
            cat("CAT-0002", "refund late", 25, &["CAT-0002"]),
            cat("CAT-0001", "refund missing", 20, &["CAT-0001"]),
            cat("CAT-0005", "app crash", 10, &[]),
        ];
        let mut themes = vec![
            theme("THM-001", "refund", 45, vec![0, 1]),
            theme("THM-002", "app crash", 10, vec![2]),
        ];
        let mut cur: Vec<SavedCategory> = ranked
            .iter()
            .map(|c| saved(&c.category_id, "", "", c.episodes))
            .collect();
        let mut registry = IdRegistry::new();
        continue_themes(
            &mut themes,
            &mut ranked,
            &mut cur,
            &mut registry,
            Some(&prev),
            100,
            Correction::Bh,
        );
        assert_eq!(themes[0].id(), "THM-004");
        assert_eq!(themes[0].name(), "refunds");
        let t = themes[0].figures.trend.as_ref().unwrap();
        assert_eq!((t.prev_episodes, t.episodes_delta), (50, -5));
        assert_eq!(themes[1].id(), "THM-010");
        assert_eq!(
            themes[1].figures.trend.as_ref().unwrap().flag,
            TrendFlag::New
        );
        assert_eq!(ranked[1].theme_id, "THM-004");
        assert_eq!(cur[2].theme_id, "THM-010");
        assert_eq!(registry.highest_theme_id, 10);
    }

    #[test]
    fn a_theme_never_shares_a_name_with_a_category() {
        let mut ranked = vec![
            cat("CAT-0001", "refund", 5, &[]),
            cat("CAT-0002", "late", 5, &[]),
        ];
        let mut themes = vec![theme("THM-001", "refund", 10, vec![0, 1])];
        unique_theme_names(&mut themes, &ranked);
        assert_eq!(themes[0].name(), "money back");
        ranked[1].label = "money back".into();
        themes[0].figures.label = "refund".into();
        unique_theme_names(&mut themes, &ranked);
        assert_eq!(themes[0].name(), "refund (theme)");
    }
}
