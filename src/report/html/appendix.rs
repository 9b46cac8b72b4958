//! The printed report's appendix: on paper the page keeps the top ten
//! themes and the first category cards (report.css, `@media print`), and
//! this compact table lists every theme. Hidden on screen, where the full lists
//! and cards are.

use std::fmt::Write as _;

use super::head_cells;
use crate::report::i18n::trh;
use crate::report::{escape, Report};

/// Themes the printed appendix lists; the rest are in themes.csv.
const PRINTED: usize = 100;

pub(super) fn appendix(o: &mut String, r: &Report) {
    if r.themes.is_empty() {
        return;
    }
    let m = r.messages();
    let _ = write!(
        o,
        r#"<section id="appendix" class="print-only"><h2>{}</h2>"#,
        trh!(m, "appendix.title")
    );
    let cols = [
        ("n", "col.rank"),
        ("", "col.theme"),
        ("n", "col.extra"),
        ("n", "col.share"),
        ("n", "col.episodes"),
    ];
    let _ = write!(
        o,
        r#"<table id="appendix-themes"><thead><tr>{}</tr></thead><tbody>"#,
        head_cells(m, &cols)
    );
    for t in r.themes.iter().take(PRINTED) {
        let c = &t.figures;
        let _ = write!(
            o,
            r#"<tr><td class="n">{}</td><td><span dir="auto">{}</span> <span class="id">{}</span></td><td class="n">{}</td><td class="n">{:.1}%</td><td class="n">{}</td></tr>"#,
            c.rank,
            escape(&c.label),
            escape(&c.category_id),
            m.num(c.extra_contacts),
            c.share * 100.0,
            m.num(c.episodes)
        );
    }
    o.push_str("</tbody></table>");
    if r.themes.len() > PRINTED {
        let _ = write!(
            o,
            r#"<p class="sub">{}</p>"#,
            trh!(m, "appendix.rest", n = m.num(r.themes.len() - PRINTED))
        );
    }
    o.push_str("</section>");
}
