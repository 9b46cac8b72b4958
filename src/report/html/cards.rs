//! The category cards of report.html: one per category, the first
//! [`OPEN_CARDS`](super::OPEN_CARDS) open, the rest collapsed.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{key_name, num, OPEN_CARDS};
use crate::rank::RankedCategory;
use crate::report::svg;
use crate::report::{drill_down, escape, truncate, Report};

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
    if !c.theme_id.is_empty() {
        let _ = write!(
            o,
            r#"<p class="sub">Theme: <span dir="auto">{}</span> <span class="id">{}</span></p>"#,
            escape(&c.theme),
            escape(&c.theme_id)
        );
    }
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

pub(super) fn cards(o: &mut String, r: &Report) {
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
