//! report.html in a real browser: headless Chromium renders the report of a
//! small month (English, Chinese and Hebrew categories), takes a screenshot,
//! and the test asserts on the rendered DOM, the console and the network.
//!
//! Without a browser the tests skip with a message, unless
//! `RECONTACT_REQUIRE_BROWSER=1` (CI sets it), where they fail.
//! `RECONTACT_BROWSER=PATH` picks the browser binary.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{arg, ok, skip_unless_required, three_reasons_month};

fn find_browser() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("RECONTACT_BROWSER") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// The browser, or `None` after saying why the test skips.
fn browser(test: &str) -> Option<PathBuf> {
    let found = find_browser();
    if found.is_none() {
        skip_unless_required(
            "RECONTACT_REQUIRE_BROWSER",
            "RECONTACT_REQUIRE_BROWSER=1 but no chromium, chromium-browser or google-chrome on PATH (Debian: apt-get install chromium)",
            &format!("{test}: skipped, no chromium on PATH (set RECONTACT_REQUIRE_BROWSER=1 to fail instead)"),
        );
    }
    found
}

struct Rendered {
    dom: String,
    /// Messages the page wrote to the console (errors, CSP violations).
    console: Vec<String>,
    /// URLs the page asked the network for.
    requests: Vec<String>,
}

/// Renders `page` headless in a fresh profile: the DOM after load, the
/// console from the browser's log, the page's requests from its net log,
/// and a screenshot when asked for.
fn render(browser: &Path, page: &Path, screenshot: Option<&Path>) -> Rendered {
    let tmp = tempfile::tempdir().unwrap();
    let net_log = tmp.path().join("net-log.json");
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1280,2000",
    ])
    .arg(format!(
        "--user-data-dir={}",
        tmp.path().join("profile").display()
    ))
    .arg(format!("--log-net-log={}", net_log.display()));
    if let Some(s) = screenshot {
        cmd.arg(format!("--screenshot={}", s.display()));
    }
    cmd.arg("--dump-dom")
        .arg(format!("file://{}", page.display()));
    let out = cmd.output().expect("browser runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "browser failed:\n{stderr}");
    // Chromium logs every console message as `...:CONSOLE:<line>] "..."`.
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    // The browser's own background requests have no file:// page as their
    // isolation key; the page's requests do.
    let log: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&net_log).expect("the browser wrote its net log"))
            .expect("net log is JSON");
    let mut requests: Vec<String> = log["events"]
        .as_array()
        .expect("net log events")
        .iter()
        .filter_map(|e| {
            let p = &e["params"];
            let key = p["network_isolation_key"].as_str()?;
            key.starts_with("file://")
                .then(|| p["url"].as_str().map(String::from))
                .flatten()
        })
        .collect();
    requests.sort();
    requests.dedup();
    Rendered {
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
        console,
        requests,
    }
}

/// The part of `s` from `from` up to the next `</{tag}>`.
fn part<'a>(s: &'a str, from: &str, tag: &str) -> &'a str {
    let start = s
        .find(from)
        .unwrap_or_else(|| panic!("{from} not in the rendered page"));
    let end = s[start..]
        .find(&format!("</{tag}>"))
        .unwrap_or_else(|| panic!("</{tag}> after {from}"));
    &s[start..start + end]
}

