//! The report's words in the centre's language: one message catalogue per
//! language (`i18n/<tag>.toml`, compiled in), looked up by key, with named
//! placeholders (`{episodes}`) filled by the renderers; and the language's
//! number and date formats. Catalogues are plain TOML, not Fluent: the
//! report needs no plural or gender rules (its sentences put the number
//! first, as in "episodes: 12"), and a translator edits TOML in any editor.
//!
//! A month's language, when the user sets none, is the dominant script of
//! its contacts ([`language_of`]).

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::OnceLock;

use rayon::prelude::*;

use crate::settings::ReportLanguage;
use crate::text::{dominant_script, Script};

/// The catalogues, English first: every other must have its keys.
const CATALOGUES: [(ReportLanguage, &str); 4] = [
    (ReportLanguage::En, include_str!("i18n/en.toml")),
    (ReportLanguage::ZhCn, include_str!("i18n/zh-CN.toml")),
    (ReportLanguage::ZhTw, include_str!("i18n/zh-TW.toml")),
    (ReportLanguage::He, include_str!("i18n/he.toml")),
];

/// One language's messages, flattened to `table.key` → text.
#[derive(Debug)]
pub struct Messages {
    lang: ReportLanguage,
    map: HashMap<String, String>,
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

fn parse(lang: ReportLanguage, text: &str) -> Messages {
    // The catalogues are part of the program (tested in every language),
    // never user input: a broken one is a bug to fail on at once.
    let table: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("report catalogue {}: {e}", lang.tag()));
    let mut map = HashMap::new();
    flatten("", &table, &mut map);
    Messages { lang, map }
}

/// The messages of `lang`, parsed once.
pub fn messages(lang: ReportLanguage) -> &'static Messages {
    static PARSED: [OnceLock<Messages>; 4] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let i = CATALOGUES.iter().position(|(l, _)| *l == lang).unwrap_or(0);
    PARSED[i].get_or_init(|| parse(CATALOGUES[i].0, CATALOGUES[i].1))
}

/// Pieces of a message: literal text and `{name}` placeholders.
fn pieces(template: &str) -> impl Iterator<Item = (bool, &str)> {
    let mut rest = template;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if let Some(start) = rest.find('{') {
            if start > 0 {
                let (lit, tail) = rest.split_at(start);
                rest = tail;
                return Some((false, lit));
            }
            if let Some(end) = rest.find('}') {
                let name = &rest[1..end];
                rest = &rest[end + 1..];
                return Some((true, name));
            }
        }
        let lit = rest;
        rest = "";
        Some((false, lit))
    })
}

