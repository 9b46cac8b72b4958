//! FCR by channel, team and week in report.html: a chart and a table each.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{key_name, num, opt2};
use crate::metrics::GroupMetrics;
use crate::report::svg;
use crate::report::{escape, pct, Report};

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

pub(super) fn fcr_breakdown(o: &mut String, r: &Report) {
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
