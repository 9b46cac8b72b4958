//! The closing "Settings and data quality" section of report.html: what
//! was read, what was rejected, and the settings the run used.

use std::fmt::Write as _;

use crate::report::i18n::{tr, trh};
use crate::report::{escape, Report};

pub(super) fn settings(o: &mut String, r: &Report) {
    let m = r.metrics;
    let s = &m.settings;
    let i = &m.input;
    let t = r.messages();
    let num = |n: usize| t.num(n);
    let _ = write!(
        o,
        r#"<section id="settings"><h2>{}</h2>"#,
        trh!(t, "settings.title")
    );
    if let Some(w) = &r.embedder_warning {
        let _ = write!(
            o,
            r#"<p class="warning" role="alert">{}</p>"#,
            trh!(t, "settings.fallback", warning = escape(w))
        );
    }
    let _ = write!(
        o,
        r#"<h3>{}</h3><table id="input"><tbody>"#,
        trh!(t, "settings.input")
    );
    for (k, v) in [
        ("settings.files_read", i.files_read),
        ("settings.rows_read", i.rows_read as usize),
        ("settings.rows_accepted", i.rows_accepted as usize),
        ("settings.rows_rejected", i.rows_rejected as usize),
        ("settings.anonymous", i.anonymous_contacts as usize),
        ("settings.without_text", i.empty_text_contacts as usize),
    ] {
        let _ = write!(
            o,
            r#"<tr><th>{}</th><td class="n">{}</td></tr>"#,
            t.html(k, &[]),
            num(v)
        );
    }
    o.push_str("</tbody></table>");
    if !i.files_empty.is_empty() {
        let _ = write!(
            o,
            r#"<p class="sub">{}</p>"#,
            trh!(
                t,
                "settings.empty_files",
                files = format!(
                    r#"<span dir="auto">{}</span>"#,
                    escape(&i.files_empty.join(", "))
                )
            )
        );
    }
    for (title, id, map, terms) in [
        (
            "settings.rejected_by_reason",
            "rejected",
            &i.rejected_by_reason,
            "rejected",
        ),
        ("settings.ignored", "ignored", &i.ignored_values, "column"),
    ] {
        if map.is_empty() {
            continue;
        }
        let _ = write!(
            o,
            r#"<h4>{}</h4><table id="{id}"><tbody>"#,
            t.html(title, &[])
        );
        for (k, v) in map {
            let _ = write!(
                o,
                r#"<tr><td>{}</td><td class="n">{}</td></tr>"#,
                escape(&t.term(terms, k)),
                num(*v as usize)
            );
        }
        o.push_str("</tbody></table>");
    }
    let basis = match s.fcr_basis {
        crate::settings::FcrBasis::Contact => tr!(t, "settings.basis_contact").to_string(),
        crate::settings::FcrBasis::Handler => tr!(
            t,
            "settings.basis_handler",
            level = t.term(
                "handler_level",
                &crate::report::json::enum_name(&s.handler_level)
            )
        ),
        crate::settings::FcrBasis::Deadline => tr!(
            t,
            "settings.basis_deadline",
            promise = t.duration(s.promise_secs)
        ),
    };
    let rows: [(&str, String); 10] = [
        ("settings.embedder", crate::report::embedder_text(t, r)),
        ("settings.window", t.duration(s.repeat_window_secs)),
        ("settings.basis", basis),
        (
            "settings.same_issue",
            t.term("same_issue", &crate::report::json::enum_name(&s.same_issue)),
        ),
        (
            "card.signals",
            s.fcr_signals
                .iter()
                .map(|x| t.term("signal", x.as_str()))
                .collect::<Vec<_>>()
                .join(t.get("common.list_sep")),
        ),
        ("settings.timezone", s.timezone.clone()),
        (
            "settings.categorised",
            tr!(
                t,
                "settings.categorised_value",
                what = t.term("categorise", &crate::report::json::enum_name(&s.categorise)),
                min = s.min_category_size
            ),
        ),
        (
            "settings.ranked_by",
            t.term("rank_by", &crate::report::json::enum_name(&s.rank_by)),
        ),
        ("settings.seed", s.seed.to_string()),
        ("settings.language", t.lang().tag().to_string()),
    ];
    let _ = write!(
        o,
        r#"<h3 id="run-settings-title">{}</h3><table id="run-settings"><tbody>"#,
        trh!(t, "settings.settings")
    );
    for (k, v) in rows {
        let _ = write!(
            o,
            "<tr><th>{}</th><td>{}</td></tr>",
            t.html(k, &[]),
            escape(&v)
        );
    }
    o.push_str("</tbody></table></section>");
}
