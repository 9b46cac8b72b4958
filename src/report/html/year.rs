//! "The last 12 months" in report.html (`--history`): the FCR trend, the
//! top themes month by month as small multiples, and "did the fix land?"
//! for the themes below their usual level.

use std::fmt::Write as _;

use super::head_cells;
use crate::model::{ThemeYear, Year, USUAL_MONTHS};
use crate::report::i18n::{trh, Messages};
use crate::report::{escape, p_text, svg, Report};

/// Themes drawn as small multiples.
pub(crate) const MULTIPLES: usize = 12;

/// A count that may be unknown (a month the dataset lacks).
fn opt_num(m: &Messages, v: Option<u64>) -> String {
    v.map_or_else(|| m.na().to_string(), |n| m.num(n as usize))
}

/// One decimal, the report's way.
fn one_decimal(v: f64) -> String {
    format!("{v:.1}")
}

/// How this month stands against the theme's usual level, in words.
pub(crate) fn against_usual(m: &Messages, t: &ThemeYear) -> String {
    let Some(usual) = t.usual_rate else {
        return m.get("year.no_usual").to_string();
    };
    let key = match (t.significant, t.rate > usual) {
        (true, true) => "year.above",
        (true, false) => "year.below",
        (false, _) => "year.as_usual",
    };
    m.fmt(
        key,
        &[
            ("now", &one_decimal(t.rate)),
            ("usual", &one_decimal(usual)),
            ("p", &p_text(m, t.p_value)),
        ],
    )
}

/// This month's rate against the usual one, in figures only (the verdict
/// beside it says what they mean).
pub(crate) fn rate_against_usual(m: &Messages, t: &ThemeYear) -> String {
    match t.usual_rate {
        None => m.get("year.no_usual").to_string(),
        Some(usual) => m.fmt(
            "year.rate",
            &[
                ("now", &one_decimal(t.rate)),
                ("usual", &one_decimal(usual)),
                ("p", &p_text(m, t.p_value)),
            ],
        ),
    }
}

/// The theme against last month, from the month-over-month test (the
/// "What changed" section's), or `None` when it has no last month.
pub(crate) fn against_last_month(m: &Messages, t: &crate::model::CategoryTrend) -> String {
    let now = (t.prev_episodes as i64 + t.episodes_delta).max(0) as usize;
    let key = match (t.significant, t.episodes_delta > 0) {
        (true, true) => "year.last_up",
        (true, false) => "year.last_down",
        (false, _) => "year.last_same",
    };
    m.fmt(
        key,
        &[
            ("then", &m.num(t.prev_episodes)),
            ("now", &m.num(now)),
            ("p", &p_text(m, t.p_value)),
        ],
    )
}

/// The verdict on a theme that fell: gone, significantly lower, or lower
/// within the usual variation.
pub(crate) fn verdict(t: &ThemeYear) -> &'static str {
    let now = t.extra_contacts.last().copied().flatten().unwrap_or(0);
    match (
        now == 0 && t.episodes.last() == Some(&Some(0)),
        t.significant,
    ) {
        (true, true) => "year.verdict_gone",
        (false, true) => "year.verdict_fell",
        (true, false) => "year.verdict_gone_unsure",
        (false, false) => "year.verdict_lower",
    }
}

pub(super) fn year(o: &mut String, r: &Report, y: &Year) {
    let m = r.messages();
    let _ = write!(
        o,
        r#"<section id="year"><h2>{}</h2><p>{}</p>"#,
        trh!(m, "year.title"),
        trh!(
            m,
            "year.intro",
            first = escape(y.periods.first().map_or("", String::as_str)),
            last = escape(y.periods.last().map_or("", String::as_str)),
            months = y.fcr.iter().flatten().count(),
            linked = y.linked_months
        )
    );
    let rows: Vec<(String, Option<f64>)> = y.periods.iter().cloned().zip(y.fcr.clone()).collect();
    let _ = write!(o, "<h3>{}</h3>", trh!(m, "year.fcr_title"));
    o.push_str(&svg::rate_line(
        "year-fcr-chart",
        m.get("year.fcr_chart"),
        &rows,
    ));

    let _ = write!(o, "<h3>{}</h3>", trh!(m, "year.themes_title"));
    if y.linked_months < USUAL_MONTHS {
        let _ = write!(
            o,
            r#"<p class="sub">{}</p>"#,
            trh!(m, "year.too_short", n = USUAL_MONTHS)
        );
    }
    o.push_str(r#"<div class="multiples" id="year-themes">"#);
    for (t, ranked) in y.themes.iter().zip(r.themes).take(MULTIPLES) {
        let last_month = ranked
            .figures
            .trend
            .as_ref()
            .filter(|_| ranked.id() == t.theme_id)
            .map(|tr| {
                format!(
                    r#"<div class="sub">{}</div>"#,
                    escape(&against_last_month(m, tr))
                )
            })
            .unwrap_or_default();
        let values: Vec<Option<usize>> = t
            .extra_contacts
            .iter()
            .map(|v| v.map(|n| n as usize))
            .collect();
        let title = m.fmt(
            "year.spark_title",
            &[
                ("name", &t.name),
                ("first", &y.periods.first().map_or("", String::as_str)),
            ],
        );
        let _ = write!(
            o,
            r##"<div class="multiple"><div><a href="#{}" dir="auto">{}</a> <span class="id">{}</span></div>{}<div class="sub">{}</div><div class="sub">{}</div>{last_month}</div>"##,
            escape(&t.theme_id),
            escape(&t.name),
            escape(&t.theme_id),
            svg::sparkline_with_gaps(&values, &title),
            trh!(
                m,
                "year.figures",
                now = opt_num(m, t.extra_contacts.last().copied().flatten()),
                usual = t
                    .usual_extra_contacts
                    .map_or_else(|| m.na().to_string(), one_decimal)
            ),
            escape(&against_usual(m, t))
        );
    }
    o.push_str("</div>");

    let _ = write!(o, "<h3>{}</h3>", trh!(m, "year.fix_title"));
    if y.fell.is_empty() {
        let _ = write!(o, r#"<p class="sub">{}</p>"#, trh!(m, "year.fix_none"));
    } else {
        let _ = write!(
            o,
            r#"<table id="year-fix"><thead><tr>{}</tr></thead><tbody>"#,
            head_cells(
                m,
                &[
                    ("", "year.col_theme"),
                    ("", "year.col_months"),
                    ("n", "year.col_usual"),
                    ("n", "year.col_now"),
                    ("", "year.col_rate"),
                    ("", "year.col_verdict"),
                ]
            )
        );
        for t in &y.fell {
            let values: Vec<Option<usize>> = t
                .extra_contacts
                .iter()
                .map(|v| v.map(|n| n as usize))
                .collect();
            let _ = write!(
                o,
                r#"<tr><td><span dir="auto">{}</span> <span class="id">{}</span></td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td><td>{}</td></tr>"#,
                escape(&t.name),
                escape(&t.theme_id),
                svg::sparkline_with_gaps(&values, &t.name),
                t.usual_extra_contacts
                    .map_or_else(|| m.na().to_string(), one_decimal),
                opt_num(m, t.extra_contacts.last().copied().flatten()),
                escape(&rate_against_usual(m, t)),
                m.html(verdict(t), &[])
            );
        }
        o.push_str("</tbody></table>");
    }
    let _ = write!(
        o,
        r#"<p class="sub">{}</p></section>"#,
        trh!(m, "year.test")
    );
}
