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
//! section is a submodule, in page order: `changes`, `year`, `summary`, `cards`,
//! `fcr`, `settings`, and the printed `appendix`.

mod appendix;
mod cards;
mod changes;
mod fcr;
mod settings;
mod summary;
pub(super) mod year;

use std::fmt::Write as _;

use super::i18n::{tr, trh, Messages};
use super::{escape, Report};

/// Cards shown open; the rest collapse.
pub const OPEN_CARDS: usize = 30;

/// The page's stylesheet, kept in its own file so it reads as CSS; inlined
/// (the Content-Security-Policy allows no fetch), after a newline the
/// template adds.
const CSS: &str = include_str!("report.css");

/// Group names as the report shows them.
fn key_name<'a>(m: &'a Messages, k: &'a str) -> &'a str {
    if k.is_empty() {
        m.get("common.none_key")
    } else {
        k
    }
}

fn opt2(m: &Messages, v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}"))
        .unwrap_or_else(|| m.na().to_string())
}

/// Header cells, each `(class, message key)`.
fn head_cells(t: &Messages, cols: &[(&str, &str)]) -> String {
    cols.iter()
        .map(|(class, key)| {
            if class.is_empty() {
                format!("<th>{}</th>", t.html(key, &[]))
            } else {
                format!(r#"<th class="{class}">{}</th>"#, t.html(key, &[]))
            }
        })
        .collect()
}

/// Links to the page's sections, in page order.
fn toc(o: &mut String, r: &Report) {
    let t = r.messages();
    let mut items: Vec<(&str, &str)> = Vec::new();
    if r.changes.is_some() {
        items.push(("changes", "changes.title"));
    }
    if r.year.is_some() {
        items.push(("year", "year.title"));
    }
    items.push(("headline", "headline.title"));
    items.push(("pareto-section", "pareto.title"));
    items.push(("top10-section", "top10.title"));
    if summary::has_theme_list(r) {
        items.push(("themes", "toc.themes"));
    }
    if !r.categories.is_empty() {
        items.push(("categories", "card.title"));
    }
    items.push(("fcr-breakdown", "fcr.title"));
    items.push(("settings", "settings.title"));
    let _ = write!(
        o,
        r#"<nav class="toc" aria-label="{}"><ol>"#,
        escape(t.get("toc.title"))
    );
    for (id, key) in items {
        let _ = write!(o, r##"<li><a href="#{id}">{}</a></li>"##, t.html(key, &[]));
    }
    o.push_str("</ol></nav>\n");
}

/// The whole page. Deterministic: no clock, no random ids.
pub fn render_html(r: &Report) -> String {
    let m = r.metrics;
    let t = r.messages();
    let lang = t.lang();
    let title = tr!(
        t,
        "page.title",
        period = m.period,
        start = t.date(&m.data_start),
        end = t.date(&m.data_end)
    );
    let mut o = String::with_capacity(64 * 1024 + r.categories.len() * 4096);
    let _ = write!(
        o,
        r#"<!DOCTYPE html>
<html lang="{}"{}>
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
<header><h1>{}</h1><p class="sub">{}</p></header>
"#,
        lang.tag(),
        if lang.is_rtl() { r#" dir="rtl""# } else { "" },
        env!("CARGO_PKG_VERSION"),
        escape(&title),
        CSS,
        escape(&title),
        trh!(
            t,
            "page.subtitle",
            out = format!("<code>{}</code>", escape(&r.out_dir))
        )
    );
    toc(&mut o, r);
    if let Some(w) = &r.embedder_warning {
        let _ = write!(
            o,
            r#"<p class="warning" role="alert">{}</p>"#,
            trh!(t, "page.warning", warning = escape(w))
        );
    }
    if let Some(ch) = r.changes {
        changes::changes(&mut o, t, ch);
    }
    if let Some(y) = r.year {
        year::year(&mut o, r, y);
    }
    summary::headline(&mut o, r);
    summary::pareto(&mut o, r);
    summary::top10(&mut o, r);
    summary::themes(&mut o, r);
    cards::cards(&mut o, r);
    fcr::fcr_breakdown(&mut o, r);
    settings::settings(&mut o, r);
    appendix::appendix(&mut o, r);
    let _ = write!(
        o,
        "<footer>{}</footer>\n</main>\n</body>\n</html>\n",
        trh!(
            t,
            "page.footer",
            version = env!("CARGO_PKG_VERSION"),
            schema = super::json::SCHEMA_VERSION
        )
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    fn well_formed(h: &str) {
        assert!(h.starts_with("<!DOCTYPE html>\n<html lang=\""));
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

    /// The page's own words (headings, header cells, tiles, summaries,
    /// legends, notes), with the user's text (names, quotes, ids, commands)
    /// taken out.
    fn own_words(h: &str) -> Vec<String> {
        let body = &h[h.find("<body>").unwrap()..];
        let mut out = Vec::new();
        for tag in [
            "h1", "h2", "h3", "h4", "th", "dt", "summary", "p", "li", "div", "footer",
        ] {
            let open = format!("<{tag}");
            let close = format!("</{tag}>");
            let mut rest = body;
            while let Some(i) = rest.find(&open) {
                let after = &rest[i + open.len()..];
                if !after.starts_with('>') && !after.starts_with(' ') {
                    rest = after;
                    continue;
                }
                let Some(j) = after.find(&close) else { break };
                let start = after.find('>').map_or(j, |k| (k + 1).min(j));
                let mut inner = after[start..j].to_string();
                // User text and machine words: not the page's own.
                for (a, b) in [
                    ("<span dir=\"auto\">", "</span>"),
                    ("<span class=\"id\">", "</span>"),
                    ("<code", "</code>"),
                    ("<a ", "</a>"),
                    ("<q ", "</q>"),
                    ("<bdi>", "</bdi>"),
                    ("<span class=\"flag", "</span>"),
                ] {
                    while let Some(x) = inner.find(a) {
                        let Some(y) = inner[x..].find(b) else { break };
                        inner.replace_range(x..x + y + b.len(), " ");
                    }
                }
                // Of the divisions, the tiles' words (others hold data).
                let data_div = tag == "div"
                    && !after.starts_with(" class=\"k\"")
                    && !after.starts_with(" class=\"s\"");
                if data_div || (tag == "li" && after.starts_with(" dir=\"auto\"")) {
                    inner.clear();
                }
                let mut text = String::new();
                let mut in_tag = false;
                for c in inner.chars() {
                    match c {
                        '<' => in_tag = true,
                        '>' => {
                            in_tag = false;
                            text.push(' ');
                        }
                        _ if !in_tag => text.push(c),
                        _ => {}
                    }
                }
                out.push(text);
                rest = &after[j..];
            }
        }
        out
    }

    /// English words (three letters or more) in `text`, but for the
    /// abbreviations and names every language keeps.
    fn english_words(text: &str) -> Vec<String> {
        const KEPT: [&str; 11] = [
            "FCR",
            "CRM",
            "ISO",
            "recontact",
            "report",
            "json",
            "csv",
            "Holm",
            "Benjamini",
            "Hochberg",
            "pts",
        ];
        // File names (rejected.csv) are names, in any language.
        let files = [".csv", ".json", ".md", ".html"];
        text.split(|c: char| c.is_whitespace() || "（）()".contains(c))
            .filter(|token| !files.iter().any(|f| token.contains(f)))
            .flat_map(|token| token.split(|c: char| !c.is_ascii_alphabetic()))
            .filter(|w| w.len() >= 3 && !KEPT.contains(w))
            .map(String::from)
            .collect()
    }

    #[test]
    fn the_page_and_the_markdown_speak_the_centres_language() {
        use crate::settings::ReportLanguage;
        let m = fixtures::metrics();
        let mut cats = fixtures::categories(40);
        cats[0].theme_id = "THM-001".into();
        cats[0].theme = "card".into();
        for (lang, open) in [
            (ReportLanguage::ZhCn, "<html lang=\"zh-CN\">"),
            (ReportLanguage::ZhTw, "<html lang=\"zh-TW\">"),
            (ReportLanguage::He, "<html lang=\"he\" dir=\"rtl\">"),
        ] {
            let mut r = fixtures::report(&m, &cats);
            r.language = lang;
            r.embedder = "m for English reasons; e5 for han reasons, which this English-only model cannot read".into();
            r.embedder_spaces = Some(crate::model::EmbedderSpaces {
                main: "m".into(),
                other: "e5".into(),
                scripts: vec!["han".into()],
                other_model: true,
            });
            let h = render_html(&r);
            assert!(
                !h.contains("Latin-script"),
                "{}: the embedders in English",
                lang.tag()
            );
            assert!(!crate::report::render_markdown(&r).contains("Latin-script"));
            well_formed(&h);
            assert!(h.contains(open), "{}", lang.tag());
            let words = own_words(&h);
            assert!(words.len() > 100, "{} texts", words.len());
            for w in &words {
                let english = english_words(w);
                assert!(
                    english.is_empty(),
                    "{}: English {english:?} in {w:?}",
                    lang.tag()
                );
            }
            let md = crate::report::render_markdown(&r);
            for line in md.lines() {
                let own = line.starts_with("## ")
                    || line.starts_with("| rank")
                    || line.starts_with("- **")
                    || line.starts_with("# ");
                if own {
                    // Labels only: what follows a label's colon is data.
                    let label = line.split("** ").next().unwrap_or(line);
                    let english = english_words(label);
                    assert!(
                        english.is_empty(),
                        "{}: English {english:?} in {line:?}",
                        lang.tag()
                    );
                }
            }
            assert!(
                !md.contains("| rank |"),
                "{}: the table header is translated",
                lang.tag()
            );
        }
        // English stays English.
        let h = render_html(&fixtures::report(&m, &cats));
        assert!(h.contains("<html lang=\"en\">"));
        assert!(own_words(&h).iter().any(|w| w.contains("Headline")));
    }

    #[test]
    fn the_checks_for_english_words_can_fail() {
        let h = "<body><h2>Headline</h2><p class=\"sub\">标题 <code>recontact search out</code></p></body>";
        let words = own_words(h);
        assert_eq!(english_words(&words[0]), ["Headline"]);
        assert!(english_words(&words[1]).is_empty());
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
            "Still open",
        ] {
            assert!(h.contains(k), "{k}");
        }
        assert!(!h.contains(r#"class="warning""#));
        // No survey answers, no tickets: those tiles are left out, not n/a.
        assert_eq!(m.survey.episodes_with_answer, 0);
        assert!(!h.contains("FCR: survey vs CRM"));
        assert!(!h.contains("One-time resolution"));
        assert!(!h.contains("n/a vs n/a"));
        // A contents list links every section on the page.
        let toc = part(&h, r#"<nav class="toc""#, "nav");
        for id in [
            "headline",
            "pareto-section",
            "top10-section",
            "categories",
            "fcr-breakdown",
            "settings",
        ] {
            assert!(toc.contains(&format!("href=\"#{id}\"")), "{id}");
            assert!(h.contains(&format!("id=\"{id}\"")), "{id}");
        }
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
        // Worded from the figures, in the report's language.
        assert!(h.contains(r#"<p class="warning" role="alert">Caveat: this export covers "#));
        assert!(crate::report::render_markdown(&r).contains("> **Caveat:** this export covers "));
        let mut he = fixtures::report(&m, &cats);
        he.language = crate::settings::ReportLanguage::He;
        assert!(!render_html(&he).contains("this export covers"));
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
