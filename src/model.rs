//! The types that cross pipeline stages. Every stage is a function from some
//! of these to others; keeping them in one place keeps the stages swappable.

use std::fmt;

/// Unix time in seconds, UTC.
pub type Timestamp = i64;

/// Who started the contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Customer-initiated: counts as customer effort.
    Inbound,
    /// Company-initiated (follow-up call, callback): part of the episode but
    /// not customer effort.
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

/// Where a row came from, for error messages and `rejected.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceRef {
    /// Index into [`Ingested::files`].
    pub file: u32,
    /// 1-based line where the row starts.
    pub line: u64,
}

/// A short field of a contact (ids, channel, team ...): held inline up to
/// 24 bytes, so a month of them makes no allocation each (a 1M-contact
/// month holds ten per contact).
pub type Field = compact_str::CompactString;

/// One contact (call, chat, email, ticket note ...) after ingest.
#[derive(Debug, Clone)]
pub struct Contact {
    pub contact_id: Field,
    /// `None` for blank or anonymous customers: they are never linked.
    pub customer_id: Option<Field>,
    /// The customer id as written in the input (may be "anonymous").
    pub customer_raw: Field,
    pub started_at: Timestamp,
    pub text: String,
    pub channel: Field,
    pub direction: Direction,
    pub ticket_id: Option<Field>,
    pub agent_id: Field,
    pub team: Field,
    pub queue: Field,
    pub reason_code: Field,
    pub transferred: bool,
    pub escalated: bool,
    pub reopened: bool,
    pub survey_resolved: Option<bool>,
    pub csat: Option<u8>,
    pub segment: Field,
    pub source: SourceRef,
    /// What the customer said, reduced to hashed terms (sorted, unique),
    /// for the lexical same-issue test.
    pub customer_terms: Vec<u64>,
    /// The customer says this is a repeat ("I called before", 还是, שוב ...).
    pub repeat_cue: bool,
}

/// A row that could not be used, with enough to find and fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub file: String,
    pub line: u64,
    /// The contract column at fault, empty when the whole row is.
    pub column: String,
    pub reason: String,
    pub raw_row: String,
}

/// Why a command failed, as its exit code (documented in `--help` and the
/// README). Attached to an error as its context; an error without one is
/// a usage or configuration error, exit 2 as clap's own; a panic (a bug) is
/// Rust's 101.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// An input path is missing or a file cannot be read as contacts.
    InputUnreadable,
    /// Every row was rejected, or there were none.
    NoUsableRows,
    /// The output folder cannot be made, written or put in place.
    OutputNotWritable,
}

impl Failure {
    pub fn exit_code(self) -> i32 {
        match self {
            Failure::InputUnreadable => 3,
            Failure::NoUsableRows => 4,
            Failure::OutputNotWritable => 5,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Failure::InputUnreadable => "cannot read the input",
            Failure::NoUsableRows => "no usable contacts",
            Failure::OutputNotWritable => "cannot write the output",
        })
    }
}

/// Why a row was rejected: the keys of `rejected_by_reason` in metrics.json.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RejectKind {
    /// A CSV record whose field count differs from the header's
    /// (unbalanced quote or stray delimiter).
    WrongFieldCount,
    /// A CSV field or a JSON line that is not UTF-8.
    InvalidUtf8,
    /// A JSON line that does not parse, or is not an object.
    BadJson,
    /// A JSON value that is not a string, number or boolean.
    BadValue,
    /// A required value (`contact_id`, `customer_id`, `started_at`, `text`)
    /// that is absent or blank.
    MissingField,
    /// A `started_at` that does not read as a timestamp.
    BadTimestamp,
    /// A `contact_id` already seen earlier in input order.
    DuplicateContactId,
    /// A CSV quote left open: the field swallowed the rows after it.
    UnclosedQuote,
    /// A JSON line longer than a contact may be (not read whole).
    LineTooLong,
    /// A `started_at` far outside the bulk of the export (a row dated 2100
    /// would move the data's end and every measured episode).
    OutlyingTimestamp,
}

impl RejectKind {
    pub const ALL: [RejectKind; 10] = [
        RejectKind::WrongFieldCount,
        RejectKind::InvalidUtf8,
        RejectKind::BadJson,
        RejectKind::BadValue,
        RejectKind::MissingField,
        RejectKind::BadTimestamp,
        RejectKind::DuplicateContactId,
        RejectKind::UnclosedQuote,
        RejectKind::LineTooLong,
        RejectKind::OutlyingTimestamp,
    ];