/// `&`, `<` and `>` escaped: a message's own text in element content
/// (quotes are safe there, and English apostrophes stay as they were).
fn escape_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl Messages {
    pub fn lang(&self) -> ReportLanguage {
        self.lang
    }

    /// The message `key`; English when this catalogue lacks it (a test
    /// keeps them complete), the key itself when English does too.
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        if let Some(s) = self.map.get(key) {
            return s;
        }
        debug_assert!(false, "no message {key} in {}", self.lang.tag());
        if self.lang != ReportLanguage::En {
            return messages(ReportLanguage::En).get(key);
        }
        key
    }

    /// The message `key` with its placeholders filled, as plain text
    /// (Markdown, or text the caller escapes whole).
    pub fn fmt(&self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        self.fill(key, args, false)
    }

    /// The message `key` for HTML element content: its own text escaped,
    /// the arguments as given (the caller escapes or builds them as markup).
    pub fn html(&self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        self.fill(key, args, true)
    }

    fn fill(&self, key: &str, args: &[(&str, &dyn Display)], html: bool) -> String {
        use std::fmt::Write as _;
        let template = self.get(key);
        let mut o = String::with_capacity(template.len() + 16 * args.len());
        for (is_name, s) in pieces(template) {
            if is_name {
                match args.iter().find(|(n, _)| *n == s) {
                    Some((_, v)) => {
                        let _ = write!(o, "{v}");
                    }
                    None => {
                        debug_assert!(false, "{key}: no value for {{{s}}}");
                        let _ = write!(o, "{{{s}}}");
                    }
                }
            } else if html {
                o.push_str(&escape_text(s));
            } else {
                o.push_str(s);
            }
        }
        o
    }

    /// A count with the language's digit grouping: a narrow no-break space
    /// in English (readable in any locale), a comma in Chinese and Hebrew.
    pub fn num(&self, n: usize) -> String {
        let sep = match self.lang {
            ReportLanguage::En => '\u{202f}',
            _ => ',',
        };
        let s = n.to_string();
        let mut o = String::with_capacity(s.len() + s.len() / 3 * 3);
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                o.push(sep);
            }
            o.push(c);
        }
        o
    }

    /// A day (the first ten characters of an ISO timestamp) as the
    /// language writes dates: 2026-10-01, 2026年10月1日, 1.10.2026.
    pub fn date(&self, iso: &str) -> String {
        let day: String = iso.chars().take(10).collect();
        let parts: Vec<&str> = day.split('-').collect();
        let num = |s: &str| s.parse::<u32>().ok();
        match (self.lang, parts.as_slice()) {
            (ReportLanguage::ZhCn | ReportLanguage::ZhTw, [y, m, d]) => match (num(m), num(d)) {
                (Some(m), Some(d)) => format!("{y}年{m}月{d}日"),
                _ => day,
            },
            (ReportLanguage::He, [y, m, d]) => match (num(m), num(d)) {
                (Some(m), Some(d)) => format!("{d}.{m}.{y}"),
                _ => day,
            },
            _ => day,
        }
    }

    /// `s` kept left to right inside right-to-left text (a signed change,
    /// a range: "+2" would show as "2+", "68–72" as "72–68"): isolated
    /// with the Unicode marks, which work in HTML, attributes and Markdown
    /// alike; as it is in a left-to-right language.
    pub fn ltr(&self, s: &str) -> String {
        if self.lang.is_rtl() {
            format!("\u{2066}{s}\u{2069}")
        } else {
            s.to_string()
        }
    }

    /// "n/a" in the language, for a figure that cannot be computed.
    pub fn na(&self) -> &str {
        self.get("common.na")
    }

    /// A rate as a percentage with one decimal, or "n/a".
    /// A setting's duration in the language ("7d", "7天", "7 ימים"), in
    /// the largest whole unit, as `settings::format_duration` picks it.
    pub fn duration(&self, secs: i64) -> String {
        let (key, n) = if secs != 0 && secs % 86_400 == 0 {
            ("duration.days", secs / 86_400)
        } else if secs != 0 && secs % 3600 == 0 {
            ("duration.hours", secs / 3600)
        } else if secs % 60 == 0 {
            ("duration.minutes", secs / 60)
        } else {
            ("duration.seconds", secs)
        };
        self.fmt(key, &[("n", &n)])
    }

    pub fn pct(&self, v: Option<f64>) -> String {
        v.map(|x| format!("{:.1}%", x * 100.0))
            .unwrap_or_else(|| self.na().to_string())
    }

    /// A name from the data's vocabulary (a signal, a rejection reason, a
    /// trend flag) in the language, under `table`; the name itself, its
    /// underscores as spaces, when the catalogue has no word for it.
    pub fn term(&self, table: &str, name: &str) -> String {
        let key = format!("{table}.{name}");
        match self.map.get(&key) {
            Some(s) => s.clone(),
            None => name.replace('_', " "),
        }
    }
}

/// A message with named placeholders, as plain text:
/// `tr!(m, "headline.title")`, `tr!(m, "key", episodes = n)`.
macro_rules! tr {
    ($m:expr, $key:literal) => {
        $m.get($key)
    };
    ($m:expr, $key:literal, $($name:ident = $val:expr),+ $(,)?) => {
        $m.fmt($key, &[$((stringify!($name), &$val as &dyn std::fmt::Display)),+])
    };
}

/// [`tr!`] for HTML element content: the message's own text escaped, the
/// values as given.
macro_rules! trh {
    ($m:expr, $key:literal) => {
        $m.html($key, &[])
    };
    ($m:expr, $key:literal, $($name:ident = $val:expr),+ $(,)?) => {
        $m.html($key, &[$((stringify!($name), &$val as &dyn std::fmt::Display)),+])
    };
}

pub(crate) use tr;
pub(crate) use trh;

/// How many texts are read to tell Simplified from Traditional Chinese:
/// plenty for a vote, bounded for a month of millions.
const CHINESE_SAMPLE: usize = 2000;

