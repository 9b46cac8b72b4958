//! The closing "Settings and data quality" section of report.html: what
//! was read, what was rejected, and the settings the run used.

use std::fmt::Write as _;

use super::num;
use crate::report::{escape, Report};
use crate::settings::format_duration;

pub(super) fn settings(o: &mut String, r: &Report) {
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
            crate::report::json::enum_name(&s.handler_level)
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
        (
            "same issue by",
            crate::report::json::enum_name(&s.same_issue),
        ),
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
                crate::report::json::enum_name(&s.categorise),
                s.min_category_size
            ),
        ),
        ("ranked by", crate::report::json::enum_name(&s.rank_by)),
        ("seed", s.seed.to_string()),
    ];
    o.push_str(r#"<h3>Settings</h3><table id="run-settings"><tbody>"#);
    for (k, v) in rows {
        let _ = write!(o, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(&v));
    }
    o.push_str("</tbody></table></section>");
}
