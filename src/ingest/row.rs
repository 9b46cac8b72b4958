//! One row: its contract fields, the contact built from them, the rejection of bad values.

use super::{Col, IngestOptions, COLUMNS, N_COLS};
use crate::model::{Contact, Direction, RejectKind, SourceRef};
use crate::text;
use crate::time::parse_timestamp_as;

/// A row's values per contract column (in [`COLUMNS`] order), `None` when absent.
pub(super) type Fields = [Option<String>; N_COLS];

/// Outcome of parsing one row.
pub(super) enum Parsed {
    /// The contact, and the optional columns whose values were ignored.
    Ok(Box<Contact>, Vec<&'static str>),
    Rejected {
        /// The contract column at fault, empty when the whole row is.
        column: &'static str,
        /// The metrics.json key it is counted under.
        kind: RejectKind,
        reason: String,
    },
}

/// What a file format knows about its raw rows.
pub(super) trait RowFormat: Sync {
    /// A row as read (see [`super::reader::RowReader`]).
    type Row: Sync;

    /// The row's contract fields, or why the whole row is rejected.
    fn fields(&self, row: &Self::Row) -> Result<Fields, Parsed>;

    /// The row as text for `rejected.csv`; bytes that are not UTF-8 are kept
    /// as `\xNN`.
    fn raw_text(&self, row: &Self::Row) -> String;
}

/// Parses one row: its fields, then the contact.
pub(super) fn parse<F: RowFormat>(
    format: &F,
    row: &F::Row,
    source: SourceRef,
    opts: &IngestOptions,
) -> Parsed {
    match format.fields(row) {
        Ok(fields) => build_contact(fields, source, opts),
        Err(p) => p,
    }
}

/// The contact from a row's fields, or the rejection of a missing or bad
/// required value; an unreadable optional value is left empty and named.
fn build_contact(mut f: Fields, source: SourceRef, opts: &IngestOptions) -> Parsed {
    let mut take = |c: Col| f[c as usize].take();
    let reject = |c: Col, kind: RejectKind, reason: String| Parsed::Rejected {
        column: COLUMNS[c as usize].name,
        kind,
        reason,
    };
    let contact_id = take(Col::ContactId)
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    if contact_id.is_empty() {
        return reject(
            Col::ContactId,
            RejectKind::MissingField,
            "missing required field 'contact_id'".into(),
        );
    }
    let Some(customer_raw) = take(Col::CustomerId) else {
        return reject(
            Col::CustomerId,
            RejectKind::MissingField,
            "missing required field 'customer_id'".into(),
        );
    };
    let customer_raw = customer_raw.trim().to_string();
    // A NUL in an id would cut it short in C-string tools downstream (and
    // two ids could then read as one): refused, not guessed at.
    for (c, v) in [
        (Col::ContactId, &contact_id),
        (Col::CustomerId, &customer_raw),
    ] {
        if v.contains('\0') {
            return reject(
                c,
                RejectKind::BadValue,
                format!("'{}' contains a NUL byte", COLUMNS[c as usize].name),
            );
        }
    }
    let started_raw = take(Col::StartedAt).unwrap_or_default();
    if started_raw.trim().is_empty() {
        return reject(
            Col::StartedAt,
            RejectKind::MissingField,
            "missing required field 'started_at'".into(),
        );
    }
    let format = opts.settings.date_format.as_deref();
    let started_at = match parse_timestamp_as(&started_raw, opts.timezone, format) {
        Ok(t) => t,
        Err(e) => return reject(Col::StartedAt, RejectKind::BadTimestamp, e),
    };
    let Some(text) = take(Col::Text) else {
        return reject(
            Col::Text,
            RejectKind::MissingField,
            "missing required field 'text'".into(),
        );
    };

    let mut ignored = Vec::new();
    let opt = |s: Option<String>| s.map(|s| s.trim().to_string()).unwrap_or_default();
    let flag = |c: Col, v: Option<String>, ignored: &mut Vec<&'static str>| -> bool {
        match parse_bool(v.as_deref().unwrap_or("")) {
            Ok(b) => b.unwrap_or(false),
            Err(NotABool) => {
                ignored.push(COLUMNS[c as usize].name);
                false
            }
        }
    };
    let transferred = flag(Col::Transferred, take(Col::Transferred), &mut ignored);
    let escalated = flag(Col::Escalated, take(Col::Escalated), &mut ignored);
    let reopened = flag(Col::Reopened, take(Col::Reopened), &mut ignored);
    let survey_resolved = match parse_bool(take(Col::SurveyResolved).as_deref().unwrap_or("")) {
        Ok(b) => b,
        Err(NotABool) => {
            ignored.push("survey_resolved");
            None
        }
    };
    let direction = match opt(take(Col::Direction)).to_lowercase().as_str() {
        "" | "inbound" | "in" | "incoming" => Direction::Inbound,
        "outbound" | "out" | "outgoing" => Direction::Outbound,
        _ => {
            ignored.push("direction");
            Direction::Inbound
        }
    };
    let csat_raw = opt(take(Col::Csat));
    let csat = if csat_raw.is_empty() {
        None
    } else {
        match csat_raw.parse::<u8>() {
            Ok(v @ 1..=5) => Some(v),
            _ => {
                ignored.push("csat");
                None
            }
        }
    };
    let ticket_id = Some(opt(take(Col::TicketId))).filter(|t| !t.is_empty());
    let customer_id = if opts.settings.is_anonymous(&customer_raw) {
        None
    } else {
        Some(customer_raw.clone())
    };
    let words = text::normalize(&text::customer_words(&text));
    let repeat_cue = text::has_repeat_cue(&words);
    let customer_terms = text::terms(&words);
    Parsed::Ok(
        Box::new(Contact {
            contact_id: contact_id.into(),
            customer_id: customer_id.map(Into::into),
            customer_raw: customer_raw.into(),
            started_at,
            channel: opt(take(Col::Channel)).to_lowercase().into(),
            direction,
            ticket_id: ticket_id.map(Into::into),
            agent_id: opt(take(Col::AgentId)).into(),
            team: opt(take(Col::Team)).into(),
            queue: opt(take(Col::Queue)).into(),
            reason_code: opt(take(Col::ReasonCode)).into(),
            transferred,
            escalated,
            reopened,
            survey_resolved,
            csat,
            segment: opt(take(Col::Segment)).to_lowercase().into(),
            source,
            text,
            customer_terms,
            repeat_cue,
        }),
        ignored,
    )
}

/// A value that is not a boolean.
#[derive(Debug, PartialEq, Eq)]
pub struct NotABool;

/// `true/false, yes/no, 1/0, y/n` in any case; empty is `None`.
pub fn parse_bool(s: &str) -> Result<Option<bool>, NotABool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "yes" | "y" | "1" | "t" => Ok(Some(true)),
        "false" | "no" | "n" | "0" | "f" => Ok(Some(false)),
        _ => Err(NotABool),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans() {
        for t in ["true", "YES", "y", "1", "T"] {
            assert_eq!(parse_bool(t), Ok(Some(true)));
        }
        for f in ["false", "No", "n", "0"] {
            assert_eq!(parse_bool(f), Ok(Some(false)));
        }
        assert_eq!(parse_bool(""), Ok(None));
        assert_eq!(parse_bool("maybe"), Err(NotABool));
    }
}