/// The report language a month's texts are written in: the dominant
/// script over them (each text with letters one vote; a blank or digits-only
/// text, an untranscribed call, has none). Chinese here is Simplified;
/// [`chinese_variant`] tells the two apart.
pub fn language_of<I, S>(texts: I) -> ReportLanguage
where
    I: IntoParallelIterator<Item = S>,
    S: AsRef<str>,
{
    let (latin, han, hebrew) = texts
        .into_par_iter()
        .map(|t| {
            // The opening is enough to know a text's script.
            let head: String = t.as_ref().chars().take(200).collect();
            if !head.chars().any(char::is_alphabetic) {
                return (0, 0, 0);
            }
            match dominant_script(&head) {
                Script::Han => (0usize, 1usize, 0usize),
                Script::Hebrew => (0, 0, 1),
                Script::Latin => (1, 0, 0),
                Script::Other => (0, 0, 0),
            }
        })
        .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    if hebrew > latin && hebrew >= han {
        ReportLanguage::He
    } else if han > latin && han > hebrew {
        ReportLanguage::ZhCn
    } else {
        ReportLanguage::En
    }
}

/// Simplified or Traditional: a vote of the Chinese texts whose characters
/// differ between the scripts (the opening of each), over about
/// [`CHINESE_SAMPLE`] of them taken evenly through the month, so files in
/// one region's order do not decide it.
pub fn chinese_variant<S: AsRef<str>>(texts: &[S]) -> ReportLanguage {
    let (mut simplified, mut traditional) = (0usize, 0usize);
    let stride = (texts.len() / (2 * CHINESE_SAMPLE)).max(1);
    for t in texts
        .iter()
        .step_by(stride)
        .map(|t| t.as_ref().chars().take(200).collect::<String>())
        .filter(|t| dominant_script(t) == Script::Han)
        .take(CHINESE_SAMPLE)
    {
        if crate::text::to_simplified(&t) != t {
            traditional += 1;
        } else if hanconv::s2t(&t) != t {
            simplified += 1;
        }
    }
    if traditional > simplified {
        ReportLanguage::ZhTw
    } else {
        ReportLanguage::ZhCn
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn placeholders(s: &str) -> BTreeSet<&str> {
        pieces(s).filter(|(n, _)| *n).map(|(_, s)| s).collect()
    }

    #[test]
    fn every_catalogue_has_englishs_keys_and_placeholders() {
        let en = messages(ReportLanguage::En);
        assert!(en.map.len() > 100, "{} messages", en.map.len());
        for lang in ReportLanguage::ALL {
            let m = messages(lang);
            let mut missing: Vec<&String> =
                en.map.keys().filter(|k| !m.map.contains_key(*k)).collect();
            missing.sort();
            assert!(missing.is_empty(), "{} lacks {missing:?}", lang.tag());
            let mut extra: Vec<&String> =
                m.map.keys().filter(|k| !en.map.contains_key(*k)).collect();
            extra.sort();
            assert!(
                extra.is_empty(),
                "{} has keys English lacks: {extra:?}",
                lang.tag()
            );
            for (k, v) in &en.map {
                assert_eq!(
                    placeholders(v),
                    placeholders(m.get(k)),
                    "{}: {k}",
                    lang.tag()
                );
            }
        }
    }

    #[test]
    fn durations_in_the_reports_language() {
        let en = messages(ReportLanguage::En);
        assert_eq!(en.duration(7 * 86_400), "7d");
        assert_eq!(en.duration(36 * 3600), "36h");
        assert_eq!(en.duration(90), "90s");
        assert_eq!(messages(ReportLanguage::ZhCn).duration(7 * 86_400), "7天");
        assert_eq!(messages(ReportLanguage::ZhTw).duration(36 * 3600), "36小時");
        assert_eq!(messages(ReportLanguage::He).duration(7 * 86_400), "7 ימים");
        // The English words match the settings' own notation.
        for secs in [0, 59, 60, 3600, 86_400, 90_000] {
            assert_eq!(en.duration(secs), crate::settings::format_duration(secs));
        }
    }

    #[test]
    fn translations_are_not_english_left_in_place() {
        let en = messages(ReportLanguage::En);
        for lang in [
            ReportLanguage::ZhCn,
            ReportLanguage::ZhTw,
            ReportLanguage::He,
        ] {
            let m = messages(lang);
            for (k, v) in &en.map {
                let t = m.get(k);
                // Words of the data (ids, units) may stay; sentences may not.
                if v.split_whitespace()
                    .filter(|w| w.chars().all(|c| c.is_ascii_alphabetic()))
                    .count()
                    >= 2
                {
                    assert_ne!(t, v, "{}: {k} untranslated", lang.tag());
                }
            }
        }
    }

    #[test]
    fn every_key_the_renderers_use_is_in_the_catalogue() {
        let en = messages(ReportLanguage::En);
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/report");
        let mut files = vec![
            root.join("mod.rs"),
            root.join("html.rs"),
            root.join("svg.rs"),
        ];
        for e in std::fs::read_dir(root.join("html")).unwrap() {
            files.push(e.unwrap().path());
        }
        let mut used = 0;
        for f in files {
            let src = std::fs::read_to_string(&f).unwrap();
            let calls = src.match_indices("tr!(").chain(src.match_indices("trh!("));
            for (at, call) in calls {
                // A macro call, not the end of `include_str!(`.
                let before = src[..at].chars().next_back().unwrap_or(' ');
                if before.is_alphanumeric() || before == '_' {
                    continue;
                }
                // `tr!(m, "key"…`: the first string literal.
                let part = &src[at + call.len()..];
                let Some(start) = part.find('"') else {
                    continue;
                };
                let rest = &part[start + 1..];
                let Some(end) = rest.find('"') else { continue };
                let key = &rest[..end];
                if key.contains('.') && !key.contains(' ') {
                    used += 1;
                    assert!(en.map.contains_key(key), "{}: {key}", f.display());
                }
            }
        }
        assert!(used > 50, "{used} keys found");
    }

    #[test]
    fn placeholders_fill_and_html_escapes_the_message_not_the_values() {
        let m = messages(ReportLanguage::En);
        let mut fake = Messages {
            lang: ReportLanguage::En,
            map: HashMap::new(),
        };
        fake.map.insert("k".into(), "a < {x} & {y}'s".into());
        assert_eq!(fake.fmt("k", &[("x", &1), ("y", &"<b>")]), "a < 1 & <b>'s");
        assert_eq!(
            fake.html("k", &[("x", &1), ("y", &"<b>")]),
            "a &lt; 1 &amp; <b>'s"
        );
        assert_eq!(m.num(1234567), "1\u{202f}234\u{202f}567");
        assert_eq!(messages(ReportLanguage::He).num(1234567), "1,234,567");
        assert_eq!(
            messages(ReportLanguage::He).date("2026-10-01T00:00:00Z"),
            "1.10.2026"
        );
        assert_eq!(
            messages(ReportLanguage::ZhCn).date("2026-10-01"),
            "2026年10月1日"
        );
        assert_eq!(m.date("2026-10-01T08:00"), "2026-10-01");
        assert_eq!(m.term("signal", "no_such_signal"), "no such signal");
    }

    #[test]
    fn a_months_language_is_its_dominant_script() {
        let texts = [
            "My card has not arrived",
            "我的退款还没有到账",
            "退款 没有 到账",
            "ok",
        ];
        assert_eq!(language_of(texts.par_iter().copied()), ReportLanguage::En);
        let texts = ["我的退款还没有到账", "退款没有到账", "card"];
        assert_eq!(language_of(texts.par_iter().copied()), ReportLanguage::ZhCn);
        let texts = ["הכרטיס שלי לא הגיע", "איפה ההחזר", "refund"];
        assert_eq!(language_of(texts.par_iter().copied()), ReportLanguage::He);
        let traditional = ["我的退款還沒有到賬", "請幫我查詢訂單", "好的"];
        assert_eq!(chinese_variant(&traditional), ReportLanguage::ZhTw);
        let simplified = ["我的退款还没有到账", "请帮我查询订单", "好的"];
        assert_eq!(chinese_variant(&simplified), ReportLanguage::ZhCn);
        // Untranscribed calls (no letters) have no say: a Hebrew centre
        // with many of them is still Hebrew.
        let texts = ["", "12345", "", "[PHONE]", "הכרטיס לא הגיע", "איפה ההחזר"];
        assert_eq!(language_of(texts.par_iter().copied()), ReportLanguage::He);
    }
}
