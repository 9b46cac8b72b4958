//! report.html: the report as one self-contained page — inline CSS and
//! SVG, no scripts, no fonts, nothing fetched (a Content-Security-Policy
//! forbids it), so it opens from a USB stick and prints.
//!
//! User text (names, keywords, quotes, channel and team names) is escaped
//! and carries `dir="auto"` so Hebrew reads right to left inside English
//! pages. Category cards beyond [`OPEN_CARDS`] sit in collapsed
//! `<details>`, so a month with a thousand categories stays usable.
//!
//! This file is the page frame and the formatting the sections share; each
//! section is a submodule, in page order: `changes`, `summary`, `cards`,
//! `fcr`, `settings`.

mod cards;
mod changes;
mod fcr;
mod settings;
mod summary;

use std::fmt::Write as _;

use super::{escape, Report};

/// Cards shown open; the rest collapse.
pub const OPEN_CARDS: usize = 30;

/// The page's stylesheet, kept in its own file so it reads as CSS; inlined
/// (the Content-Security-Policy allows no fetch), after a newline the
/// template adds.
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
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            o.push('\u{202f}');
        }
        o.push(c);
    }
    o
}

fn opt2(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "n/a".into())
}

/// The whole page. Deterministic: no clock, no random ids.
pub fn render_html(r: &Report) -> String {
    let m = r.metrics;
    let day = |s: &str| s.chars().take(10).collect::<String>();
    let title = format!(
        "Why customers came back — {} ({} to {})",
        m.period,
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
        changes::changes(&mut o, ch);
    }
    summary::headline(&mut o, r);
    summary::pareto(&mut o, r);
    summary::top10(&mut o, r);
    summary::themes(&mut o, r);
    cards::cards(&mut o, r);
    fcr::fcr_breakdown(&mut o, r);
    settings::settings(&mut o, r);
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
        static NONE: crate::model::SetAside = crate::model::SetAside {
            episodes: 0,
            extra_contacts: 0,
            examples: Vec::new(),
        };
        r.uncategorised = &NONE;
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
            "Still open",
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
        assert!(h.contains("the other 980 themes have"));
        // The top-10 table stays ten rows.
        let top = part(&h, r#"<table id="top10""#, "table");
        assert_eq!(top.matches("<tr>").count(), 11);
    }

    #[test]
    fn themes_rank_the_page_and_list_their_categories() {
        let m = fixtures::metrics();
        let mut cats = fixtures::categories(3);
        cats[1].theme_id = "THM-001".into();
        cats[1].theme = "card".into();
        let mut figures = cats[0].clone();
        figures.category_id = "THM-001".into();
        figures.label = "card".into();
        figures.extra_contacts = cats[0].extra_contacts + cats[1].extra_contacts;
        let themes = [
            crate::rank::RankedTheme {
                figures,
                categories: vec![0, 1],
            },
            crate::rank::RankedTheme {
                figures: cats[2].clone(),
                categories: vec![2],
            },
        ];
        let mut r = fixtures::report(&m, &cats);
        r.themes = &themes;
        let h = render_html(&r);
        well_formed(&h);
        let top = part(&h, r#"<table id="top10">"#, "table");
        assert_eq!(top.matches("<tr>").count(), 3, "a header and two themes");
        assert!(top.contains(r#"<span dir="auto">card</span> <span class="id">THM-001</span>"#));
        assert!(top.contains(r##"<a href="#CAT-0001" dir="auto">card not arrived 0</a>"##));
        assert!(top.contains(r##"<a href="#CAT-0002" dir="auto">card not arrived 1</a>"##));
        assert!(top.contains(r##"the category <a href="#CAT-0003">CAT-0003</a>"##));
        assert!(h.contains("Theme: <span dir=\"auto\">"));
        let md = crate::report::render_markdown(&r);
        assert!(md.contains("| 1 | card `THM-001` |"), "{md}");
        assert!(md.contains("card not arrived 1 `CAT-0002`"));
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
            r##"the category <a href="#CAT-0002">CAT-0002</a>"##,
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
    fn the_headline_gives_the_fcr_interval_and_a_short_export_caveat() {
        let mut m = fixtures::metrics();
        let cats = fixtures::categories(1);
        let h = render_html(&fixtures::report(&m, &cats));
        assert!(
            h.contains("95 % interval"),
            "the interval is in the FCR tile"
        );
        assert!(!h.contains("Caveat:"));
        m.fcr_uncertainty.caveat = Some("this export covers 8 days".into());
        let r = fixtures::report(&m, &cats);
        let h = render_html(&r);
        well_formed(&h);
        assert!(h.contains(r#"<p class="warning" role="alert">Caveat: this export covers 8 days"#));
        assert!(
            crate::report::render_markdown(&r).contains("> **Caveat:** this export covers 8 days")
        );
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
