//! "What changed since last month" in report.html (`--previous` only).

use std::fmt::Write as _;

use super::{key_name, num};
use crate::report::{escape, pct};

/// "What changed since last month": first in the page (`--previous`).
pub(super) fn changes(o: &mut String, ch: &crate::trend::Changes) {
    use crate::report::{p_text, points};
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