    /// The metrics.json key.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectKind::WrongFieldCount => "wrong_field_count",
            RejectKind::InvalidUtf8 => "invalid_utf8",
            RejectKind::BadJson => "bad_json",
            RejectKind::BadValue => "bad_value",
            RejectKind::MissingField => "missing_field",
            RejectKind::BadTimestamp => "bad_timestamp",
            RejectKind::DuplicateContactId => "duplicate_contact_id",
            RejectKind::UnclosedQuote => "unclosed_quote",
            RejectKind::LineTooLong => "line_too_long",
            RejectKind::OutlyingTimestamp => "outlying_timestamp",
        }
    }
}

impl fmt::Display for RejectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Output of the ingest stage.
#[derive(Debug, Default)]
pub struct Ingested {
    /// Contacts in input order (files sorted by path, rows in file order).
    pub contacts: Vec<Contact>,
    pub rejected: Vec<Rejection>,
    /// Input files read, in order, as given on the command line.
    pub files: Vec<String>,
    pub stats: IngestStats,
}

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct IngestStats {
    pub files_read: usize,
    pub files_empty: Vec<String>,
    pub rows_read: u64,
    pub rows_accepted: u64,
    pub rows_rejected: u64,
    /// Rejections per reason kind, keyed by [`RejectKind::as_str`]
    /// (`missing_field`, `bad_timestamp`, ...).
    pub rejected_by_reason: std::collections::BTreeMap<String, u64>,
    /// Optional values that could not be read and were left empty, per column.
    pub ignored_values: std::collections::BTreeMap<String, u64>,
    pub anonymous_contacts: u64,
    pub empty_text_contacts: u64,
}

/// Why a contact belongs to its episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The first contact of the episode.
    First,
    /// A later inbound contact about the same issue: customer effort.
    Repeat,
    /// The continuation of a transferred contact: one contact, not a repeat.
    TransferLeg,
    /// A company-initiated contact inside the episode.
    Outbound,
    /// An inbound contact that states no problem ("Thanks, all sorted!",
    /// "Yes.") inside an open episode: part of it, not a repeat.
    Courtesy,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::First => "first",
            Role::Repeat => "repeat",
            Role::TransferLeg => "transfer_leg",
            Role::Outbound => "outbound",
            Role::Courtesy => "courtesy",
        }
    }
}

/// Why a contact joined an episode (for audit in contacts.csv).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkReason {
    /// Started a new episode.
    New,
    SameTicket,
    Transfer,
    /// Customer words similar to the episode's.
    SimilarText,
    /// The customer said it is a repeat.
    RepeatCue,
    /// `--same-issue any`: any contact in the window is a repeat.
    InWindow,
    /// Outbound contact attached to the customer's open episode.
    FollowUp,
    /// A contact stating no problem, attached to the open episode it
    /// answers or thanks for.
    Courtesy,
}

impl LinkReason {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkReason::New => "new",
            LinkReason::SameTicket => "same_ticket",
            LinkReason::Transfer => "transfer",
            LinkReason::SimilarText => "similar_text",
            LinkReason::RepeatCue => "repeat_cue",
            LinkReason::InWindow => "in_window",
            LinkReason::FollowUp => "follow_up",
            LinkReason::Courtesy => "courtesy",
        }
    }
}

/// A signal that makes an episode non-FCR, as named in the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    RepeatContact,
    Reopened,
    Transferred,
    Escalated,
    SurveyUnresolved,
}

