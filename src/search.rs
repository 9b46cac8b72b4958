//! Searching a run's contact index: tantivy query syntax plus the filters
//! quality teams use (non-FCR, category, channel, team, dates, repeats).
//!
//! Results are ordered by relevance, ties by input order, so the same query
//! on the same month always lists the same contacts.

use std::ops::{Bound, Range};

use anyhow::{anyhow, bail, Result};
use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{
    DateTime, DocAddress, ReloadPolicy, Score, Searcher, SegmentReader, TantivyDocument, Term,
};

use crate::index::{ContactIndex, Fields, IndexMeta};
use crate::text::reason::mask_pii;

/// Filters on top of the query; all must hold.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Only contacts of episodes with a non-FCR signal.
    pub non_fcr: bool,
    /// Category ids (any of them).
    pub categories: Vec<String>,
    pub channels: Vec<String>,
    pub teams: Vec<String>,
    /// Unix seconds, inclusive.
    pub from: Option<i64>,
    /// Unix seconds, exclusive.
    pub to: Option<i64>,
    pub repeat_only: bool,
    /// Only the contact each episode is judged from (one per episode).
    pub episode_first_only: bool,
}

/// One contact found.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub contact_id: String,
    pub customer_id: String,
    pub episode_id: String,
    pub started_at: String,
    #[serde(skip)]
    pub started_at_unix: i64,
    pub channel: String,
    pub direction: String,
    pub team: String,
    pub role: String,
    pub fcr: bool,
    pub non_fcr_signals: Vec<String>,
    pub category_id: String,
    pub category: String,
    pub score: f32,
    /// A passage of the contact's text around the matches, PII masked.
    pub snippet: String,
    /// Byte ranges of the matched words in `snippet`.
    pub highlights: Vec<(usize, usize)>,
    #[serde(skip)]
    pub ord: u64,
    /// The whole text as stored (not masked).
    #[serde(skip)]
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Found {
    /// Contacts that match, before `limit`.
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// The fields a bare word searches: what was said, by either side, not
/// the category's name (`category:coupon` for that), so a hit always shows
/// its words.
fn default_fields(f: &Fields) -> Vec<Field> {
    vec![f.customer, f.agent]
}

/// Field names users may write as `field:value`, for error messages.
pub const QUERY_FIELDS: &str = "customer, agent, category, category_id, channel, team, direction, role, agent_id, queue, ticket_id, segment, customer_id, contact_id, episode_id, non_fcr_signals, fcr, non_fcr, is_repeat, started_at";

/// Parses a user's query; the empty query and `*` match every contact.
pub fn parse_query(ix: &ContactIndex, query: &str) -> Result<Box<dyn Query>> {
    let q = crate::text::normalize_width(query);
    let q = q.trim();
    if q.is_empty() || q == "*" {
        return Ok(Box::new(AllQuery));
    }
    let mut parser = QueryParser::for_index(&ix.index, default_fields(&ix.fields));
    // Several words narrow the search, as in every search box.
    parser.set_conjunction_by_default();
    parser.parse_query(q).map_err(|e| {
        anyhow!(
            "cannot read the query `{query}`: {e}\n  syntax: words, \"a phrase\", AND / OR / NOT, (groups), field:value, started_at:[2026-10-01T00:00:00Z TO 2026-10-08T00:00:00Z}}\n  fields: {QUERY_FIELDS}"
        )
    })
}

fn keyword_terms(field: Field, values: &[String]) -> Box<dyn Query> {
    let clauses: Vec<(Occur, Box<dyn Query>)> = values
        .iter()
        .map(|v| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, &v.to_lowercase()),
                IndexRecordOption::Basic,
            ));
            (Occur::Should, q)
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

fn flag(field: Field) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_bool(field, true),
        IndexRecordOption::Basic,
    ))
}

