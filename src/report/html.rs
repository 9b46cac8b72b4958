//! report.html: the report as one self-contained page — inline CSS and
//! SVG, no scripts, no fonts, nothing fetched (a Content-Security-Policy
//! forbids it), so it opens from a USB stick and prints.
//!
//! User text (names, keywords, quotes, channel and team names) is escaped
//! and carries `dir="auto"` so Hebrew reads right to left inside English
//! pages. Category cards beyond [`OPEN_CARDS`] sit in collapsed
//! `<details>`, so a month with a thousand categories stays usable.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::svg::{self, Bar};
use super::{drill_down, escape, pct, truncate, Report};
use crate::metrics::GroupMetrics;
use crate::rank::RankedCategory;
use crate::settings::format_duration;

/// Cards shown open; the rest collapse.
pub const OPEN_CARDS: usize = 30;
/// Bars in the Pareto chart; the line's share counts the rest too.
const PARETO_BARS: usize = 20;

/// The page's stylesheet, kept in its own file so it can be edited as CSS.
/// The page inlines it (the Content-Security-Policy allows no fetch).
const CSS: &str = include_str!("report.css");

/// Group names as the report shows them.
fn key_name(k: &str) -> &str {
    if k.is_empty() {
        "(none)"
    } else {
        k
    }
}

fn num(n: usize) -> String {
    // Thousands separated by a thin space: readable in any locale.
    let s = n.to_string();
    let mut o = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            o.push('\u{202f}');
        }
        o.push(c);
    }
    o
}

fn opt2(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "n/a".into())
}

fn tile(o: &mut String, value: &str, key: &str, sub: &str) {
    let _ = write!(
        o,
        r#"<div class="tile"><div class="v">{}</div><div class="k">{}</div><div class="s">{}</div></div>"#,
        escape(value),
        escape(key),
        escape(sub)
    );
}