impl Signal {
    pub const ALL: [Signal; 5] = [
        Signal::RepeatContact,
        Signal::Reopened,
        Signal::Transferred,
        Signal::Escalated,
        Signal::SurveyUnresolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Signal::RepeatContact => "repeat_contact",
            Signal::Reopened => "reopened",
            Signal::Transferred => "transferred",
            Signal::Escalated => "escalated",
            Signal::SurveyUnresolved => "survey_unresolved",
        }
    }

    pub fn parse(s: &str) -> Option<Signal> {
        Signal::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One customer's issue: its first contact and every repeat.
#[derive(Debug, Clone)]
pub struct Episode {
    /// `2026-10-E0000001`: the period, then a number by first contact
    /// time, so ids stay unique when months are stacked.
    pub episode_id: String,
    /// Contact indices (into [`Ingested::contacts`]) in time order.
    pub contacts: Vec<usize>,
    /// The contact the episode is judged from: first inbound, else first.
    pub first: usize,
    pub first_started_at: Timestamp,
    pub last_started_at: Timestamp,
    /// Customer-initiated contacts (inbound, transfer legs excluded).
    pub n_inbound: usize,
    pub n_outbound: usize,
    pub n_repeats: usize,
    /// `--fcr-basis deadline`: repeats before the promise expired.
    pub n_chases: usize,
    pub signals: Vec<Signal>,
    /// Last survey answer in the episode.
    pub survey_resolved: Option<bool>,
    /// The last contact lies within the repeat window of the data's end.
    pub window_open: bool,
    /// Its FCR outcome is known: a customer-initiated contact, and the first
    /// contact lies at least one repeat window before the data's end. The
    /// headline FCR rate is `fcr` over these.
    pub measured: bool,
    /// Resolved on first contact: a customer-initiated contact, no signal,
    /// and the window is closed.
    pub fcr: bool,
    /// No CRM signal (the survey and the open window ignored), for the
    /// survey comparison.
    pub crm_fcr: bool,
    pub category_id: Option<String>,
    pub theme_id: Option<String>,
}

/// Per contact, where linking put it.
#[derive(Debug, Clone, Copy)]
pub struct ContactLink {
    /// Index into [`Linked::episodes`].
    pub episode: usize,
    pub role: Role,
    pub reason: LinkReason,
    /// Similarity to the episode when it was linked by text.
    pub similarity: f32,
}

/// Output of the episodes stage.
#[derive(Debug, Default)]
pub struct Linked {
    pub episodes: Vec<Episode>,
    /// Parallel to [`Ingested::contacts`].
    pub links: Vec<ContactLink>,
    /// Latest contact time in the data: the end used for censoring.
    pub data_end: Timestamp,
}

/// The contact reason of one non-FCR episode (input to embed/cluster).
#[derive(Debug, Clone)]
pub struct Reason {
    /// Index into [`Linked::episodes`].
    pub episode: usize,
    /// The contact the reason was taken from (the episode's first).
    pub contact: usize,
    /// The customer's statement of the problem (not masked: masking is for
    /// what the report quotes).
    pub text: String,
}

/// The embedders of a run that read reasons in several scripts, for the
/// report to describe in its language: `main` for English reasons,
/// `other` for `scripts` (lower-case script names: `han`, `hebrew`).
#[derive(Debug, Clone, PartialEq)]
pub struct EmbedderSpaces {
    pub main: String,
    pub other: String,
    pub scripts: Vec<String>,
    /// Whether `other` is a model (else the lexical fallback: the report
    /// says how to get one).
    pub other_model: bool,
}

/// Episodes the ranking leaves out, counted and shown with examples: those
/// whose reason states no problem, and those that fit no category.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SetAside {
    pub episodes: usize,
    /// Their contacts after the first.
    pub extra_contacts: usize,
    /// (contact id, the reason as quoted: PII masked, one line).
    pub examples: Vec<(String, String)>,
}

/// Output of the cluster stage over the reasons.
#[derive(Debug, Clone, Default)]
pub struct Clusters {
    /// Per reason, its cluster, `None` when it fits nothing.
    pub cluster_of: Vec<Option<usize>>,
    /// L2-normalised centre of each cluster.
    pub centroids: Vec<Vec<f32>>,
}

/// A named category (output of the label stage), before ranking.
#[derive(Debug, Clone)]
pub struct Category {
    /// Reason indices in the category.
    pub members: Vec<usize>,
    /// Class-based TF-IDF keywords, best first (surface forms).
    pub keywords: Vec<String>,
    /// A short name made from the top keywords.
    pub label: String,
    /// Representative reasons (indices), closest to the centre and diverse.
    pub quotes: Vec<usize>,
    pub centroid: Vec<f32>,
    /// Mean cosine of the members to the centre, in the space they were
    /// clustered in (`cluster::cohesion`).
    pub cohesion: f64,
    /// Name phrases, best first: where to look when a theme takes this
    /// category's name.
    pub name_candidates: Vec<String>,
}

/// How a category moved since last month (`recontact run --previous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendFlag {
    /// No match last month (and not a split of a matched one).
    New,
    /// Matched (merges included); significantly larger share of the
    /// non-FCR episodes.
    Rising,
    /// Matched (merges included); significantly smaller share.
    Falling,
    /// Matched; the change is within noise.
    Stable,
    /// A second category whose best match last month is already matched:
    /// part of that category split off.
    Split,
    /// The best match of two or more of last month's categories, within
    /// noise (a significant move is `rising`/`falling`; `matched_from`
    /// still lists every merged id).
    Merged,
}

impl TrendFlag {
    pub fn as_str(self) -> &'static str {
        match self {
            TrendFlag::New => "new",
            TrendFlag::Rising => "rising",
            TrendFlag::Falling => "falling",
            TrendFlag::Stable => "stable",
            TrendFlag::Split => "split",
            TrendFlag::Merged => "merged",
        }
    }
}