/// The query with the filters as required clauses.
pub fn filtered(ix: &ContactIndex, query: Box<dyn Query>, filters: &Filters) -> Box<dyn Query> {
    let f = &ix.fields;
    let mut must: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, query)];
    if filters.non_fcr {
        must.push((Occur::Must, flag(f.non_fcr)));
    }
    if filters.repeat_only {
        must.push((Occur::Must, flag(f.is_repeat)));
    }
    if filters.episode_first_only {
        must.push((Occur::Must, flag(f.episode_first)));
    }
    if !filters.categories.is_empty() {
        must.push((
            Occur::Must,
            keyword_terms(f.category_id, &filters.categories),
        ));
    }
    if !filters.channels.is_empty() {
        must.push((Occur::Must, keyword_terms(f.channel, &filters.channels)));
    }
    if !filters.teams.is_empty() {
        must.push((Occur::Must, keyword_terms(f.team, &filters.teams)));
    }
    if filters.from.is_some() || filters.to.is_some() {
        // Every indexed time lies in the years recontact reads; beyond them
        // a bound would overflow tantivy's nanoseconds.
        let term = |t: i64| {
            let t = t.clamp(crate::time::EARLIEST, crate::time::LATEST);
            Term::from_field_date(f.started_at, DateTime::from_timestamp_secs(t))
        };
        let lower = filters
            .from
            .map(|t| Bound::Included(term(t)))
            .unwrap_or(Bound::Unbounded);
        let upper = filters
            .to
            .map(|t| Bound::Excluded(term(t)))
            .unwrap_or(Bound::Unbounded);
        must.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
    }
    if must.len() == 1 {
        return must.remove(0).1;
    }
    Box::new(BooleanQuery::new(must))
}

/// Opens a searcher over the whole index.
pub fn searcher(ix: &ContactIndex) -> Result<Searcher> {
    let reader = ix
        .index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    Ok(reader.searcher())
}

/// Input order of a document, for stable ties.
fn ord_reader(segment: &SegmentReader) -> impl Fn(tantivy::DocId) -> u64 {
    let col = segment.fast_fields().u64("ord").ok();
    move |doc| col.as_ref().and_then(|c| c.first(doc)).unwrap_or(u64::MAX)
}

/// Runs a query with filters and returns the best `limit` contacts.
pub fn search(ix: &ContactIndex, query: &str, filters: &Filters, limit: usize) -> Result<Found> {
    let parsed = parse_query(ix, query)?;
    let text_query = parsed.box_clone();
    let q = filtered(ix, parsed, filters);
    let searcher = searcher(ix)?;
    // Never more than the index holds: the collector allocates for its
    // limit (`--limit 4294967295` aborted).
    let limit = limit.min(usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX));
    // Best score first; equal scores in input order.
    let top = TopDocs::with_limit(limit.max(1)).tweak_score(|segment: &SegmentReader| {
        let ord = ord_reader(segment);
        move |doc: tantivy::DocId, score: Score| (score, u64::MAX - ord(doc))
    });
    let (total, docs) = searcher.search(&*q, &(Count, top))?;
    let f = &ix.fields;
    let generators: Vec<SnippetGenerator> = [f.customer, f.agent]
        .into_iter()
        .filter_map(|field| {
            let mut g = SnippetGenerator::create(&searcher, &*text_query, field).ok()?;
            g.set_max_num_chars(180);
            Some(g)
        })
        .collect();
    let mut hits = Vec::with_capacity(docs.len());
    for ((score, _), addr) in docs.into_iter().take(limit) {
        hits.push(hit(ix, &searcher, addr, score, &generators)?);
    }
    Ok(Found { total, hits })
}

fn first_str(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string()
}

