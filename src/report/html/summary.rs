//! The top of report.html: the headline tiles, the Pareto chart of extra
//! contacts and the top-10 table.

use std::fmt::Write as _;

use super::{head_cells, opt2};
use crate::rank::{RankedCategory, RankedTheme};
use crate::report::i18n::{tr, trh, Messages};
use crate::report::svg::{self, Bar};
use crate::report::{escape, truncate, Report};

/// Bars in the Pareto chart; the line's share counts the rest too.
const PARETO_BARS: usize = 20;

fn tile(o: &mut String, value: &str, key: &str, sub: &str) {
    let _ = write!(
        o,
        r#"<div class="tile"><div class="v">{}</div><div class="k">{}</div><div class="s">{}</div></div>"#,
        escape(value),
        escape(key),
        escape(sub)
    );
}

pub(super) fn headline(o: &mut String, r: &Report) {
    let m = r.metrics;
    let t = r.messages();
    let num = |n: usize| t.num(n);
    let pct = |v: Option<f64>| t.pct(v);
    let _ = write!(
        o,
        r#"<section id="headline"><h2>{}</h2>"#,
        trh!(t, "headline.title")
    );
    if let Some(c) = crate::report::caveat(t, m) {
        let _ = write!(
            o,
            r#"<p class="warning" role="alert">{}</p>"#,
            trh!(t, "page.caveat", caveat = escape(&c))
        );
    }
    o.push_str(r#"<div class="tiles">"#);
    tile(
        o,
        &pct(m.fcr_rate),
        tr!(t, "headline.fcr"),
        &tr!(
            t,
            "headline.fcr_sub",
            fcr = num(m.fcr_episodes),
            measured = num(m.measured_episodes),
            interval =
                crate::report::fcr_interval(t, m).map_or_else(String::new, |i| format!("; {i}"))
        ),
    );
    tile(
        o,
        &num(m.episodes),
        tr!(t, "headline.episodes"),
        tr!(t, "headline.episodes_sub"),
    );
    tile(
        o,
        &num(m.contacts),
        tr!(t, "headline.contacts"),
        &tr!(
            t,
            "headline.contacts_sub",
            customer = num(m.customer_contacts)
        ),
    );
    tile(
        o,
        &num(m.repeat_contacts),
        tr!(t, "headline.extra"),
        tr!(t, "headline.extra_sub"),
    );
    // A figure the month has no data for is left out, not shown as n/a.
    if m.avg_contacts_per_resolved_issue.is_some() {
        tile(
            o,
            &opt2(t, m.avg_contacts_per_resolved_issue),
            tr!(t, "headline.per_resolved"),
            tr!(t, "headline.per_resolved_sub"),
        );
    }
    tile(
        o,
        &pct(m.repeat_customer_share),
        tr!(t, "headline.repeat_customers"),
        &tr!(
            t,
            "headline.repeat_customers_sub",
            repeat = num(m.repeat_customers),
            customers = num(m.customers)
        ),
    );
    if m.survey.episodes_with_answer > 0 {
        survey_tile(o, r);
    }
    tile(
        o,
        &num(m.window_open_episodes),
        tr!(t, "headline.open"),
        &tr!(
            t,
            "headline.open_sub",
            non_fcr = num(m.window_open_non_fcr_episodes)
        ),
    );
    if m.closed_tickets > 0 {
        tile(
            o,
            &pct(m.one_time_resolution_rate),
            tr!(t, "headline.one_time"),
            &tr!(
                t,
                "headline.one_time_sub",
                never = num(m.closed_tickets - m.closed_tickets_reopened.min(m.closed_tickets)),
                closed = num(m.closed_tickets)
            ),
        );
    }
    o.push_str("</div>");
    signals_table(o, r);
    o.push_str("</section>");
}

fn survey_tile(o: &mut String, r: &Report) {
    let m = r.metrics;
    let t = r.messages();
    tile(
        o,
        &tr!(
            t,
            "headline.survey_value",
            survey = t.pct(m.survey.survey_fcr_rate),
            crm = t.pct(m.survey.crm_fcr_rate)
        ),
        tr!(t, "headline.survey"),
        &tr!(
            t,
            "headline.survey_sub",
            answered = t.num(m.survey.episodes_with_answer),
            disagree = t.pct(m.survey.disagreement_rate)
        ),
    );
}

/// Why the measured episodes were not resolved first time: each signal's
/// episodes.
fn signals_table(o: &mut String, r: &Report) {
    let m = r.metrics;
    let t = r.messages();
    if m.non_fcr_signals.is_empty() {
        return;
    }
    let _ = write!(
        o,
        r#"<h4>{}</h4><table class="signals"><thead><tr><th>{}</th><th class="n">{}</th></tr></thead><tbody>"#,
        trh!(t, "headline.signals"),
        trh!(t, "col.signal"),
        trh!(t, "col.episodes")
    );
    for (k, v) in &m.non_fcr_signals {
        let _ = write!(
            o,
            r#"<tr><td>{}</td><td class="n">{}</td></tr>"#,
            escape(&t.term("signal", k)),
            t.num(*v)
        );
    }
    o.push_str("</tbody></table>");
}

pub(super) fn pareto(o: &mut String, r: &Report) {
    let t = r.messages();
    let num = |n: usize| t.num(n);
    let _ = write!(
        o,
        r#"<section id="pareto-section"><h2>{}</h2>"#,
        trh!(t, "pareto.title")
    );
    let themes: Vec<&RankedCategory> = r.themes.iter().map(|t| &t.figures).collect();
    let total: usize = themes.iter().map(|c| c.extra_contacts).sum();
    if themes.is_empty() || total == 0 {
        let _ = write!(
            o,
            r#"<p class="empty">{}</p></section>"#,
            if themes.is_empty() {
                trh!(t, "pareto.empty_no_categories")
            } else {
                trh!(t, "pareto.empty")
            }
        );
        return;
    }
    let bars: Vec<Bar> = themes
        .iter()
        .take(PARETO_BARS)
        .map(|c| Bar {
            label: c.rank.to_string(),
            name: c.label.clone(),
            title: tr!(
                t,
                "pareto.bar",
                rank = c.rank,
                name = c.label,
                id = c.category_id,
                extra = c.extra_contacts,
                share = format!("{:.1}", c.share * 100.0)
            ),
            value: c.extra_contacts as f64,
        })
        .collect();
    o.push_str(&svg::pareto(
        t,
        "pareto",
        tr!(t, "pareto.caption"),
        &bars,
        total as f64,
        tr!(t, "pareto.axis"),
    ));
    let _ = write!(
        o,
        r#"<p class="legend"><span class="sw" style="background:var(--bar)"></span>{} <span class="sw" style="background:var(--accent)"></span>{}</p>"#,
        trh!(t, "pareto.legend_bars"),
        trh!(t, "pareto.legend_line", total = num(total))
    );
    if themes.len() > PARETO_BARS {
        let rest = &themes[PARETO_BARS..];
        let v: usize = rest.iter().map(|c| c.extra_contacts).sum();
        let _ = write!(
            o,
            r#"<p class="sub">{}</p>"#,
            trh!(
                t,
                "pareto.rest",
                shown = PARETO_BARS,
                themes = num(rest.len()),
                extra = num(v),
                share = format!("{:.1}", v as f64 / total as f64 * 100.0)
            )
        );
    }
    o.push_str("</section>");
}

/// A theme's categories as links to their cards, best first, with their
/// extra contacts (the first `most`, then how many more); a theme of one
/// category is that category.
fn category_links(r: &Report, t: &RankedTheme, most: usize) -> String {
    let m = r.messages();
    if let [i] = t.categories.as_slice() {
        if let Some(c) = r.categories.get(*i) {
            return trh!(
                m,
                "top10.one_category",
                link = format!(r##"<a href="#{0}">{0}</a>"##, escape(&c.category_id))
            );
        }
    }
    let mut links: Vec<String> = t
        .categories
        .iter()
        .filter_map(|&i| r.categories.get(i))
        .take(most)
        .map(|c| {
            format!(
                r##"<a href="#{}" dir="auto">{}</a> <span class="id">{}</span>"##,
                escape(&c.category_id),
                escape(&c.label),
                m.num(c.extra_contacts)
            )
        })
        .collect();
    if t.categories.len() > most {
        links.push(format!(
            r##"<a href="#{}">{}</a>"##,
            escape(t.id()),
            trh!(m, "top10.more", n = m.num(t.categories.len() - most))
        ));
    }
    links.join("<br>")
}

pub(super) fn top10(o: &mut String, r: &Report) {
    let m = r.messages();
    let num = |n: usize| m.num(n);
    let _ = write!(
        o,
        r#"<section id="top10-section"><h2>{}</h2>"#,
        trh!(m, "top10.title")
    );
    if r.themes.is_empty() {
        let _ = write!(
            o,
            r#"<p class="empty">{}</p></section>"#,
            m.html(
                crate::report::no_recurring_reason(r.reasons),
                &[("n", &m.num(r.reasons))]
            )
        );
        return;
    }
    let _ = write!(
        o,
        r#"<p class="sub">{}</p><table id="top10"><thead><tr>{}</tr></thead><tbody>"#,
        trh!(m, "top10.intro"),
        head_cells(
            m,
            &[
                ("n", "col.rank"),
                ("", "col.theme"),
                ("n", "col.extra"),
                ("n", "col.share"),
                ("n", "col.episodes"),
                ("", "col.categories_extra"),
                ("", "col.said"),
            ]
        )
    );
    for t in r.themes.iter().take(10) {
        let c = &t.figures;
        let quote = c
            .quotes
            .first()
            .map(|(_, q)| {
                format!(
                    r#"<q dir="auto">{}</q>"#,
                    escape(&truncate(&q.replace('\n', " "), 140))
                )
            })
            .unwrap_or_default();
        let _ = write!(
            o,
            r#"<tr><td class="n">{}</td><td><span dir="auto">{}</span> <span class="id">{}</span></td><td class="n">{}</td><td class="n">{:.1}%</td><td class="n">{}</td><td>{}</td><td>{}</td></tr>"#,
            c.rank,
            escape(&c.label),
            escape(&c.category_id),
            num(c.extra_contacts),
            c.share * 100.0,
            num(c.episodes),
            category_links(r, t, 5),
            quote
        );
    }
    o.push_str("</tbody></table>");
    if r.uncategorised.episodes > 0 {
        let _ = write!(
            o,
            r#"<p class="sub" id="uncategorised">{}{}</p>"#,
            trh!(
                m,
                "top10.uncategorised",
                n = num(r.uncategorised.episodes),
                reasons = num(r.reasons)
            ),
            examples_html(m, &r.uncategorised.examples)
        );
    }
    if r.no_problem_stated.episodes > 0 {
        let _ = write!(
            o,
            r#"<p class="sub" id="no-problem">{}{}</p>"#,
            trh!(m, "top10.no_problem", n = num(r.no_problem_stated.episodes)),
            examples_html(m, &r.no_problem_stated.examples)
        );
    }
    o.push_str("</section>");
}

/// ": “a” (C1), “b” (C2)." or "." when there are none; each quote keeps
/// its own direction (`<bdi>`) in a right-to-left or mixed page.
fn examples_html(m: &Messages, examples: &[(String, String)]) -> String {
    if examples.is_empty() {
        return m.get("common.end").into();
    }
    let quoted: Vec<String> = examples
        .iter()
        .map(|(id, t)| {
            format!(
                "“<bdi>{}</bdi>” ({})",
                escape(&crate::report::truncate(t, 120)),
                escape(id)
            )
        })
        .collect();
    m.html(
        "common.examples",
        &[("quotes", &quoted.join(m.get("common.list_sep")))],
    )
}

/// Every theme, best first, with its categories: the whole ranked list the
/// top 10 starts.
/// Whether the page lists every theme: beyond ten themes, or for a
/// top-10 theme's "more" link.
pub(super) fn has_theme_list(r: &Report) -> bool {
    r.themes.len() > 10 || r.themes.iter().any(|t| t.categories.len() > 5)
}

pub(super) fn themes(o: &mut String, r: &Report) {
    if !has_theme_list(r) {
        return;
    }
    let m = r.messages();
    let num = |n: usize| m.num(n);
    let _ = write!(
        o,
        r#"<section id="themes"><details class="more"><summary>{}</summary><table id="all-themes"><thead><tr>{}</tr></thead><tbody>"#,
        trh!(m, "themes.all", n = num(r.themes.len())),
        head_cells(
            m,
            &[
                ("n", "col.rank"),
                ("", "col.theme"),
                ("n", "col.extra"),
                ("n", "col.share"),
                ("n", "col.episodes"),
                ("n", "col.customers"),
                ("", "col.trend"),
                ("", "col.categories_extra"),
            ]
        )
    );
    for t in r.themes {
        let c = &t.figures;
        let _ = write!(
            o,
            r#"<tr id="{}"><td class="n">{}</td><td><span dir="auto">{}</span> <span class="id">{}</span></td><td class="n">{}</td><td class="n">{:.1}%</td><td class="n">{}</td><td class="n">{}</td><td>{}</td><td>{}</td></tr>"#,
            escape(&c.category_id),
            c.rank,
            escape(&c.label),
            escape(&c.category_id),
            num(c.extra_contacts),
            c.share * 100.0,
            num(c.episodes),
            num(c.customers),
            c.trend
                .as_ref()
                .map_or(String::new(), |t| escape(&m.term("flag", t.flag.as_str()))),
            category_links(r, t, usize::MAX)
        );
    }
    o.push_str("</tbody></table></details></section>");
}