/// One category this month against last month's (set with `--previous`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CategoryTrend {
    pub flag: TrendFlag,
    /// Last month's category ids this one continues (one when matched;
    /// several when merged; the parent when split; none when new).
    pub matched_from: Vec<String>,
    /// Similarity of the match (centroid cosine or term-profile cosine).
    pub match_score: Option<f64>,
    pub prev_label: Option<String>,
    pub prev_episodes: usize,
    pub prev_extra_contacts: usize,
    /// Episodes of this category (with the categories that split from the
    /// one it continues) per non-FCR episode clustered, this month and last
    /// month; the deltas and the test use the same counts.
    pub episode_share: f64,
    pub prev_episode_share: f64,
    pub episodes_delta: i64,
    pub extra_contacts_delta: i64,
    /// Two-sided exact conditional binomial test of this month's episodes
    /// given both months' (adjusted over the categories tested:
    /// Benjamini–Hochberg, or Holm with `--trend-correction holm`).
    pub p_value: Option<f64>,
    /// `p_value < 0.05`.
    pub significant: bool,
}

/// A category id: `CAT-` and the number with at least `width` digits (4,
/// or more when a month has more categories, so that ids sort as text).
/// Every writer and reader of ids goes through these two.
pub fn category_id(n: u64, width: usize) -> String {
    format!("CAT-{n:0width$}")
}

/// A theme's id: `THM-` and its number, zero-padded to `width` digits.
pub fn theme_id(n: u64, width: usize) -> String {
    format!("THM-{n:0width$}")
}

/// The number of a `THM-` id.
pub fn theme_id_number(id: &str) -> Option<u64> {
    id.strip_prefix("THM-")?.parse().ok()
}

/// The number of a `CAT-` id.
pub fn category_id_number(id: &str) -> Option<u64> {
    id.strip_prefix("CAT-")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_ids_round_trip_at_any_width() {
        assert_eq!(category_id(7, 4), "CAT-0007");
        assert_eq!(category_id(12345, 4), "CAT-12345");
        assert_eq!(category_id(7, 5), "CAT-00007");
        assert_eq!(category_id_number("CAT-00007"), Some(7));
        assert_eq!(category_id_number("CAT-x"), None);
        assert_eq!(category_id_number("KAT-0001"), None);
    }

    #[test]
    fn reject_kinds_are_distinct_snake_case_keys() {
        // No wildcard: a new variant stops this compiling until it is named
        // here, and so remembered in ALL.
        fn _every_variant(k: RejectKind) {
            match k {
                RejectKind::WrongFieldCount
                | RejectKind::InvalidUtf8
                | RejectKind::BadJson
                | RejectKind::BadValue
                | RejectKind::MissingField
                | RejectKind::BadTimestamp
                | RejectKind::DuplicateContactId
                | RejectKind::UnclosedQuote
                | RejectKind::LineTooLong
                | RejectKind::OutlyingTimestamp => {}
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for k in RejectKind::ALL {
            let s = k.as_str();
            assert!(seen.insert(s), "{s} used twice");
            assert!(
                s.starts_with(|c: char| c.is_ascii_lowercase())
                    && s.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    && !s.ends_with('_')
                    && !s.contains("__"),
                "{s} is not snake_case"
            );
            assert_eq!(k.to_string(), s);
        }
    }
}

/// The last twelve months from the `--history` dataset, as the report
/// shows them: the FCR trend, each theme's months, and whether the themes
/// that fell stayed down ("did the fix land?").
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Year {
    /// The twelve calendar months ending with this one, oldest first.
    pub periods: Vec<String>,
    /// FCR per period; `None` where the dataset has no such month.
    pub fcr: Vec<Option<f64>>,
    /// Episodes per period (the test's exposure); `None` as above.
    pub episodes: Vec<Option<u64>>,
    /// How many months before this one the theme ids run back through
    /// runs that continued each other's ids (`--previous`, or the
    /// dataset's previous month): the theme series are only that long.
    pub linked_months: usize,
    /// This month's themes, in rank order.
    pub themes: Vec<ThemeYear>,
    /// Themes below their usual level this month (or not seen at all),
    /// the biggest fall first.
    pub fell: Vec<ThemeYear>,
}

/// One theme id over the year.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ThemeYear {
    pub theme_id: String,
    pub name: String,
    /// Extra contacts per period: `None` before the ids run back, or in a
    /// month missing from the dataset; 0 in a linked month it was not seen.
    pub extra_contacts: Vec<Option<u64>>,
    /// Episodes per period, as above.
    pub episodes: Vec<Option<u64>>,
    /// Mean extra contacts a month over the linked months before this one
    /// (at least [`crate::model::USUAL_MONTHS`] of them), else `None`.
    pub usual_extra_contacts: Option<f64>,
    /// This month's episodes per 1,000 episodes, and the same over the
    /// linked months before.
    pub rate: f64,
    pub usual_rate: Option<f64>,
    /// Exact two-sided binomial test of this month's episodes given this
    /// month's and the earlier linked months' (p0 = this month's share of
    /// their episodes), adjusted over the themes tested.
    pub p_value: Option<f64>,
    pub significant: bool,
}

/// Earlier linked months a theme needs before it has a usual level: with
/// one, the month-over-month test already says it.
pub const USUAL_MONTHS: usize = 2;
