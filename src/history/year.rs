//! The year the report shows (`--history`): the twelve months ending with
//! this one, read from the dataset, with this run's month last.
//!
//! Theme ids mean the same issue only across runs that continued each
//! other's ids, so a theme's months reach back only through those
//! ([`Year::linked_months`]). A theme's usual level is its mean over the
//! linked months before this one; whether this month differs from it is
//! an exact binomial test of the theme's episodes against the months'
//! episodes, adjusted over every theme tested, as month over month does.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;

use super::{partitions, Partition};
use crate::metrics::Metrics;
use crate::model::{ThemeYear, Year, USUAL_MONTHS};
use crate::rank::RankedTheme;
use crate::trend::{adjust, binom_two_sided, round, Correction, ALPHA};

/// Months the year shows, this one included.
pub const MONTHS: usize = 12;
/// At most this many fallen themes are listed.
const FELL: usize = 20;

/// The `n` calendar months ending with `period` (`YYYY-MM`), oldest first;
/// just `period` when it is not a month.
fn months_ending(period: &str, n: usize) -> Vec<String> {
    let parsed = period
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<i32>().ok()?)));
    let Some((y, m)) = parsed.filter(|(_, m)| (1..=12).contains(m)) else {
        return vec![period.to_string()];
    };
    let index = y * 12 + (m - 1);
    (0..n as i32)
        .rev()
        .map(|k| {
            let i = index - k;
            format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1)
        })
        .collect()
}

/// The year from the dataset at `dir` and this run: `continued` says
/// whether this run continued an earlier run's ids.
pub fn year(
    dir: &Path,
    metrics: &Metrics,
    themes: &[RankedTheme],
    continued: bool,
    correction: Correction,
) -> Result<Year> {
    // Only the window's months are read, however long the history.
    let window = months_ending(&metrics.period, MONTHS);
    let parts = if dir.exists() {
        partitions(dir, |p| window[..window.len() - 1].iter().any(|w| w == p))?
    } else {
        Vec::new()
    };
    Ok(build(&parts, metrics, themes, continued, correction))
}

