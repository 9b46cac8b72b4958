//! Hand-made contacts and a one-call linker for unit tests of any stage.

use crate::episodes::{link, LexicalScorer};
use crate::model::{Contact, Direction, Linked, SourceRef};
use crate::settings::Settings;
use crate::text;

/// A contact for hand-made cases; `t` in hours from the month's start.
pub(crate) fn contact(id: &str, customer: &str, t: f64, text_: &str) -> Contact {
    let words = text::normalize(&text::customer_words(text_));
    Contact {
        contact_id: id.into(),
        customer_id: (!Settings::default().is_anonymous(customer)).then(|| customer.to_string()),
        customer_raw: customer.into(),
        started_at: 1_790_000_000 + (t * 3600.0) as i64,
        text: text_.into(),
        channel: "phone".into(),
        direction: Direction::Inbound,
        ticket_id: None,
        agent_id: "A1".into(),
        team: "cards".into(),
        queue: String::new(),
        reason_code: String::new(),
        transferred: false,
        escalated: false,
        reopened: false,
        survey_resolved: None,
        csat: None,
        segment: String::new(),
        source: SourceRef { file: 0, line: 0 },
        repeat_cue: text::has_repeat_cue(&words),
        customer_terms: text::terms(&words),
    }
}

/// Links with a data end far after the contacts (all windows closed).
pub(crate) fn run(cs: &[Contact], s: &Settings) -> Linked {
    let mut s = s.clone();
    let end = cs.iter().map(|c| c.started_at).max().unwrap_or(0) + 30 * 86_400;
    s.period_end_at = Some(end);
    let scorer = LexicalScorer::new(cs, s.similarity_threshold);
    link(cs, &s, &scorer)
}
