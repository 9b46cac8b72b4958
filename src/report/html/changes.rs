//! "What changed since last month" in report.html (`--previous` only).

use std::fmt::Write as _;

use super::{head_cells, key_name};
use crate::report::escape;
use crate::report::i18n::{trh, Messages};

/// "What changed since last month": first in the page (`--previous`).
pub(super) fn changes(o: &mut String, m: &Messages, ch: &crate::trend::Changes) {
    use crate::report::{p_text, points};
    let num = |n: usize| m.num(n);
    let _ = write!(
        o,
        r#"<section id="changes"><h2>{}</h2>"#,
        trh!(m, "changes.title")
    );
    let _ = write!(
        o,
        "<p>{}</p>",
        trh!(
            m,
            "changes.compared",
            previous = format!("<code>{}</code>", escape(&ch.previous_out_dir)),
            start = escape(&m.date(&ch.previous_data_start)),
            end = escape(&m.date(&ch.previous_data_end)),
            now = num(ch.reasons),
            then = num(ch.prev_reasons),
            by = escape(&m.term("matched_by", &ch.matched_by))
        )
    );
    if let Some(w) = &ch.warning {
        let _ = write!(
            o,
            r#"<p class="warning" role="alert">{}</p>"#,
            trh!(m, "page.warning", warning = escape(w))
        );
    }
    let f = &ch.fcr.overall;
    let moved: Vec<String> = ch
        .fcr
        .by_channel
        .iter()
        .map(|g| ("changes.channel", g))
        .chain(ch.fcr.by_team.iter().map(|g| ("changes.team", g)))
        .filter(|(_, g)| g.significant)
        .map(|(what, g)| {
            m.fmt(
                what,
                &[
                    ("name", &key_name(m, &g.key)),
                    ("delta", &points(m, g.delta)),
                ],
            )
        })
        .collect();
    let _ = write!(
        o,
        r#"<ul><li><strong>{}</strong> {}</li><li><strong>{}</strong> {}</li></ul>"#,
        trh!(m, "changes.fcr_label"),
        trh!(
            m,
            "changes.fcr",
            then = m.pct(f.prev_fcr_rate),
            now = m.pct(f.fcr_rate),
            delta = escape(&points(m, f.delta)),
            p = escape(&p_text(m, f.p_value)),
            verdict = if f.significant {
                trh!(m, "changes.significant")
            } else {
                trh!(m, "changes.not_significant")
            }
        ),
        trh!(m, "changes.moves_label"),
        if moved.is_empty() {
            trh!(m, "common.none")
        } else {
            escape(&moved.join(m.get("common.list_sep")))
        }
    );
    let list = |o: &mut String, id: &str, title: &str, v: &[crate::trend::ChangedCategory]| {
        let _ = write!(o, r#"<h3>{}</h3>"#, m.html(title, &[("n", &v.len())]));
        if v.is_empty() {
            let _ = write!(o, "<p>{}</p>", trh!(m, "common.none_sentence"));
            return;
        }
        let _ = write!(
            o,
            r#"<table id="{id}"><thead><tr>{}</tr></thead><tbody>"#,
            head_cells(
                m,
                &[
                    ("", "col.category"),
                    ("n", "changes.col_now"),
                    ("n", "changes.col_last_month"),
                    ("n", "changes.col_change"),
                    ("n", "changes.col_share_now"),
                    ("n", "changes.col_share_then"),
                    ("", "changes.col_test"),
                    ("", "changes.col_from"),
                ]
            )
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
                escape(&p_text(m, c.p_value)),
                escape(&c.matched_from.join(" + "))
            );
        }
        o.push_str("</tbody></table>");
    };
    list(o, "changes-new", "changes.new", &ch.new);
    list(o, "changes-rising", "changes.rising", &ch.rising);
    list(o, "changes-falling", "changes.falling", &ch.falling);
    let _ = write!(
        o,
        "<h3>{}</h3>",
        trh!(m, "changes.vanished", n = ch.vanished.len())
    );
    if ch.vanished.is_empty() {
        let _ = write!(o, "<p>{}</p>", trh!(m, "common.none_sentence"));
    } else {
        let _ = write!(
            o,
            r#"<table id="changes-vanished"><thead><tr>{}</tr></thead><tbody>"#,
            head_cells(
                m,
                &[
                    ("", "col.category"),
                    ("n", "changes.col_episodes_last_month"),
                    ("n", "changes.col_extra_last_month"),
                    ("", "changes.col_keywords"),
                    ("", "changes.col_test"),
                ]
            )
        );
        for v in ch.vanished.iter().take(10) {
            let _ = write!(
                o,
                r#"<tr><td dir="auto">{} <code>{}</code></td><td class="n">{}</td><td class="n">{}</td><td dir="auto">{}</td><td>{}</td></tr>"#,
                escape(&v.label),
                escape(&v.category_id),
                num(v.prev_episodes),
                num(v.prev_extra_contacts),
                escape(&v.keywords.join(m.get("common.list_sep"))),
                escape(&p_text(m, v.p_value))
            );
        }
        o.push_str("</tbody></table>");
    }
    if !ch.split.is_empty() || !ch.merged.is_empty() {
        let _ = write!(o, "<h3>{}</h3><ul>", trh!(m, "changes.splits"));
        let lines = ch
            .split
            .iter()
            .map(|c| (c, "changes.split_from", ", "))
            .chain(ch.merged.iter().map(|c| (c, "changes.merged", " + ")));
        for (c, key, sep) in lines {
            let category = format!(
                r#"<span dir="auto">{}</span> <code>{}</code>"#,
                escape(&c.label),
                escape(&c.category_id)
            );
            let from = escape(&c.matched_from.join(sep));
            let _ = write!(
                o,
                "<li>{}</li>",
                m.html(key, &[("category", &category), ("from", &from)])
            );
        }
        o.push_str("</ul>");
    }
    if !ch.known_without_cases.is_empty() {
        let _ = write!(
            o,
            "<p>{}</p>",
            trh!(
                m,
                "changes.known_without_cases",
                ids = escape(&ch.known_without_cases.join(", "))
            )
        );
    }
    let _ = write!(
        o,
        r#"<p class="sub">{}</p></section>"#,
        trh!(
            m,
            "changes.test",
            test = escape(&crate::report::trend_test(m, ch))
        )
    );
}