fn first_bool(doc: &TantivyDocument, field: Field) -> bool {
    doc.get_first(field)
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// A stored contact, as `search` and `sample` show it.
pub fn hit(
    ix: &ContactIndex,
    searcher: &Searcher,
    addr: DocAddress,
    score: f32,
    generators: &[SnippetGenerator],
) -> Result<Hit> {
    let f = &ix.fields;
    let doc: TantivyDocument = searcher.doc(addr)?;
    let text = first_str(&doc, f.text);
    let started = doc
        .get_first(f.started_at)
        .and_then(|v| v.as_datetime())
        .map(|d| d.into_timestamp_secs())
        .unwrap_or(0);
    let snippet = generators
        .iter()
        .map(|g| g.snippet(&text))
        .find(|s| !s.highlighted().is_empty());
    let (snippet, highlights) = match snippet {
        Some(s) => masked_snippet(&s),
        None => (mask_pii(&lead(&text, 180)), Vec::new()),
    };
    Ok(Hit {
        contact_id: first_str(&doc, f.contact_id),
        customer_id: first_str(&doc, f.customer_id),
        episode_id: first_str(&doc, f.episode_id),
        started_at: ix.format_time(started),
        started_at_unix: started,
        channel: first_str(&doc, f.channel),
        direction: first_str(&doc, f.direction),
        team: first_str(&doc, f.team),
        role: first_str(&doc, f.role),
        fcr: first_bool(&doc, f.fcr),
        non_fcr_signals: doc
            .get_all(f.non_fcr_signals)
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        category_id: first_str(&doc, f.category_id),
        category: first_str(&doc, f.category),
        score,
        snippet,
        highlights,
        ord: doc.get_first(f.ord).and_then(|v| v.as_u64()).unwrap_or(0),
        text,
    })
}

/// The first `n` characters of a text on one line.
pub fn lead(text: &str, n: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= n {
        one_line
    } else {
        format!("{}…", one_line.chars().take(n).collect::<String>())
    }
}

/// Masks PII in a snippet piece by piece so the highlight ranges survive.
fn masked_snippet(s: &Snippet) -> (String, Vec<(usize, usize)>) {
    let frag = s.fragment();
    let mut out = String::new();
    let mut ranges = Vec::new();
    let mut at = 0;
    let flat = |t: &str| t.replace(['\n', '\r', '\t'], " ");
    // Words filed under several forms at one place (Chinese sub-words,
    // Hebrew prefix forms) give overlapping ranges: one highlight each.
    let mut merged: Vec<Range<usize>> = Vec::new();
    let mut sorted: Vec<Range<usize>> = s.highlighted().to_vec();
    sorted.sort_by_key(|r| (r.start, r.end));
    for r in sorted {
        match merged.last_mut() {
            Some(last) if r.start < last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    for r in merged {
        let Range { start, end } = r;
        out.push_str(&flat(&mask_pii(&frag[at..start])));
        let from = out.len();
        out.push_str(&flat(&mask_pii(&frag[start..end])));
        ranges.push((from, out.len()));
        at = end;
    }
    out.push_str(&flat(&mask_pii(&frag[at..])));
    (out, ranges)
}

/// A category given by id or name (exact, then a unique part of a name).
pub fn resolve_category(meta: &IndexMeta, wanted: &str) -> Result<String> {
    let w = wanted.trim().to_lowercase();
    if let Some(c) = meta
        .categories
        .iter()
        .find(|c| c.category_id.to_lowercase() == w || c.name.to_lowercase() == w)
    {
        return Ok(c.category_id.clone());
    }
    let partial: Vec<_> = meta
        .categories
        .iter()
        .filter(|c| c.name.to_lowercase().contains(&w))
        .collect();
    match partial.as_slice() {
        [one] => Ok(one.category_id.clone()),
        [] => bail!(
            "no category '{wanted}' in this run ({} categories; their ids and names are in categories.csv)",
            meta.categories.len()
        ),
        many => bail!(
            "'{wanted}' names {} categories: {}; give an id",
            many.len(),
            many.iter()
                .take(8)
                .map(|c| format!("{} ({})", c.category_id, c.name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A date or time on the command line, in the run's time zone: `2026-10-01`,
/// `2026-10-01T14:00`, `2026-10-01 14:00:00`, or RFC 3339 with an offset.
/// `end_of_day` makes a bare date mean the end of that day (for `--to`).
pub fn parse_when(s: &str, tz: Tz, end_of_day: bool) -> Result<i64> {
    let t = parse_when_any(s.trim(), tz, end_of_day)?;
    if !(crate::time::EARLIEST..=crate::time::LATEST).contains(&t) {
        bail!("the date '{}' is outside the years 1900-2199", s.trim());
    }
    Ok(t)
}

fn parse_when_any(s: &str, tz: Tz, end_of_day: bool) -> Result<i64> {
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(d.timestamp());
    }
    let local = |n: NaiveDateTime| -> Result<i64> {
        tz.from_local_datetime(&n)
            .earliest()
            .map(|d| d.timestamp())
            .ok_or_else(|| anyhow!("'{s}' does not exist in time zone {tz}"))
    };
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return local(n);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let d = if end_of_day {
            d.succ_opt()
                .ok_or_else(|| anyhow!("'{s}': date out of range"))?
        } else {
            d
        };
        return local(d.and_time(chrono::NaiveTime::MIN));
    }
    bail!("cannot read the date '{s}': use 2026-10-01, 2026-10-01T14:30 or RFC 3339")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_in_the_run_time_zone() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let from = parse_when("2026-10-01", tz, false).unwrap();
        let to = parse_when("2026-10-01", tz, true).unwrap();
        assert_eq!(to - from, 86_400);
        // Midnight in Shanghai is 16:00 UTC the day before.
        assert_eq!(from, parse_when("2026-09-30T16:00:00Z", tz, false).unwrap());
        assert_eq!(
            parse_when("2026-10-01 08:30", tz, false).unwrap(),
            from + 8 * 3600 + 1800
        );
        assert!(parse_when("01/10/2026", tz, false).is_err());
    }

    #[test]
    fn categories_resolve_by_id_name_or_unique_part() {
        let meta = IndexMeta {
            schema_version: 1,
            timezone: "UTC".into(),
            contacts: 0,
            data_start: String::new(),
            data_end: String::new(),
            categories: vec![
                crate::index::IndexedCategory {
                    category_id: "CAT-0001".into(),
                    name: "coupon / checkout".into(),
                    episodes: 3,
                },
                crate::index::IndexedCategory {
                    category_id: "CAT-0002".into(),
                    name: "refund / card".into(),
                    episodes: 2,
                },
            ],
        };
        assert_eq!(resolve_category(&meta, "cat-0002").unwrap(), "CAT-0002");
        assert_eq!(
            resolve_category(&meta, "Coupon / Checkout").unwrap(),
            "CAT-0001"
        );
        assert_eq!(resolve_category(&meta, "refund").unwrap(), "CAT-0002");
        assert!(resolve_category(&meta, "c").is_err());
        assert!(resolve_category(&meta, "parcel").is_err());
    }

    mod props {
        //! Property tests: no query, filter or date a user types makes
        //! `search` panic.

        use super::super::*;
        use crate::index::{register_tokenizers, schema, IndexedCategory};
        use crate::test_support::{fuzz_config, hostile_text};
        use proptest::prelude::*;
        use proptest::sample::select;
        use std::sync::OnceLock;

        /// Three contacts in English, Chinese (with a word inside a word)
        /// and Hebrew, in memory.
        fn small_index() -> &'static ContactIndex {
            static IX: OnceLock<ContactIndex> = OnceLock::new();
            IX.get_or_init(|| {
                let index = tantivy::Index::create_in_ram(schema());
                register_tokenizers(&index);
                let f = Fields::from_schema(&index.schema()).unwrap();
                let mut w: tantivy::IndexWriter =
                    index.writer_with_num_threads(1, 50 << 20).unwrap();
                let texts = [
                    "Customer: my refund has not arrived, call me on 07700 900123\nAgent: sorry",
                    "客户：我的优惠券找不到了，退款还没有到账",
                    "לקוח: הכרטיס החדש לא הגיע \u{202e}",
                ];
                for (i, text) in texts.iter().enumerate() {
                    let mut d = TantivyDocument::default();
                    d.add_u64(f.ord, i as u64);
                    d.add_text(f.contact_id, format!("c{i}"));
                    d.add_text(f.customer_id, "U1");
                    d.add_text(f.episode_id, "E1");
                    d.add_date(
                        f.started_at,
                        DateTime::from_timestamp_secs(1_790_000_000 + i as i64),
                    );
                    d.add_text(f.channel, "phone");
                    d.add_text(f.team, "cards");
                    d.add_text(f.role, "first");
                    d.add_bool(f.is_repeat, i == 1);
                    d.add_bool(f.episode_first, i == 0);
                    d.add_bool(f.fcr, i == 2);
                    d.add_bool(f.non_fcr, i != 2);
                    d.add_text(f.category_id, "CAT-0001");
                    d.add_text(f.category, "refund");
                    d.add_text(f.text, text);
                    d.add_text(f.customer, text);
                    d.add_text(f.agent, "sorry");
                    w.add_document(d).unwrap();
                }
                w.commit().unwrap();
                ContactIndex {
                    index,
                    fields: f,
                    meta: IndexMeta {
                        schema_version: crate::index::INDEX_SCHEMA_VERSION,
                        timezone: "UTC".into(),
                        contacts: 3,
                        data_start: String::new(),
                        data_end: String::new(),
                        categories: vec![IndexedCategory {
                            category_id: "CAT-0001".into(),
                            name: "refund".into(),
                            episodes: 1,
                        }],
                    },
                    timezone: chrono_tz::UTC,
                }
            })
        }

        /// Queries made of the syntax's own pieces: fields, ranges,
        /// phrases, boosts, slops, groups, and the month's words.
        fn query() -> impl Strategy<Value = String> {
            let fields: Vec<String> = QUERY_FIELDS.split(", ").map(|f| format!("{f}:")).collect();
            let piece = prop_oneof![
                select(fields),
                select(&[
                    "refund",
                    "退款",
                    "优惠券",
                    "הכרטיס",
                    "\"",
                    " ",
                    "(",
                    ")",
                    "[",
                    "]",
                    "{",
                    "}",
                    " TO ",
                    " AND ",
                    " OR ",
                    "NOT ",
                    "-",
                    "+",
                    "~2",
                    "^3",
                    "^-1",
                    "*",
                    ":",
                    ">",
                    "<=",
                    "2026-10-01T00:00:00Z",
                    "9999-12-31T23:59:59Z",
                    "-262143-01-01T00:00:00Z",
                    "1e999",
                    "true",
                    "maybe",
                    "18446744073709551615",
                    "\\",
                    "IN [",
                    "'",
                ])
                .prop_map(str::to_string),
                hostile_text(),
            ];
            proptest::collection::vec(piece, 0..8).prop_map(|v| v.concat())
        }

        fn filters() -> impl Strategy<Value = Filters> {
            let words = || proptest::collection::vec(hostile_text(), 0..2);
            let when = || {
                proptest::option::of(prop_oneof![
                    any::<i64>(),
                    crate::time::EARLIEST..crate::time::LATEST,
                ])
            };
            (any::<[bool; 3]>(), words(), words(), when(), when()).prop_map(
                |([non_fcr, repeat_only, episode_first_only], categories, channels, from, to)| {
                    Filters {
                        non_fcr,
                        categories,
                        channels,
                        teams: vec!["cards".into()],
                        from,
                        to,
                        repeat_only,
                        episode_first_only,
                    }
                },
            )
        }

        proptest! {
            #![proptest_config(fuzz_config(512))]

            #[test]
            fn any_query_is_answered_or_refused(q in query(), f in filters(), limit in 0usize..5) {
                if let Ok(found) = search(small_index(), &q, &f, limit) {
                    prop_assert!(found.hits.len() <= limit.max(1));
                    for h in &found.hits {
                        for &(a, b) in &h.highlights {
                            prop_assert!(a <= b && b <= h.snippet.len());
                            prop_assert!(h.snippet.is_char_boundary(a) && h.snippet.is_char_boundary(b));
                        }
                    }
                }
            }

            #[test]
            fn any_date_or_category_is_read_or_refused(s in hostile_text(), end in any::<bool>()) {
                if let Ok(t) = parse_when(&s, chrono_tz::Asia::Jerusalem, end) {
                    prop_assert!((crate::time::EARLIEST..=crate::time::LATEST).contains(&t));
                }
                let _ = resolve_category(&small_index().meta, &s);
                lead(&s, 5);
            }
        }

        #[test]
        fn dates_past_the_index_range_are_refused() {
            let utc = chrono_tz::UTC;
            let e = parse_when("9999-12-31", utc, true).unwrap_err();
            assert!(e.to_string().contains("outside the years"), "{e}");
            let f = Filters {
                from: Some(i64::MIN),
                to: Some(i64::MAX),
                ..Filters::default()
            };
            assert_eq!(search(small_index(), "", &f, 5).unwrap().total, 3);
        }
    }
}