#[test]
fn report_html_renders_in_chromium() {
    let Some(browser) = browser("report_html_renders_in_chromium") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("m.csv");
    fs::write(&input, three_reasons_month()).unwrap();
    let out = dir.path().join("out");
    ok(&[
        "run",
        &arg(&input),
        "--out",
        &arg(&out),
        "--embedder",
        "lexical",
        "--period-end",
        "2026-11-15T00:00:00Z",
        "--history",
        &arg(&dir.path().join("history")),
    ]);
    let page = out.join("report.html");
    let html = fs::read_to_string(&page).unwrap();
    for bad in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "url(",
    ] {
        assert!(!html.contains(bad), "{bad} in report.html");
    }

    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-browser-test.png");
    fs::remove_file(&shot).ok();
    let r = render(&browser, &page, Some(&shot));
    assert!(r.console.is_empty(), "console messages: {:#?}", r.console);
    assert!(r.requests.is_empty(), "network requests: {:#?}", r.requests);

    // The top-10 table has one row per category (three here).
    let top = part(&r.dom, r#"<table id="top10""#, "table");
    let body = part(top, "<tbody>", "tbody");
    assert_eq!(body.matches("<tr>").count(), 3, "{top}");
    // The Pareto chart: a bar per category and the cumulative line.
    let pareto = part(&r.dom, r#"<svg id="pareto""#, "svg");
    assert_eq!(pareto.matches(r#"<rect class="bar""#).count(), 3);
    assert!(pareto.contains(r#"<polyline class="cumulative""#));
    // Chinese and Hebrew survive the browser's parse.
    assert!(r.dom.contains("退款"), "Chinese name");
    assert!(
        ["הכרטיס", "הגיע", "בדואר", "החדש"]
            .iter()
            .any(|w| r.dom.contains(w)),
        "Hebrew name"
    );
    assert!(r.dom.contains(r#"id="fcr-by-week-chart""#));
    assert!(r.dom.contains(r#"id="run-settings""#));

    let png = fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        png.len() > 20_000,
        "a page, not a blank: {} bytes",
        png.len()
    );

    // Next month (the same contacts) with --previous: "What changed" comes
    // first, and every card carries its trend flag and its line against
    // last month.
    let out2 = dir.path().join("out2");
    ok(&[
        "run",
        &arg(&input),
        "--out",
        &arg(&out2),
        "--embedder",
        "lexical",
        "--period-end",
        "2026-11-15T00:00:00Z",
        "--previous",
        &arg(&out),
        "--period",
        "2026-11",
        "--history",
        &arg(&dir.path().join("history")),
        "--no-index",
        "-q",
    ]);
    let r = render(&browser, &out2.join("report.html"), None);
    assert!(r.console.is_empty(), "console messages: {:#?}", r.console);
    assert!(r.requests.is_empty(), "network requests: {:#?}", r.requests);
    let changes = r
        .dom
        .find(r#"<section id="changes""#)
        .expect("changes section");
    let top10 = r.dom.find(r#"<table id="top10""#).expect("top-10 table");
    assert!(changes < top10, "What changed comes first");
    // The year (--history): after the changes, before the headline; two
    // months drawn, each theme a small multiple, nothing fell.
    let year = r.dom.find(r#"<section id="year""#).expect("year section");
    let headline = r.dom.find(r#"<section id="headline""#).unwrap();
    assert!(changes < year && year < headline);
    let y = part(&r.dom, r#"<section id="year""#, "section");
    assert!(y.contains(r#"id="year-fcr-chart""#), "{y}");
    assert_eq!(y.matches(r#"<circle class="rate-point""#).count(), 2, "{y}");
    assert_eq!(y.matches(r#"<div class="multiple">"#).count(), 3, "{y}");
    assert!(y.contains("No theme is below its usual level this month."));
    let cards = part(&r.dom, r#"<section id="categories""#, "section");
    assert_eq!(cards.matches(r#"<article class="card""#).count(), 3);
    assert_eq!(
        cards.matches(r#"class="flag flag-stable""#).count(),
        3,
        "{cards}"
    );
    assert_eq!(cards.matches(r#"data-trend="stable""#).count(), 3);
    assert_eq!(
        cards.matches(r#"<svg class="sparkline""#).count(),
        6,
        "weekly + since last month"
    );
}

/// The console and network checks above can fail: a page with an external
/// image and a script that logs an error trips both.
#[test]
fn the_browser_checks_catch_a_bad_page() {
    let Some(browser) = browser("the_browser_checks_catch_a_bad_page") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    fs::write(
        &page,
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<img src="http://127.0.0.1:9/probe.png"><script>console.error("probe")</script></body></html>"#,
    )
    .unwrap();
    let r = render(&browser, &page, None);
    assert!(
        r.console.iter().any(|l| l.contains("probe")),
        "{:#?}",
        r.console
    );
    assert_eq!(r.requests, ["http://127.0.0.1:9/probe.png"]);
}

/// The report in the centre's language (issue 16.4): the same small month
/// rendered in Simplified Chinese and in Hebrew. The page declares its
/// language (and, in Hebrew, its direction: the browser lays it out right
/// to left), and no English heading or table header is left on it.
#[test]
fn chinese_and_hebrew_reports_render_in_their_language() {
    let Some(browser) = browser("chinese_and_hebrew_reports_render_in_their_language") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("m.csv");
    fs::write(&input, three_reasons_month()).unwrap();
    for (lang, open, heading) in [
        ("zh-CN", r#"<html lang="zh-CN">"#, "首次"),
        ("he", r#"<html lang="he" dir="rtl">"#, "פנייה"),
    ] {
        let out = dir.path().join(lang);
        ok(&[
            "run",
            &arg(&input),
            "--out",
            &arg(&out),
            "--embedder",
            "lexical",
            "--period-end",
            "2026-11-15T00:00:00Z",
            "--report-language",
            lang,
            "--no-index",
            "-q",
        ]);
        let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("report-{lang}.png"));
        fs::remove_file(&shot).ok();
        let r = render(&browser, &out.join("report.html"), Some(&shot));
        assert!(r.console.is_empty(), "console messages: {:#?}", r.console);
        assert!(r.requests.is_empty(), "network requests: {:#?}", r.requests);
        assert!(
            r.dom.contains(open),
            "{lang}: {}",
            &r.dom[..200.min(r.dom.len())]
        );
        assert!(r.dom.contains(heading), "{lang}: the page's words");
        // Every heading and header cell the page writes itself: not English.
        for tag in ["h2", "h4", "th"] {
            let mut rest = r.dom.as_str();
            let open_tag = format!("<{tag}");
            while let Some(i) = rest.find(&open_tag) {
                let after = &rest[i..];
                if !after[open_tag.len()..].starts_with(['>', ' ']) {
                    // <thead>, <header>: another element.
                    rest = &after[open_tag.len()..];
                    continue;
                }
                let end = after.find(&format!("</{tag}>")).expect("closed");
                let inner = &after[after.find('>').unwrap() + 1..end];
                // File names (rejected.csv) are names in any language.
                let english: Vec<&str> = inner
                    .split(|c: char| c.is_whitespace() || "（）()".contains(c))
                    .filter(|token| !token.ends_with(".csv"))
                    .flat_map(|token| token.split(|c: char| !c.is_ascii_alphabetic()))
                    .filter(|w| w.len() >= 3 && !["FCR", "CRM", "ISO"].contains(w))
                    .collect();
                assert!(english.is_empty(), "{lang}: <{tag}>{inner}</{tag}>");
                rest = &after[end..];
            }
        }
        let png = fs::read(&shot).expect("screenshot written");
        assert!(
            png.len() > 20_000,
            "a page, not a blank: {} bytes",
            png.len()
        );
    }
}

/// Pages of a PDF Chromium printed (each page object says `/Type /Page`).
fn pdf_pages(pdf: &[u8]) -> usize {
    let needle = b"/Type /Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| w.starts_with(needle) && w[needle.len()] != b's')
        .count()
}

/// The printed report stays a handout: the bundled sample month (42
/// categories, 37 themes: 61 pages before the print rules) prints in at
/// most ten pages, the appendix listing every theme.
#[test]
fn the_sample_month_prints_in_ten_pages() {
    let Some(browser) = browser("the_sample_month_prints_in_ten_pages") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = dir.path().join("out");
    ok(&[
        "run",
        &arg(&root.join("data/sample")),
        "--config",
        &arg(&root.join("data/sample/recontact.toml")),
        "--out",
        &arg(&out),
        "--embedder",
        "lexical",
        "--no-index",
        "-q",
    ]);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let themes = html.matches(r#"<tr id="THM-"#).count();
    assert!(themes > 20, "a month with many themes: {themes}");
    let appendix = part(&html, r#"<section id="appendix""#, "section");
    assert_eq!(appendix.matches("<tr><td").count(), themes);

    let pdf = dir.path().join("report.pdf");
    let printed = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", out.join("report.html").display()))
        .output()
        .expect("browser runs");
    assert!(
        printed.status.success(),
        "{}",
        String::from_utf8_lossy(&printed.stderr)
    );
    let pages = pdf_pages(&fs::read(&pdf).unwrap());
    assert!((3..=10).contains(&pages), "{pages} printed pages");
}
