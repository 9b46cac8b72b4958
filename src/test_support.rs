//! Hand-made contacts and a one-call linker for unit tests of any stage.

use crate::episodes::{link, LexicalScorer};
use crate::model::{Contact, Direction, Linked, SourceRef};
use crate::settings::Settings;
use crate::text::{self, Boilerplate};

/// A contact for hand-made cases; `t` in hours from the month's start.
pub(crate) fn contact(id: &str, customer: &str, t: f64, text_: &str) -> Contact {
    let words = text::normalize(&text::customer_words(text_));
    Contact {
        contact_id: id.into(),
        customer_id: (!Settings::default().is_anonymous(customer)).then(|| customer.into()),
        customer_raw: customer.into(),
        started_at: 1_790_000_000 + (t * 3600.0) as i64,
        text: text_.into(),
        channel: "phone".into(),
        direction: Direction::Inbound,
        ticket_id: None,
        agent_id: "A1".into(),
        team: "cards".into(),
        queue: Default::default(),
        reason_code: Default::default(),
        transferred: false,
        escalated: false,
        reopened: false,
        survey_resolved: None,
        csat: None,
        segment: Default::default(),
        source: SourceRef { file: 0, line: 0 },
        repeat_cue: text::has_repeat_cue(&words),
        customer_terms: text::terms(&words),
    }
}

/// Links with a data end far after the contacts (all windows closed).
pub(crate) fn run(cs: &[Contact], s: &Settings) -> Linked {
    run_with_templates(cs, s, &Boilerplate::default())
}

/// [`run`] with the month's template phrases.
pub(crate) fn run_with_templates(cs: &[Contact], s: &Settings, templates: &Boilerplate) -> Linked {
    let mut s = s.clone();
    let end = cs.iter().map(|c| c.started_at).max().unwrap_or(0) + 30 * 86_400;
    s.period_end_at = Some(end);
    let scorer = LexicalScorer::new(cs, s.similarity_threshold);
    link(cs, &s, &scorer, templates)
}

/// Property tests' settings: `cases` inputs drawn from a fixed seed, so a
/// run (and CI) is reproducible, and no `proptest-regressions/` files: a
/// case a property found stays as a plain `#[test]` beside it.
pub(crate) fn fuzz_config(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x7265_636f_6e74_6163),
        ..proptest::test_runner::Config::default()
    }
}

/// Pieces hostile input is made of: quotes, delimiters, line ends, NULs,
/// byte order marks, direction overrides, Hebrew and Chinese, emoji,
/// terminal escapes, formulas, numbers beyond any integer, strftime and
/// query syntax, characters whose NFKC or case folding changes length.
const HOSTILE: &[&str] = &[
    "\"",
    "\"\"",
    ",",
    ";",
    "\t",
    "|",
    "\n",
    "\r\n",
    "\r",
    "\0",
    "\u{feff}",
    "\u{202e}",
    "\u{200f}",
    "שלום",
    "לקוח: ",
    "退款",
    "客戶：",
    "👍🏽",
    "\u{1b}[2J",
    "\u{1b}]52;c;",
    "=1+1",
    "@bob",
    "-7",
    "+44",
    "98765432109876543210",
    "1e999",
    "-0.0",
    "NaN",
    "%",
    "%Y-%m-%d",
    "%s",
    "%z",
    "%.f",
    " ",
    "\u{3000}",
    "Ａ",
    "\u{0301}",
    "\u{fdfa}",
    "ﬀ",
    "İ",
    "ß",
    "\u{fffd}",
    "[",
    "]",
    "{",
    "}",
    ":",
    " TO ",
    "*",
    "~",
    "^",
    "(",
    ")",
    " AND ",
    " OR ",
    "NOT ",
    "\\",
    "+262143",
    "-262143",
    "2026-10-01T09:00:00Z",
    "2026-10-01 09:00",
    "1790000000",
    "1790000000500",
    "2100-01-01T00:00:00Z",
    "03/10/2026",
    "9999-12-31",
    "true",
    "null",
];

/// Text built of [`HOSTILE`] pieces, arbitrary strings and plain words.
pub(crate) fn hostile_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let piece = prop_oneof![
        3 => proptest::sample::select(HOSTILE).prop_map(str::to_string),
        1 => any::<String>().prop_map(|s| s.chars().take(12).collect::<String>()),
        2 => "[a-z0-9 ]{0,8}",
    ];
    proptest::collection::vec(piece, 0..10).prop_map(|v| v.concat())
}
