//! The category cards of report.html: one per category, the first
//! [`OPEN_CARDS`](super::OPEN_CARDS) open, the rest collapsed.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{key_name, OPEN_CARDS};
use crate::rank::RankedCategory;
use crate::report::i18n::{tr, trh, Messages};
use crate::report::svg;
use crate::report::{drill_down, escape, truncate, Report};

/// A small table of the largest entries of a count map.
fn top_table(
    o: &mut String,
    t: &Messages,
    title: &str,
    m: &BTreeMap<String, usize>,
    total: usize,
    n: usize,
) {
    let mut v: Vec<(&String, &usize)> = m.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let _ = write!(o, r#"<div><h4>{}</h4><table><tbody>"#, escape(title));
    if v.is_empty() {
        let _ = write!(o, r#"<tr><td>{}</td></tr>"#, trh!(t, "common.none"));
    }
    for (k, c) in v.iter().take(n) {
        let _ = write!(
            o,
            r#"<tr><td dir="auto">{}</td><td class="n">{}</td><td class="n">{:.0}%</td></tr>"#,
            escape(key_name(t, k)),
            t.num(**c),
            **c as f64 / total.max(1) as f64 * 100.0
        );
    }
    if v.len() > n {
        let _ = write!(
            o,
            r#"<tr><td colspan="3" class="sub">{}</td></tr>"#,
            trh!(t, "card.and_more", n = v.len() - n)
        );
    }
    o.push_str("</tbody></table></div>");
}

fn card_body(o: &mut String, r: &Report, c: &RankedCategory, weeks: &[&String]) {
    let t = r.messages();
    let num = |n: usize| t.num(n);
    if !c.theme_id.is_empty() {
        let _ = write!(
            o,
            r#"<p class="sub">{}</p>"#,
            trh!(
                t,
                "card.theme",
                theme = format!(
                    r#"<span dir="auto">{}</span> <span class="id">{}</span>"#,
                    escape(&c.theme),
                    escape(&c.theme_id)
                )
            )
        );
    }
    o.push_str(r#"<ul class="kw">"#);
    for k in &c.keywords {
        let _ = write!(o, r#"<li dir="auto">{}</li>"#, escape(k));
    }
    o.push_str("</ul>");
    let nums: [(&str, String); 13] = [
        ("col.episodes", num(c.episodes)),
        ("col.extra", num(c.extra_contacts)),
        ("col.share", format!("{:.1}%", c.share * 100.0)),
        ("col.customers", num(c.customers)),
        (
            "card.per_episode",
            format!("{:.2}", c.avg_contacts_per_episode),
        ),
        ("card.score_short", format!("{:.2}", c.score)),
        (
            "card.name_said",
            match c.category_index {
                Some(_) => format!("{:.0}%", c.name_said_by * 100.0),
                None => "—".to_string(),
            },
        ),
        ("signal.escalated", num(c.escalated)),
        ("signal.transferred", num(c.transferred)),
        ("signal.reopened", num(c.reopened)),
        ("signal.survey_unresolved", num(c.survey_unresolved)),
        ("card.sensitive", num(c.sensitive_episodes)),
        ("card.window_open", num(c.window_open_episodes)),
    ];
    o.push_str(r#"<dl class="nums">"#);
    for (k, v) in nums {
        let _ = write!(o, "<div><dt>{}</dt><dd>{v}</dd></div>", t.html(k, &[]));
    }
    o.push_str("</dl>");
    if let Some(trend) = &c.trend {
        since_last_month(o, t, trend);
    }
    let _ = write!(
        o,
        r#"<p class="sub">{}</p>"#,
        trh!(
            t,
            "card.score",
            why = escape(&crate::report::score_explained(t, c))
        )
    );
    o.push_str(r#"<div class="cols">"#);
    let signals: BTreeMap<String, usize> = c
        .signals
        .iter()
        .map(|(k, v)| (t.term("signal", k), *v))
        .collect();
    top_table(o, t, tr!(t, "card.signals"), &signals, c.episodes, 6);
    top_table(o, t, tr!(t, "card.channels"), &c.channels, c.episodes, 5);
    top_table(o, t, tr!(t, "card.teams"), &c.teams, c.episodes, 5);
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
        r#"<div><h4>{}</h4>{}"#,
        trh!(t, "card.by_week"),
        svg::sparkline(&counts, &title)
    );
    if let (Some(a), Some(b)) = (weeks.first(), weeks.last()) {
        let _ = write!(
            o,
            r#"<div class="sub" dir="ltr">{} – {}: {}</div>"#,
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
        let _ = write!(o, "<h4>{}</h4>", trh!(t, "card.said"));
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
        r#"<div class="drill"><h4>{}</h4><p class="sub">{}</p><pre><code>{}
{}</code></pre></div>"#,
        trh!(t, "card.drill_down"),
        trh!(
            t,
            "card.sample",
            ids = format!("<code>{}</code>", escape(&c.example_contact_ids.join(", ")))
        ),
        escape(&search),
        escape(&sample)
    );
}

/// A category's line against last month (`--previous`): both months'
/// episodes and shares as a two-point trend line, the test, the lineage.
fn since_last_month(o: &mut String, m: &Messages, t: &crate::model::CategoryTrend) {
    // With the pieces that split from it this month, as the test counts.
    let now = (t.prev_episodes as i64 + t.episodes_delta).max(0);
    let share = |x: f64| format!("{:.2}%", x * 100.0);
    let test = match t.p_value {
        Some(p) if t.significant => tr!(m, "card.significant", p = format!("{p:.3}")),
        Some(p) => tr!(m, "card.noise", p = format!("{p:.3}")),
        None => tr!(m, "card.not_tested").to_string(),
    };
    let title = tr!(
        m,
        "card.share_title",
        then = share(t.prev_episode_share),
        now = share(t.episode_share)
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
        trh!(
            m,
            "card.continues",
            ids = escape(&t.matched_from.join(", "))
        )
    };
    let _ = write!(
        o,
        r#"<div class="since" data-trend="{flag}"><h4>{title}</h4>{line}<p class="sub">{figures}{from}</p></div>"#,
        flag = t.flag.as_str(),
        title = trh!(m, "card.since"),
        figures = trh!(
            m,
            "card.since_figures",
            prev = m.num(t.prev_episodes),
            now = m.num(now as usize),
            delta = m.ltr(&format!("{:+}", t.episodes_delta)),
            ps = share(t.prev_episode_share),
            ns = share(t.episode_share),
            xd = m.ltr(&format!("{:+}", t.extra_contacts_delta)),
            test = escape(&test)
        ),
    );
}

/// The trend flag beside a category's name (`--previous` only).
fn flag_badge(m: &Messages, c: &RankedCategory) -> String {
    c.trend.as_ref().map_or(String::new(), |t| {
        format!(
            r#"<span class="flag flag-{}">{}</span>"#,
            t.flag.as_str(),
            escape(&m.term("flag", t.flag.as_str()))
        )
    })
}

pub(super) fn cards(o: &mut String, r: &Report) {
    if r.categories.is_empty() {
        return;
    }
    let m = r.messages();
    let _ = write!(
        o,
        r#"<section id="categories"><h2>{}</h2><p class="sub print-only">{}</p>"#,
        trh!(m, "card.title"),
        trh!(m, "card.printed")
    );
    let weeks: Vec<&String> = r.metrics.by_week.keys().collect();
    for c in r.categories.iter().take(OPEN_CARDS) {
        let _ = write!(
            o,
            r#"<article class="card" id="{}"><h3><span class="rank">{}</span><span dir="auto">{}</span> <span class="id">{}</span>{}</h3>"#,
            escape(&c.category_id),
            c.rank,
            escape(&c.label),
            escape(&c.category_id),
            flag_badge(m, c)
        );
        card_body(o, r, c, &weeks);
        o.push_str("</article>");
    }
    if r.categories.len() > OPEN_CARDS {
        let rest = &r.categories[OPEN_CARDS..];
        let _ = write!(
            o,
            r#"<details class="more" id="more-categories"><summary>{}</summary>"#,
            trh!(
                m,
                "card.more",
                n = m.num(rest.len()),
                range = m.ltr(&format!("{}–{}", OPEN_CARDS + 1, r.categories.len())),
                extra = m.num(rest.iter().map(|c| c.extra_contacts).sum())
            )
        );
        for c in rest {
            let _ = write!(
                o,
                r#"<details class="card" id="{}"><summary><span class="rank">{}</span><span dir="auto">{}</span> <span class="id">{}</span>{} — {}</summary>"#,
                escape(&c.category_id),
                c.rank,
                escape(&c.label),
                escape(&c.category_id),
                flag_badge(m, c),
                trh!(
                    m,
                    "card.collapsed",
                    extra = m.num(c.extra_contacts),
                    episodes = m.num(c.episodes)
                )
            );
            card_body(o, r, c, &weeks);
            o.push_str("</details>");
        }
        o.push_str("</details>");
    }
    o.push_str("</section>");
}