fn build(
    parts: &[Partition],
    metrics: &Metrics,
    themes: &[RankedTheme],
    continued: bool,
    correction: Correction,
) -> Year {
    let periods = months_ending(&metrics.period, MONTHS);
    let now = periods.len() - 1;
    // The dataset's earlier months in the window, by position.
    let mut earlier: Vec<Option<&Partition>> = vec![None; now];
    for p in parts {
        if let Some(i) = periods[..now].iter().position(|q| *q == p.month.period) {
            earlier[i] = Some(p);
        }
    }
    // Walk back while each month continued the one before it.
    let mut first_linked = now;
    let mut link = continued;
    for i in (0..now).rev() {
        if !link {
            break;
        }
        if let Some(p) = earlier[i] {
            first_linked = i;
            link = p.continued;
        }
    }
    let linked = |i: usize| i >= first_linked && earlier[i].is_some();

    let mut fcr: Vec<Option<f64>> = earlier
        .iter()
        .map(|p| p.and_then(|p| p.month.fcr_rate))
        .collect();
    fcr.push(metrics.fcr_rate);
    let mut episodes: Vec<Option<u64>> = earlier
        .iter()
        .map(|p| p.map(|p| u64::try_from(p.month.episodes).unwrap_or(0)))
        .collect();
    episodes.push(Some(metrics.episodes as u64));
    let before_total: u64 = (0..now)
        .filter(|&i| linked(i))
        .filter_map(|i| episodes[i])
        .sum();
    let months_before = (0..now).filter(|&i| linked(i)).count();

    // A theme's year: its counts in the linked months, then this month's.
    let series = |id: &str, name: &str, this: (u64, u64)| -> ThemeYear {
        let pick = |f: fn(&(String, u64, u64)) -> u64| -> Vec<Option<u64>> {
            (0..now)
                .map(|i| linked(i).then(|| earlier[i].and_then(|p| p.themes.get(id)).map_or(0, f)))
                .collect()
        };
        let mut eps = pick(|t| t.1);
        let mut extra = pick(|t| t.2);
        eps.push(Some(this.0));
        extra.push(Some(this.1));
        let usual = (months_before >= USUAL_MONTHS).then(|| {
            let sum: u64 = extra[..now].iter().flatten().sum();
            round(sum as f64 / months_before as f64, 3)
        });
        let before_eps: u64 = eps[..now].iter().flatten().sum();
        let per_thousand = |k: u64, n: u64| {
            if n == 0 {
                0.0
            } else {
                round(k as f64 * 1000.0 / n as f64, 3)
            }
        };
        ThemeYear {
            theme_id: id.to_string(),
            name: name.to_string(),
            extra_contacts: extra,
            episodes: eps,
            usual_extra_contacts: usual,
            rate: per_thousand(this.0, metrics.episodes as u64),
            usual_rate: usual.map(|_| per_thousand(before_eps, before_total)),
            p_value: None,
            significant: false,
        }
    };
    let mut this_year: Vec<ThemeYear> = themes
        .iter()
        .map(|t| {
            series(
                t.id(),
                t.name(),
                (t.figures.episodes as u64, t.figures.extra_contacts as u64),
            )
        })
        .collect();
    // Themes of the linked months not found this month, named as they
    // were last.
    let mut gone: BTreeMap<&str, &str> = BTreeMap::new();
    for i in (0..now).filter(|&i| linked(i)) {
        if let Some(p) = earlier[i] {
            for (id, (name, _, _)) in &p.themes {
                if !themes.iter().any(|t| t.id() == id) {
                    gone.insert(id, name);
                }
            }
        }
    }
    let mut gone: Vec<ThemeYear> = gone
        .into_iter()
        .map(|(id, name)| series(id, name, (0, 0)))
        .collect();

    // One test per theme with a usual level, adjusted together.
    let n1 = metrics.episodes as u64;
    let p0 = if n1 + before_total == 0 {
        0.5
    } else {
        n1 as f64 / (n1 + before_total) as f64
    };
    let mut tests = Vec::new();
    let mut tested = Vec::new();
    for (k, t) in this_year.iter().chain(&gone).enumerate() {
        if t.usual_rate.is_some() {
            let k1 = t.episodes[now].unwrap_or(0);
            let k2: u64 = t.episodes[..now].iter().flatten().sum();
            if k1 + k2 > 0 {
                tests.push(binom_two_sided(k1, k1 + k2, p0));
                tested.push(k);
            }
        }
    }
    let adj = adjust(correction, &tests);
    let split = this_year.len();
    for (k, p) in tested.into_iter().zip(adj) {
        let t = if k < split {
            &mut this_year[k]
        } else {
            &mut gone[k - split]
        };
        t.p_value = Some(round(p, 6));
        t.significant = p < ALPHA;
    }

    let mut fell: Vec<ThemeYear> = this_year
        .iter()
        .chain(&gone)
        .filter(|t| {
            let now = t.extra_contacts[now].unwrap_or(0) as f64;
            t.usual_rate.is_some_and(|u| t.rate < u)
                && t.usual_extra_contacts.is_some_and(|u| u >= 1.0 && now < u)
        })
        .cloned()
        .collect();
    let drop = |t: &ThemeYear| {
        t.usual_extra_contacts.unwrap_or(0.0) - t.extra_contacts[now].unwrap_or(0) as f64
    };
    fell.sort_by(|a, b| {
        drop(b)
            .total_cmp(&drop(a))
            .then_with(|| a.theme_id.cmp(&b.theme_id))
    });
    fell.truncate(FELL);
    Year {
        periods,
        fcr,
        episodes,
        linked_months: now - first_linked,
        themes: this_year,
        fell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Month;

    #[test]
    fn twelve_calendar_months_cross_the_year() {
        let m = months_ending("2026-02", 12);
        assert_eq!(m.len(), 12);
        assert_eq!(m[0], "2025-03");
        assert_eq!(m[10], "2026-01");
        assert_eq!(m[11], "2026-02");
        assert_eq!(months_ending("custom", 12), ["custom"]);
    }

    fn part(period: &str, episodes: i64, continued: bool, themes: &[(&str, u64)]) -> Partition {
        Partition {
            month: Month {
                period: period.into(),
                episodes,
                measured_episodes: episodes,
                fcr_rate: Some(0.7),
            },
            continued,
            themes: themes
                .iter()
                .map(|(id, n)| (id.to_string(), (format!("name {id}"), *n, *n)))
                .collect(),
        }
    }

    fn theme(id: &str, n: usize) -> RankedTheme {
        RankedTheme {
            figures: crate::rank::RankedCategory {
                category_id: id.to_string(),
                label: id.to_string(),
                episodes: n,
                extra_contacts: n,
                ..Default::default()
            },
            categories: vec![0],
        }
    }

    #[test]
    fn a_theme_that_stopped_is_a_landed_fix_and_ids_reach_back_only_through_continued_runs() {
        let parts = vec![
            // Not continued from anything: the chain stops at it.
            part("2026-07", 1000, false, &[("THM-001", 50), ("THM-002", 40)]),
            part("2026-08", 1000, true, &[("THM-001", 50), ("THM-002", 40)]),
            part("2026-09", 1000, true, &[("THM-001", 52), ("THM-002", 38)]),
        ];
        let mut m = crate::report::fixtures::metrics();
        m.period = "2026-10".into();
        m.episodes = 1000;
        // THM-002 is gone this month; THM-001 as usual.
        let y = build(&parts, &m, &[theme("THM-001", 51)], true, Correction::Bh);
        assert_eq!(y.periods.len(), 12);
        assert_eq!(y.linked_months, 3);
        let t = &y.themes[0];
        assert_eq!(
            t.extra_contacts[8..],
            [Some(50), Some(50), Some(52), Some(51)]
        );
        assert_eq!(t.extra_contacts[7], None);
        assert!(!t.significant, "{t:?}");
        assert_eq!(y.fell.len(), 1);
        let f = &y.fell[0];
        assert_eq!(f.theme_id, "THM-002");
        assert_eq!(f.name, "name THM-002");
        assert_eq!(f.extra_contacts[11], Some(0));
        assert!(f.significant, "{f:?}");
        assert_eq!(f.usual_extra_contacts, Some(39.333));

        // A run that did not continue ids has no theme months before it.
        let y = build(&parts, &m, &[theme("THM-001", 51)], false, Correction::Bh);
        assert_eq!(y.linked_months, 0);
        assert!(y.fell.is_empty());
        assert_eq!(y.themes[0].extra_contacts[10], None);
        assert_eq!(y.themes[0].usual_extra_contacts, None);
        // The FCR trend needs no ids.
        assert_eq!(y.fcr[10], Some(0.7));
    }
}
