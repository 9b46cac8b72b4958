//! The top of report.html: the headline tiles, the Pareto chart of extra
//! contacts and the top-10 table.

use std::fmt::Write as _;

use super::{num, opt2};
use crate::rank::{RankedCategory, RankedTheme};
use crate::report::svg::{self, Bar};
use crate::report::{escape, pct, truncate, Report};

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
    o.push_str(r#"<section id="headline"><h2>Headline</h2>"#);
    if let Some(c) = &m.fcr_uncertainty.caveat {
        let _ = write!(
            o,
            r#"<p class="warning" role="alert">Caveat: {}</p>"#,
            escape(c)
        );
    }
    o.push_str(r#"<div class="tiles">"#);
    tile(
        o,
        &pct(m.fcr_rate),
        "First contact resolution",
        &format!(
            "{} of {} measured episodes resolved first time{}",
            num(m.fcr_episodes),
            num(m.measured_episodes),
            crate::report::fcr_interval(m).map_or_else(String::new, |i| format!("; {i}"))
        ),
    );
    tile(
        o,
        &num(m.episodes),
        "Episodes",
        "customer issues (a first contact and its repeats)",
    );
    tile(
        o,
        &num(m.contacts),
        "Contacts",
        &format!("{} customer-initiated", num(m.customer_contacts)),
    );
    tile(
        o,
        &num(m.repeat_contacts),
        "Extra contacts",
        "customer contacts beyond the first of an issue",
    );
    tile(
        o,
        &opt2(m.avg_contacts_per_resolved_issue),
        "Contacts per resolved issue",
        "customer contacts per closed episode",
    );
    tile(
        o,
        &pct(m.repeat_customer_share),
        "Customers needing ≥ 2 contacts",
        &format!(
            "{} of {} customers, for one issue",
            num(m.repeat_customers),
            num(m.customers)
        ),
    );
    tile(
        o,
        &format!(
            "{} vs {}",
            pct(m.survey.survey_fcr_rate),
            pct(m.survey.crm_fcr_rate)
        ),
        "FCR: survey vs CRM",
        &format!(
            "on {} answered episodes; {} disagree",
            num(m.survey.episodes_with_answer),
            pct(m.survey.disagreement_rate)
        ),
    );
    tile(
        o,
        &num(m.window_open_episodes),
        "Still open",
        &format!(
            "episodes too recent to judge: the data ends inside their repeat window (counted apart; {} already not resolved first time)",
            num(m.window_open_non_fcr_episodes)
        ),
    );
    tile(
        o,
        &pct(m.one_time_resolution_rate),
        "One-time resolution",
        &format!(
            "{} closed tickets never reopened of {}",
            num(m.closed_tickets - m.closed_tickets_reopened.min(m.closed_tickets)),
            num(m.closed_tickets)
        ),
    );
    o.push_str("</div>");
    if !m.non_fcr_signals.is_empty() {
        o.push_str(
            r#"<h4>Why measured episodes were not resolved first time</h4><table class="signals"><thead><tr><th>signal</th><th class="n">episodes</th></tr></thead><tbody>"#,
        );
        for (k, v) in &m.non_fcr_signals {
            let _ = write!(
                o,
                r#"<tr><td>{}</td><td class="n">{}</td></tr>"#,
                escape(&k.replace('_', " ")),
                num(*v)
            );
        }
        o.push_str("</tbody></table>");
    }
    o.push_str("</section>");
}

pub(super) fn pareto(o: &mut String, r: &Report) {
    o.push_str(r#"<section id="pareto-section"><h2>Where the extra contacts come from</h2>"#);
    let themes: Vec<&RankedCategory> = r.themes.iter().map(|t| &t.figures).collect();
    let total: usize = themes.iter().map(|c| c.extra_contacts).sum();
    if themes.is_empty() || total == 0 {
        let _ = write!(
            o,
            r#"<p class="empty">No extra contacts in any theme{}: nothing to chart.</p></section>"#,
            if themes.is_empty() {
                " (there are no categories)"
            } else {
                ""
            }
        );
        return;
    }
    let bars: Vec<Bar> = themes
        .iter()
        .take(PARETO_BARS)
        .map(|c| Bar {
            label: c.rank.to_string(),
            title: format!(
                "#{} {} ({}): {} extra contacts, {:.1}%",
                c.rank,
                c.label,
                c.category_id,
                c.extra_contacts,
                c.share * 100.0
            ),
            value: c.extra_contacts as f64,
        })
        .collect();
    o.push_str(&svg::pareto(
        "pareto",
        "Extra contacts by theme, with the cumulative share",
        &bars,
        total as f64,
        "extra contacts",
    ));
    let _ = write!(
        o,
        r#"<p class="legend"><span class="sw" style="background:var(--bar)"></span>extra contacts per theme, by rank <span class="sw" style="background:var(--accent)"></span>cumulative share of the {} extra contacts in categories; dashed: 80 %</p>"#,
        num(total)
    );
    if themes.len() > PARETO_BARS {
        let rest = &themes[PARETO_BARS..];
        let v: usize = rest.iter().map(|c| c.extra_contacts).sum();
        let _ = write!(
            o,
            r#"<p class="sub">The chart shows the top {PARETO_BARS}; the other {} themes have {} extra contacts ({:.1}%).</p>"#,
            num(rest.len()),
            num(v),
            v as f64 / total as f64 * 100.0
        );
    }
    o.push_str("</section>");
}

/// A theme's categories as links to their cards, best first, with their
/// extra contacts (the first `most`, then how many more); a theme of one
/// category is that category.
fn category_links(r: &Report, t: &RankedTheme, most: usize) -> String {
    if let [i] = t.categories.as_slice() {
        if let Some(c) = r.categories.get(*i) {
            return format!(
                r##"the category <a href="#{0}">{0}</a>"##,
                escape(&c.category_id)
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
                num(c.extra_contacts)
            )
        })
        .collect();
    if t.categories.len() > most {
        links.push(format!(
            r##"<a href="#{}">{} more</a>"##,
            escape(t.id()),
            num(t.categories.len() - most)
        ));
    }
    links.join("<br>")
}

pub(super) fn top10(o: &mut String, r: &Report) {
    o.push_str(r#"<section id="top10-section"><h2>Top 10 reasons customers had to come back</h2>"#);
    if r.themes.is_empty() {
        let _ = write!(
            o,
            r#"<p class="empty">No recurring reason: {} non-FCR episodes{}.</p></section>"#,
            num(r.reasons),
            if r.reasons > 0 {
                ", none in a category of the minimum size"
            } else {
                ""
            }
        );
        return;
    }
    o.push_str(
        r#"<p class="sub">Ranked by theme: a theme gathers the categories of one issue; each category links to its card.</p><table id="top10"><thead><tr><th class="n">rank</th><th>theme</th><th class="n">extra contacts</th><th class="n">share</th><th class="n">episodes</th><th>categories (extra contacts)</th><th>what customers said</th></tr></thead><tbody>"#,
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
            r#"<p class="sub" id="uncategorised">{} of {} non-FCR episodes fit no category{}</p>"#,
            num(r.uncategorised.episodes),
            num(r.reasons),
            examples_html(&r.uncategorised.examples)
        );
    }
    if r.no_problem_stated.episodes > 0 {
        let _ = write!(
            o,
            r#"<p class="sub" id="no-problem">{} non-FCR episodes state no problem (thanks, “ok”, auto-replies; not ranked){}</p>"#,
            num(r.no_problem_stated.episodes),
            examples_html(&r.no_problem_stated.examples)
        );
    }
    o.push_str("</section>");
}

/// ": “a” (C1), “b” (C2)." or "." when there are none; each quote keeps
/// its own direction (`<bdi>`) in a right-to-left or mixed page.
fn examples_html(examples: &[(String, String)]) -> String {
    if examples.is_empty() {
        return ".".into();
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
    format!(": {}.", quoted.join(", "))
}

/// Every theme, best first, with its categories: the whole ranked list the
/// top 10 starts.
pub(super) fn themes(o: &mut String, r: &Report) {
    // Needed beyond ten themes, or for a top-10 theme's "more" link.
    if r.themes.len() <= 10 && r.themes.iter().all(|t| t.categories.len() <= 5) {
        return;
    }
    let _ = write!(
        o,
        r#"<section id="themes"><details class="more"><summary>All {} themes</summary><table id="all-themes"><thead><tr><th class="n">rank</th><th>theme</th><th class="n">extra contacts</th><th class="n">share</th><th class="n">episodes</th><th class="n">customers</th><th>trend</th><th>categories (extra contacts)</th></tr></thead><tbody>"#,
        num(r.themes.len())
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
            c.trend.as_ref().map_or("", |t| t.flag.as_str()),
            category_links(r, t, usize::MAX)
        );
    }
    o.push_str("</tbody></table></details></section>");
}
