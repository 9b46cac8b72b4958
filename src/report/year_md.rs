//! "The last 12 months" in report.md (`--history`): FCR by month, the top
//! themes with a line of bars for their months, and "did the fix land?".

use std::fmt::Write as _;

use super::html::year::{
    against_last_month, against_usual, rate_against_usual, verdict, MULTIPLES,
};
use super::i18n::{tr, Messages};
use super::markdown::md_head;
use crate::model::{ThemeYear, Year};

/// A month's count as a bar character, scaled to the largest; `·` where it
/// is unknown.
fn bars(values: &[Option<u64>]) -> String {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().flatten().copied().max().unwrap_or(0).max(1);
    values
        .iter()
        .map(|v| match v {
            None => '·',
            Some(n) => LEVELS[((*n * 7) as f64 / max as f64).round() as usize],
        })
        .collect()
}

/// A theme's row: its months as bars, its figures, how it stands against
/// the usual (`against`) and then `last` (last month, or the verdict).
fn row(
    o: &mut String,
    m: &Messages,
    t: &ThemeYear,
    last: &str,
    against: fn(&Messages, &ThemeYear) -> String,
) {
    let _ = writeln!(
        o,
        "| {} `{}` | `{}` | {} | {} | {} |",
        t.name.replace('|', "\\|"),
        t.theme_id,
        bars(&t.extra_contacts),
        t.usual_extra_contacts
            .map_or_else(|| m.na().to_string(), |u| format!("{u:.1}")),
        t.extra_contacts
            .last()
            .copied()
            .flatten()
            .map_or_else(|| m.na().to_string(), |n| m.num(n as usize)),
        if last.is_empty() {
            against(m, t)
        } else {
            format!("{} — {last}", against(m, t))
        }
    );
}

pub(super) fn year_markdown(
    o: &mut String,
    m: &Messages,
    y: &Year,
    themes: &[crate::rank::RankedTheme],
) {
    let _ = writeln!(o, "## {}\n", tr!(m, "year.title"));
    let _ = writeln!(
        o,
        "{}\n",
        tr!(
            m,
            "year.intro",
            first = y.periods.first().map_or("", String::as_str),
            last = y.periods.last().map_or("", String::as_str),
            months = y.fcr.iter().flatten().count(),
            linked = y.linked_months
        )
    );
    let _ = writeln!(o, "### {}\n", tr!(m, "year.fcr_title"));
    let _ = writeln!(o, "{}", md_head(m, &["year.col_month", "year.col_fcr"]));
    for (p, f) in y.periods.iter().zip(&y.fcr) {
        if f.is_some() {
            let _ = writeln!(o, "| {p} | {} |", m.pct(*f));
        }
    }
    let head = |o: &mut String, last: &str| {
        let _ = writeln!(
            o,
            "\n{}",
            md_head(
                m,
                &[
                    "year.col_theme",
                    "year.col_months",
                    "year.col_usual",
                    "year.col_now",
                    last
                ]
            )
        );
    };
    let _ = writeln!(o, "\n### {}", tr!(m, "year.themes_title"));
    head(o, "year.col_tests");
    for (t, ranked) in y.themes.iter().zip(themes).take(MULTIPLES) {
        let last = ranked
            .figures
            .trend
            .as_ref()
            .filter(|_| ranked.id() == t.theme_id)
            .map(|tr| against_last_month(m, tr))
            .unwrap_or_default();
        row(o, m, t, &last, against_usual);
    }
    let _ = writeln!(o, "\n### {}", tr!(m, "year.fix_title"));
    if y.fell.is_empty() {
        let _ = writeln!(o, "\n{}", tr!(m, "year.fix_none"));
    } else {
        head(o, "year.col_verdict");
        for t in &y.fell {
            row(o, m, t, m.get(verdict(t)), rate_against_usual);
        }
    }
    let _ = writeln!(o, "\n{}\n", tr!(m, "year.test"));
}

#[cfg(test)]
mod tests {
    use super::bars;

    #[test]
    fn bars_scale_to_the_largest_and_mark_unknown_months() {
        assert_eq!(bars(&[None, Some(0), Some(7), Some(14)]), "·▁▅█");
    }
}
