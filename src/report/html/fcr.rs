//! FCR by channel, team and week in report.html: a chart and a table each.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{head_cells, key_name, opt2};
use crate::metrics::GroupMetrics;
use crate::report::i18n::{trh, Messages};
use crate::report::svg;
use crate::report::{escape, Report};

fn group_table(
    o: &mut String,
    t: &Messages,
    id: &str,
    what: &str,
    m: &BTreeMap<String, GroupMetrics>,
) {
    let _ = write!(
        o,
        r#"<table id="{id}"><thead><tr>{}</tr></thead><tbody>"#,
        head_cells(
            t,
            &[
                ("", what),
                ("n", "col.episodes"),
                ("n", "fcr.measured"),
                ("n", "fcr.fcr"),
                ("n", "fcr.rate"),
                ("n", "fcr.per_resolved"),
                ("n", "fcr.repeat_customers"),
            ]
        )
    );
    for (k, g) in m {
        let _ = write!(
            o,
            r#"<tr><td dir="auto">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            escape(key_name(t, k)),
            t.num(g.episodes),
            t.num(g.measured_episodes),
            t.num(g.fcr_episodes),
            t.pct(g.fcr_rate),
            opt2(t, g.avg_contacts_per_resolved_issue),
            t.pct(g.repeat_customer_share)
        );
    }
    o.push_str("</tbody></table>");
}

/// The groups with the most episodes, for a chart that stays readable.
fn chart_rows(
    t: &Messages,
    m: &BTreeMap<String, GroupMetrics>,
    n: usize,
) -> Vec<(String, Option<f64>)> {
    let mut v: Vec<(&String, &GroupMetrics)> = m.iter().collect();
    v.sort_by(|a, b| b.1.episodes.cmp(&a.1.episodes).then(a.0.cmp(b.0)));
    v.into_iter()
        .take(n)
        .map(|(k, g)| (key_name(t, k).to_string(), g.fcr_rate))
        .collect()
}

pub(super) fn fcr_breakdown(o: &mut String, r: &Report) {
    let m = r.metrics;
    let t = r.messages();
    let _ = write!(
        o,
        r#"<section id="fcr-breakdown"><h2>{}</h2>"#,
        trh!(t, "fcr.title")
    );
    for (id, what, map) in [
        ("channel", "fcr.channel", &m.by_channel),
        ("team", "fcr.team", &m.by_team),
    ] {
        let _ = write!(o, "<h3>{}</h3>", t.html(&format!("{what}_by"), &[]));
        if map.len() > 25 {
            let _ = write!(
                o,
                r#"<p class="sub">{}</p>"#,
                t.html(&format!("{what}_chart_top"), &[("n", &map.len())])
            );
        }
        o.push_str(&svg::rate_bars(
            t,
            &format!("fcr-by-{id}-chart"),
            t.get(&format!("{what}_chart")),
            &chart_rows(t, map, 25),
        ));
        group_table(o, t, &format!("fcr-by-{id}"), what, map);
    }
    let _ = write!(o, "<h3>{}</h3>", trh!(t, "fcr.week_by"));
    let weeks: Vec<(String, Option<f64>)> = m
        .by_week
        .iter()
        .map(|(k, g)| (k.clone(), g.fcr_rate))
        .collect();
    o.push_str(&svg::rate_line(
        "fcr-by-week-chart",
        t.get("fcr.week_chart"),
        &weeks,
    ));
    let _ = write!(o, r#"<p class="sub">{}</p>"#, trh!(t, "fcr.week_gaps"));
    group_table(o, t, "fcr-by-week", "fcr.week", &m.by_week);
    o.push_str("</section>");
}