fn headline(o: &mut String, r: &Report) {
    let m = r.metrics;
    o.push_str(r#"<section id="headline"><h2>Headline</h2><div class="tiles">"#);
    tile(
        o,
        &pct(m.fcr_rate),
        "First contact resolution",
        &format!(
            "{} of {} measured episodes resolved first time",
            num(m.fcr_episodes),
            num(m.measured_episodes)
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
        "Censored episodes",
        &format!(
            "repeat window still open at the data's end (reported apart; {} already non-FCR)",
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

fn pareto(o: &mut String, r: &Report) {
    o.push_str(r#"<section id="pareto-section"><h2>Where the extra contacts come from</h2>"#);
    let total: usize = r.categories.iter().map(|c| c.extra_contacts).sum();
    if r.categories.is_empty() || total == 0 {
        let _ = write!(
            o,
            r#"<p class="empty">No extra contacts in any category{}: nothing to chart.</p></section>"#,
            if r.categories.is_empty() {
                " (there are no categories)"
            } else {
                ""
            }
        );
        return;
    }
    let bars: Vec<Bar> = r
        .categories
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
        "Extra contacts by category, with the cumulative share",
        &bars,
        total as f64,
        "extra contacts",
    ));
    let _ = write!(
        o,
        r#"<p class="legend"><span class="sw" style="background:var(--bar)"></span>extra contacts per category, by rank <span class="sw" style="background:var(--accent)"></span>cumulative share of the {} extra contacts in categories; dashed: 80 %</p>"#,
        num(total)
    );
    if r.categories.len() > PARETO_BARS {
        let rest = &r.categories[PARETO_BARS..];
        let v: usize = rest.iter().map(|c| c.extra_contacts).sum();
        let _ = write!(
            o,
            r#"<p class="sub">The chart shows the top {PARETO_BARS}; the other {} categories have {} extra contacts ({:.1}%).</p>"#,
            num(rest.len()),
            num(v),
            v as f64 / total as f64 * 100.0
        );
    }
    o.push_str("</section>");
}

fn top10(o: &mut String, r: &Report) {
    o.push_str(r#"<section id="top10-section"><h2>Top 10 reasons customers had to come back</h2>"#);
    if r.categories.is_empty() {
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
        r#"<table id="top10"><thead><tr><th class="n">rank</th><th>category</th><th class="n">extra contacts</th><th class="n">share</th><th class="n">episodes</th><th>keywords</th><th>what customers said</th></tr></thead><tbody>"#,
    );
    for c in r.categories.iter().take(10) {
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
            r##"<tr><td class="n">{}</td><td><a href="#{}" dir="auto">{}</a> <span class="id">{}</span></td><td class="n">{}</td><td class="n">{:.1}%</td><td class="n">{}</td><td dir="auto">{}</td><td>{}</td></tr>"##,
            c.rank,
            escape(&c.category_id),
            escape(&c.label),
            escape(&c.category_id),
            num(c.extra_contacts),
            c.share * 100.0,
            num(c.episodes),
            escape(
                &c.keywords
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            quote
        );
    }
    o.push_str("</tbody></table>");
    if r.uncategorised > 0 {
        let _ = write!(
            o,
            r#"<p class="sub">{} of {} non-FCR episodes fit no category.</p>"#,
            num(r.uncategorised),
            num(r.reasons)
        );
    }
    o.push_str("</section>");
}

/// A small table of the largest entries of a count map.
fn top_table(o: &mut String, title: &str, m: &BTreeMap<String, usize>, total: usize, n: usize) {
    let mut v: Vec<(&String, &usize)> = m.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let _ = write!(o, r#"<div><h4>{}</h4><table><tbody>"#, escape(title));
    if v.is_empty() {
        o.push_str(r#"<tr><td>none</td></tr>"#);
    }
    for (k, c) in v.iter().take(n) {
        let _ = write!(
            o,
            r#"<tr><td dir="auto">{}</td><td class="n">{}</td><td class="n">{:.0}%</td></tr>"#,
            escape(key_name(k)),
            num(**c),
            **c as f64 / total.max(1) as f64 * 100.0
        );
    }
    if v.len() > n {
        let _ = write!(
            o,
            r#"<tr><td colspan="3" class="sub">and {} more</td></tr>"#,
            v.len() - n
        );
    }
    o.push_str("</tbody></table></div>");
}

fn card_body(o: &mut String, r: &Report, c: &RankedCategory, weeks: &[&String]) {
    o.push_str(r#"<ul class="kw">"#);
    for k in &c.keywords {
        let _ = write!(o, r#"<li dir="auto">{}</li>"#, escape(k));
    }
    o.push_str("</ul>");
    let nums: [(&str, String); 12] = [
        ("episodes", num(c.episodes)),
        ("extra contacts", num(c.extra_contacts)),
        ("share", format!("{:.1}%", c.share * 100.0)),
        ("customers", num(c.customers)),
        (
            "contacts / episode",
            format!("{:.2}", c.avg_contacts_per_episode),
        ),
        ("score", format!("{:.2}", c.score)),
        ("escalated", num(c.escalated)),
        ("transferred", num(c.transferred)),
        ("reopened", num(c.reopened)),
        ("survey unresolved", num(c.survey_unresolved)),
        ("sensitive segments", num(c.sensitive_episodes)),
        ("window still open", num(c.window_open_episodes)),
    ];
    o.push_str(r#"<dl class="nums">"#);
    for (k, v) in nums {
        let _ = write!(o, "<div><dt>{k}</dt><dd>{v}</dd></div>");
    }
    o.push_str("</dl>");
    if let Some(t) = &c.trend {
        since_last_month(o, t);
    }
    let _ = write!(
        o,
        r#"<p class="sub">Score: {}</p>"#,
        escape(&c.score_explained)
    );
    o.push_str(r#"<div class="cols">"#);
    let signals: BTreeMap<String, usize> = c
        .signals
        .iter()
        .map(|(k, v)| (k.replace('_', " "), *v))
        .collect();
    top_table(o, "FCR signals", &signals, c.episodes, 6);
    top_table(o, "Channels", &c.channels, c.episodes, 5);
    top_table(o, "Teams", &c.teams, c.episodes, 5);
    // Every card's sparkline spans the month's weeks, so they compare.
    let counts: Vec<usize> = weeks
        .iter()
        .map(|w| c.weeks.get(*w).copied().unwrap_or(0))
        .collect();
    let title = weeks
        .iter()
        .zip(&counts)
        .map(|(w, n)| format!("{w}: {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = write!(
        o,
        r#"<div><h4>Episodes by week</h4>{}"#,
        svg::sparkline(&counts, &title)
    );
    if let (Some(a), Some(b)) = (weeks.first(), weeks.last()) {
        let _ = write!(
            o,
            r#"<div class="sub">{} – {}: {}</div>"#,
            escape(a),
            escape(b),
            counts
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(" · ")
        );
    }
    o.push_str("</div></div>");
    if !c.quotes.is_empty() {
        o.push_str("<h4>What customers said</h4>");
        for (id, q) in &c.quotes {
            let _ = write!(
                o,
                r#"<blockquote dir="auto">{}<cite dir="ltr">— {}</cite></blockquote>"#,
                escape(&truncate(q, 400)),
                escape(id)
            );
        }
    }
    let (search, sample) = drill_down(&r.out_dir, c);
    let _ = write!(
        o,
        r#"<h4>Drill down</h4><p class="sub">Sample contacts: <code>{}</code></p><pre><code>{}
{}</code></pre>"#,
        escape(&c.example_contact_ids.join(", ")),
        escape(&search),
        escape(&sample)
    );
}

/// A category's line against last month (`--previous`): both months'
/// episodes and shares as a two-point trend line, the test, the lineage.
fn since_last_month(o: &mut String, t: &crate::model::CategoryTrend) {
    // With the pieces that split from it this month, as the test counts.
    let now = (t.prev_episodes as i64 + t.episodes_delta).max(0);
    let share = |x: f64| format!("{:.2}%", x * 100.0);
    let test = match t.p_value {
        Some(p) if t.significant => format!("significant at 5% (adjusted p = {p:.3})"),
        Some(p) => format!("within noise (adjusted p = {p:.3})"),
        None => "not tested on its own (counted with the category it split from)".into(),
    };
    let title = format!(
        "share of the non-FCR episodes: last month {}, this month {}",
        share(t.prev_episode_share),
        share(t.episode_share)
    );
    // Shares in basis points: the line compares months of different sizes.
    let line = svg::sparkline(
        &[
            (t.prev_episode_share * 10_000.0).round() as usize,
            (t.episode_share * 10_000.0).round() as usize,
        ],
        &title,
    );
    let from = if t.matched_from.is_empty() {
        String::new()
    } else {
        format!("; continues {}", escape(&t.matched_from.join(", ")))
    };
    let _ = write!(
        o,
        r#"<div class="since" data-trend="{flag}"><h4>Since last month</h4>{line}<p class="sub">episodes {prev} → {now} ({delta:+}), share {ps} → {ns}, extra contacts {xd:+}; {test}{from}</p></div>"#,
        flag = t.flag.as_str(),
        prev = num(t.prev_episodes),
        now = num(now as usize),
        delta = t.episodes_delta,
        ps = share(t.prev_episode_share),
        ns = share(t.episode_share),
        xd = t.extra_contacts_delta,
    );
}

/// The trend flag beside a category's name (`--previous` only).
fn flag_badge(c: &RankedCategory) -> String {
    c.trend.as_ref().map_or(String::new(), |t| {
        format!(r#"<span class="flag flag-{0}">{0}</span>"#, t.flag.as_str())
    })
}

fn cards(o: &mut String, r: &Report) {
    if r.categories.is_empty() {
        return;
    }
    o.push_str(r#"<section id="categories"><h2>Every category</h2>"#);
    let weeks: Vec<&String> = r.metrics.by_week.keys().collect();
    for c in r.categories.iter().take(OPEN_CARDS) {
        let _ = write!(
            o,
            r#"<article class="card" id="{}"><h3><span class="rank">{}</span><span dir="auto">{}</span> <span class="id">{}</span>{}</h3>"#,
            escape(&c.category_id),
            c.rank,
            escape(&c.label),
            escape(&c.category_id),
            flag_badge(c)
        );
        card_body(o, r, c, &weeks);
        o.push_str("</article>");
    }
    if r.categories.len() > OPEN_CARDS {
        let rest = &r.categories[OPEN_CARDS..];
        let _ = write!(
            o,
            r#"<details class="more" id="more-categories"><summary>{} more categories (ranks {}–{}), {} extra contacts</summary>"#,
            num(rest.len()),
            OPEN_CARDS + 1,
            r.categories.len(),
            num(rest.iter().map(|c| c.extra_contacts).sum())
        );
        for c in rest {
            let _ = write!(
                o,
                r#"<details class="card" id="{}"><summary><span class="rank">{}</span><span dir="auto">{}</span> <span class="id">{}</span>{} — {} extra contacts, {} episodes</summary>"#,
                escape(&c.category_id),
                c.rank,
                escape(&c.label),
                escape(&c.category_id),
                flag_badge(c),
                num(c.extra_contacts),
                num(c.episodes)
            );
            card_body(o, r, c, &weeks);
            o.push_str("</details>");
        }
        o.push_str("</details>");
    }
    o.push_str("</section>");
}

/// "What changed since last month": first in the page (`--previous`).
fn changes(o: &mut String, ch: &crate::trend::Changes) {
    use super::{p_text, points};
    o.push_str(r#"<section id="changes"><h2>What changed since last month</h2>"#);
    let _ = write!(
        o,
        r#"<p>Compared with <code>{}</code> ({} to {}): {} non-FCR episodes clustered now, {} then; categories matched by {}.</p>"#,
        escape(&ch.previous_out_dir),
        escape(&ch.previous_data_start.chars().take(10).collect::<String>()),
        escape(&ch.previous_data_end.chars().take(10).collect::<String>()),
        num(ch.reasons),
        num(ch.prev_reasons),
        escape(&ch.matched_by)
    );
    if let Some(w) = &ch.warning {
        let _ = write!(
            o,
            r#"<p class="warning" role="alert">Warning: {}</p>"#,
            escape(w)
        );
    }
    let f = &ch.fcr.overall;
    let moved: Vec<String> = ch
        .fcr
        .by_channel
        .iter()
        .map(|g| ("channel", g))
        .chain(ch.fcr.by_team.iter().map(|g| ("team", g)))
        .filter(|(_, g)| g.significant)
        .map(|(what, g)| format!("{what} {} {}", key_name(&g.key), points(g.delta)))
        .collect();
    let _ = write!(
        o,
        r#"<ul><li><strong>FCR:</strong> {} → {} ({}, {}, {})</li><li><strong>FCR by channel/team, significant moves:</strong> {}</li></ul>"#,
        pct(f.prev_fcr_rate),
        pct(f.fcr_rate),
        escape(&points(f.delta)),
        escape(&p_text(f.p_value)),
        if f.significant {
            "significant"
        } else {
            "not significant"
        },
        if moved.is_empty() {
            "none".to_string()
        } else {
            escape(&moved.join(", "))
        }
    );
    let list = |o: &mut String, id: &str, title: &str, v: &[crate::trend::ChangedCategory]| {
        let _ = write!(o, r#"<h3>{} ({})</h3>"#, escape(title), v.len());
        if v.is_empty() {
            o.push_str("<p>None.</p>");
            return;
        }
        let _ = write!(
            o,
            r#"<table id="{id}"><thead><tr><th>category</th><th class="n">episodes now</th><th class="n">last month</th><th class="n">change</th><th class="n">share now</th><th class="n">share then</th><th>test</th><th>from</th></tr></thead><tbody>"#
        );
        for c in v.iter().take(10) {
            let _ = write!(
                o,
                r#"<tr><td dir="auto">{} <code>{}</code></td><td class="n">{}</td><td class="n">{}</td><td class="n">{:+}</td><td class="n">{:.1}%</td><td class="n">{:.1}%</td><td>{}</td><td>{}</td></tr>"#,
                escape(&c.label),
                escape(&c.category_id),
                num(c.episodes),
                num(c.prev_episodes),
                c.episodes_delta,
                c.episode_share * 100.0,
                c.prev_episode_share * 100.0,
                escape(&p_text(c.p_value)),
                escape(&c.matched_from.join(" + "))
            );
        }
        o.push_str("</tbody></table>");
    };
    list(o, "changes-new", "New issues", &ch.new);
    list(
        o,
        "changes-rising",
        "Biggest significant risers",
        &ch.rising,
    );
    list(
        o,
        "changes-falling",
        "Biggest significant fallers",
        &ch.falling,
    );
    let _ = write!(
        o,
        "<h3>Vanished issues — did a fix land? ({})</h3>",
        ch.vanished.len()
    );
    if ch.vanished.is_empty() {
        o.push_str("<p>None.</p>");
    } else {
        o.push_str(r#"<table id="changes-vanished"><thead><tr><th>category</th><th class="n">episodes last month</th><th class="n">extra contacts last month</th><th>keywords</th><th>test</th></tr></thead><tbody>"#);
        for v in ch.vanished.iter().take(10) {
            let _ = write!(
                o,
                r#"<tr><td dir="auto">{} <code>{}</code></td><td class="n">{}</td><td class="n">{}</td><td dir="auto">{}</td><td>{}</td></tr>"#,
                escape(&v.label),
                escape(&v.category_id),
                num(v.prev_episodes),
                num(v.prev_extra_contacts),
                escape(&v.keywords.join(", ")),
                escape(&p_text(v.p_value))
            );
        }
        o.push_str("</tbody></table>");
    }
    if !ch.split.is_empty() || !ch.merged.is_empty() {
        o.push_str("<h3>Splits and merges</h3><ul>");
        for c in &ch.split {
            let _ = write!(
                o,
                r#"<li dir="auto">{} <code>{}</code> split from {}</li>"#,
                escape(&c.label),
                escape(&c.category_id),
                escape(&c.matched_from.join(", "))
            );
        }
        for c in &ch.merged {
            let _ = write!(
                o,
                r#"<li dir="auto">{} <code>{}</code> merged {}</li>"#,
                escape(&c.label),
                escape(&c.category_id),
                escape(&c.matched_from.join(" + "))
            );
        }
        o.push_str("</ul>");
    }
    if !ch.known_without_cases.is_empty() {
        let _ = write!(
            o,
            "<p>Known categories with no case this month: {}.</p>",
            escape(&ch.known_without_cases.join(", "))
        );
    }
    let _ = write!(
        o,
        r#"<p class="sub">Test: {}.</p></section>"#,
        escape(&ch.test)
    );
}

fn group_table(o: &mut String, id: &str, what: &str, m: &BTreeMap<String, GroupMetrics>) {
    let _ = write!(
        o,
        r#"<table id="{id}"><thead><tr><th>{what}</th><th class="n">episodes</th><th class="n">measured</th><th class="n">FCR</th><th class="n">FCR rate</th><th class="n">contacts / resolved issue</th><th class="n">customers ≥ 2 contacts</th></tr></thead><tbody>"#
    );
    for (k, g) in m {
        let _ = write!(
            o,
            r#"<tr><td dir="auto">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            escape(key_name(k)),
            num(g.episodes),
            num(g.measured_episodes),
            num(g.fcr_episodes),
            pct(g.fcr_rate),
            opt2(g.avg_contacts_per_resolved_issue),
            pct(g.repeat_customer_share)
        );
    }
    o.push_str("</tbody></table>");
}

/// The groups with the most episodes, for a chart that stays readable.
fn chart_rows(m: &BTreeMap<String, GroupMetrics>, n: usize) -> Vec<(String, Option<f64>)> {
    let mut v: Vec<(&String, &GroupMetrics)> = m.iter().collect();
    v.sort_by(|a, b| b.1.episodes.cmp(&a.1.episodes).then(a.0.cmp(b.0)));
    v.into_iter()
        .take(n)
        .map(|(k, g)| (key_name(k).to_string(), g.fcr_rate))
        .collect()
}

fn fcr_breakdown(o: &mut String, r: &Report) {
    let m = r.metrics;
    o.push_str(r#"<section id="fcr-breakdown"><h2>FCR by channel, team and week</h2>"#);
    for (id, what, map) in [
        ("channel", "Channel", &m.by_channel),
        ("team", "Team", &m.by_team),
    ] {
        let _ = write!(o, "<h3>By {}</h3>", what.to_lowercase());
        if map.len() > 25 {
            let _ = write!(
                o,
                r#"<p class="sub">The chart shows the 25 {}s with the most episodes; the table has all {}.</p>"#,
                what.to_lowercase(),
                map.len()
            );
        }
        o.push_str(&svg::rate_bars(
            &format!("fcr-by-{id}-chart"),
            &format!("FCR rate by {}", what.to_lowercase()),
            &chart_rows(map, 25),
        ));
        group_table(o, &format!("fcr-by-{id}"), what, map);
    }
    o.push_str("<h3>By week</h3>");
    let weeks: Vec<(String, Option<f64>)> = m
        .by_week
        .iter()
        .map(|(k, g)| (k.clone(), g.fcr_rate))
        .collect();
    o.push_str(&svg::rate_line(
        "fcr-by-week-chart",
        "FCR rate by ISO week of the first contact",
        &weeks,
    ));
    o.push_str(r#"<p class="sub">Weeks whose episodes' outcome is not yet known (repeat window still open) have no point.</p>"#);
    group_table(o, "fcr-by-week", "ISO week", &m.by_week);
    o.push_str("</section>");
}

fn settings(o: &mut String, r: &Report) {
    let m = r.metrics;
    let s = &m.settings;
    let i = &m.input;
    o.push_str(r#"<section id="settings"><h2>Settings and data quality</h2>"#);
    if let Some(w) = &r.embedder_warning {
        let _ = write!(
            o,
            r#"<p class="warning" role="alert">Lexical fallback: {}</p>"#,
            escape(w)
        );
    }
    let _ = write!(
        o,
        r#"<h3>Input</h3><table id="input"><tbody><tr><th>files read</th><td class="n">{}</td></tr><tr><th>rows read</th><td class="n">{}</td></tr><tr><th>rows accepted</th><td class="n">{}</td></tr><tr><th>rows rejected (see rejected.csv)</th><td class="n">{}</td></tr><tr><th>anonymous contacts</th><td class="n">{}</td></tr><tr><th>contacts without text</th><td class="n">{}</td></tr></tbody></table>"#,
        num(i.files_read),
        num(i.rows_read as usize),
        num(i.rows_accepted as usize),
        num(i.rows_rejected as usize),
        num(i.anonymous_contacts as usize),
        num(i.empty_text_contacts as usize)
    );
    if !i.files_empty.is_empty() {
        let _ = write!(
            o,
            r#"<p class="sub">Empty files: <span dir="auto">{}</span></p>"#,
            escape(&i.files_empty.join(", "))
        );
    }
    for (title, id, map) in [
        ("Rejected rows by reason", "rejected", &i.rejected_by_reason),
        (
            "Optional values that could not be read (kept empty)",
            "ignored",
            &i.ignored_values,
        ),
    ] {
        if map.is_empty() {
            continue;
        }
        let _ = write!(o, r#"<h4>{title}</h4><table id="{id}"><tbody>"#);
        for (k, v) in map {
            let _ = write!(
                o,
                r#"<tr><td>{}</td><td class="n">{}</td></tr>"#,
                escape(&k.replace('_', " ")),
                num(*v as usize)
            );
        }
        o.push_str("</tbody></table>");
    }
    let basis = match s.fcr_basis {
        crate::settings::FcrBasis::Contact => "contact (any repeat breaks FCR)".to_string(),
        crate::settings::FcrBasis::Handler => format!(
            "handler (repeats handled by the same {} do not break FCR)",
            super::json::enum_name(&s.handler_level)
        ),
        crate::settings::FcrBasis::Deadline => format!(
            "deadline (repeats before the {} promise are chases)",
            format_duration(s.promise_secs)
        ),
    };
    let rows: [(&str, String); 9] = [
        ("embedder / model", r.embedder.clone()),
        ("repeat window", format_duration(s.repeat_window_secs)),
        ("FCR basis", basis),
        ("same issue by", super::json::enum_name(&s.same_issue)),
        (
            "FCR signals",
            s.fcr_signals
                .iter()
                .map(|x| x.as_str().replace('_', " "))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("time zone", s.timezone.clone()),
        (
            "categorised",
            format!(
                "{} (minimum category size {})",
                super::json::enum_name(&s.categorise),
                s.min_category_size
            ),
        ),
        ("ranked by", super::json::enum_name(&s.rank_by)),
        ("seed", s.seed.to_string()),
    ];
    o.push_str(r#"<h3>Settings</h3><table id="run-settings"><tbody>"#);
    for (k, v) in rows {
        let _ = write!(o, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(&v));
    }
    o.push_str("</tbody></table></section>");
}

/// The whole page. Deterministic: no clock, no random ids.
pub fn render_html(r: &Report) -> String {
    let m = r.metrics;
    let day = |s: &str| s.chars().take(10).collect::<String>();
    let title = format!(
        "Why customers came back — {} to {}",
        day(&m.data_start),
        day(&m.data_end)
    );
    let mut o = String::with_capacity(64 * 1024 + r.categories.len() * 4096);
    let _ = write!(
        o,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="recontact {}">
<title>{}</title>
<style>
{}</style>
</head>
<body>
<main>
<header><h1>{}</h1><p class="sub">First contact resolution and the reasons behind repeat contacts · output folder <code>{}</code></p></header>
"#,
        env!("CARGO_PKG_VERSION"),
        escape(&title),
        CSS,
        escape(&title),
        escape(&r.out_dir)
    );
    if let Some(w) = &r.embedder_warning {
        let _ = write!(
            o,
            r#"<p class="warning" role="alert">Warning: {}</p>"#,
            escape(w)
        );
    }
    if let Some(ch) = r.changes {
        changes(&mut o, ch);
    }
    headline(&mut o, r);
    pareto(&mut o, r);
    top10(&mut o, r);
    cards(&mut o, r);
    fcr_breakdown(&mut o, r);
    settings(&mut o, r);
    let _ = write!(
        o,
        "<footer>recontact {} · the same data as report.md and report.json (schema version {})</footer>\n</main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        super::json::SCHEMA_VERSION
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    fn well_formed(h: &str) {
        assert!(h.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(h.ends_with("</html>\n"));
        assert!(h.contains(r#"<meta charset="utf-8">"#));
        assert!(h.contains("Content-Security-Policy"));
        // Self-contained: nothing to fetch, nothing to run.
        for bad in [
            "<script",
            "<img",
            "<link",
            "<iframe",
            "<object",
            "<embed",
            "href=\"http",
            "url(",
            "@import",
        ] {
            assert!(!h.contains(bad), "{bad} in the page");
        }
        let opened = |tag: &str| {
            h.matches(&format!("<{tag}>")).count() + h.matches(&format!("<{tag} ")).count()
        };
        for tag in [
            "section",
            "table",
            "svg",
            "details",
            "article",
            "tr",
            "blockquote",
        ] {
            assert_eq!(
                opened(tag),
                h.matches(&format!("</{tag}>")).count(),
                "<{tag}> opened and closed alike"
            );
        }
    }

    /// The part of the page between `from` and the next `</{tag}>`.
    fn part<'a>(h: &'a str, from: &str, tag: &str) -> &'a str {
        let start = h.find(from).unwrap_or_else(|| panic!("{from} not found"));
        let end = h[start..].find(&format!("</{tag}>")).unwrap();
        &h[start..start + end]
    }

    #[test]
    fn month_without_non_fcr_episodes() {
        let m = fixtures::metrics();
        let mut r = fixtures::report(&m, &[]);
        r.reasons = 0;
        r.uncategorised = 0;
        let h = render_html(&r);
        well_formed(&h);
        assert!(h.contains("No recurring reason: 0 non-FCR episodes."));
        assert!(!h.contains(r#"id="pareto""#));
        assert!(!h.contains(r#"id="top10""#));
        assert!(!h.contains(r#"id="categories""#));
        // The FCR figures are still there.
        assert!(h.contains(r#"id="headline""#));
        assert!(h.contains(r#"id="fcr-by-channel""#));
        assert!(h.contains(r#"id="fcr-by-week-chart""#));
        assert!(h.contains("rows rejected"));
        assert!(h.contains("bad timestamp"));
    }

    #[test]
    fn one_category() {
        let m = fixtures::metrics();
        let cats = fixtures::categories(1);
        let h = render_html(&fixtures::report(&m, &cats));
        well_formed(&h);
        let pareto = part(&h, r#"<svg id="pareto""#, "svg");
        assert_eq!(pareto.matches(r#"<rect class="bar""#).count(), 1);
        let top = part(&h, r#"<table id="top10""#, "table");
        assert_eq!(top.matches("<tr>").count(), 2, "header and one row");
        assert_eq!(h.matches(r#"<article class="card""#).count(), 1);
        assert!(h.contains(r#"id="CAT-0001""#));
        assert!(!h.contains("<details"));
        // The drill-down commands name the output folder and the category.
        assert!(h.contains("recontact search out/2026-10 --category CAT-0001 --non-fcr card"));
        assert!(h.contains("recontact sample out/2026-10 --category CAT-0001"));
        assert!(h.contains("[PHONE]"), "quotes come masked");
        // Headline figures.
        for k in [
            "First contact resolution",
            "Extra contacts",
            "Contacts per resolved issue",
            "Customers needing ≥ 2 contacts",
            "FCR: survey vs CRM",
            "Censored episodes",
        ] {
            assert!(h.contains(k), "{k}");
        }
        assert!(!h.contains(r#"class="warning""#));
    }

    #[test]
    fn a_thousand_categories_collapse_beyond_the_top_30() {
        let m = fixtures::metrics();
        let cats = fixtures::categories(1000);
        let t = std::time::Instant::now();
        let h = render_html(&fixtures::report(&m, &cats));
        let took = t.elapsed();
        assert!(took.as_secs_f64() < 5.0, "rendering took {took:?}");
        assert!(h.len() < 8 << 20, "page is {} bytes", h.len());
        well_formed(&h);
        assert_eq!(h.matches(r#"<article class="card""#).count(), OPEN_CARDS);
        let more = h
            .find(r#"<details class="more" id="more-categories">"#)
            .unwrap();
        assert!(h[..more].contains(r#"id="CAT-0030""#));
        assert!(!h[..more].contains(r#"id="CAT-0031""#));
        assert!(h[more..].contains(r#"<details class="card" id="CAT-0031">"#));
        assert!(h[more..].contains(r#"<details class="card" id="CAT-1000">"#));
        assert_eq!(h.matches(r#"<details class="card""#).count(), 970);
        assert!(
            !h.contains("<details open") && !h.contains(" open>"),
            "collapsed"
        );
        assert!(h.contains("970 more categories (ranks 31–1000)"));
        // The chart keeps the top 20 bars.
        let pareto = part(&h, r#"<svg id="pareto""#, "svg");
        assert_eq!(pareto.matches(r#"<rect class="bar""#).count(), 20);
        assert!(h.contains("the other 980 categories have"));
        // The top-10 table stays ten rows.
        let top = part(&h, r#"<table id="top10""#, "table");
        assert_eq!(top.matches("<tr>").count(), 11);
    }

    #[test]
    fn chinese_and_hebrew_names_keep_their_script_and_direction() {
        let m = fixtures::metrics();
        let mut cats = vec![
            fixtures::category(0, "退款 没有 到账", &["退款", "到账"], "我的退款还没有到账"),
            fixtures::category(
                1,
                "הכרטיס לא הגיע",
                &["הכרטיס", "הגיע"],
                "הכרטיס החדש שלי לא הגיע בדואר",
            ),
        ];
        cats[0].share = 0.5;
        cats[1].share = 0.5;
        let h = render_html(&fixtures::report(&m, &cats));
        well_formed(&h);
        for s in [
            r#"<span dir="auto">退款 没有 到账</span>"#,
            r#"<span dir="auto">הכרטיס לא הגיע</span>"#,
            r#"<li dir="auto">退款</li>"#,
            r#"<li dir="auto">הכרטיס</li>"#,
            r#"<blockquote dir="auto">הכרטיס החדש שלי לא הגיע בדואר"#,
            r#"<blockquote dir="auto">我的退款还没有到账"#,
            r#"<q dir="auto">我的退款还没有到账</q>"#,
            r##"<a href="#CAT-0002" dir="auto">הכרטיס לא הגיע</a>"##,
        ] {
            assert!(h.contains(s), "{s}");
        }
        // Fonts that have the glyphs, wherever the page is opened.
        for f in [
            "Noto Sans CJK SC",
            "Microsoft YaHei",
            "PingFang SC",
            "Noto Sans Hebrew",
            "Arial Hebrew",
        ] {
            assert!(h.contains(f), "{f}");
        }
        // The search keyword is quoted for the shell, whatever its script.
        assert!(h.contains("--non-fcr 退款") || h.contains("--non-fcr &#39;退款&#39;"));
    }

    #[test]
    fn user_text_is_escaped_and_fallback_is_flagged() {
        let m = fixtures::metrics();
        let mut cats = fixtures::categories(1);
        cats[0].label = "<script>alert('x')</script> & co".into();
        cats[0].keywords = vec!["\"quoted\"".into()];
        cats[0].quotes = vec![("c1".into(), "<img src=x onerror=alert(1)>".into())];
        let mut r = fixtures::report(&m, &cats);
        r.embedder_warning = Some("no model in models/x — lexical fallback".into());
        r.out_dir = "my out/<month>".into();
        let h = render_html(&r);
        well_formed(&h);
        assert!(h.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"));
        assert!(h.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(h.contains(r#"<p class="warning" role="alert">Warning: no model in models/x"#));
        assert!(h.contains("recontact sample &#39;my out/&lt;month&gt;&#39; --category CAT-0001"));
    }

    #[test]
    fn same_report_same_bytes() {
        let m = fixtures::metrics();
        let cats = fixtures::categories(40);
        let a = render_html(&fixtures::report(&m, &cats));
        let b = render_html(&fixtures::report(&m, &cats));
        assert_eq!(a, b);
    }
}
