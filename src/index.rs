//! Index stage: a tantivy full-text index of every contact, written to
//! `index/` in the output folder, for `recontact search` and
//! `recontact sample`.
//!
//! Built from the contacts, episodes and categories already in memory (the
//! inputs are never re-read). One document per contact; the text is stored
//! whole (`text`) and indexed as the customer's turns (`customer`) and the
//! agent's (`agent`): a bare word searches both. Words come from [`ContactTokenizer`]: jieba for
//! Chinese, Unicode word runs for everything else, case-folded, English
//! stems for Latin-script words.
//!
//! The index is a search structure, not a contract file: tantivy names its
//! segments with random ids, so its bytes differ between runs while every
//! query answers the same (results are ordered by score, then input order).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, FAST, INDEXED, STORED,
};
use tantivy::tokenizer::{LowerCaser, RawTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::{DateTime, Index, IndexWriter, TantivyDocument};

use crate::model::{Ingested, Linked, Role};
use crate::rank::RankedCategory;
use crate::text::{turns, Speaker};
use crate::time::format_time;

/// Version of the index layout; `search`/`sample` refuse other versions.
pub const INDEX_SCHEMA_VERSION: u32 = 2;
/// Name of the metadata file beside tantivy's files.
pub const META_FILE: &str = "recontact-index.json";
/// Tokenizer names registered on every index.
const WORDS: &str = "recontact_words";
const KEYWORD: &str = "recontact_keyword";

/// What `search` and `sample` need to know beyond tantivy's own files.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexMeta {
    pub schema_version: u32,
    /// IANA time zone of the run: dates on the command line are read in it.
    pub timezone: String,
    pub contacts: u64,
    pub data_start: String,
    pub data_end: String,
    /// Categories in rank order.
    pub categories: Vec<IndexedCategory>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexedCategory {
    pub category_id: String,
    pub name: String,
    pub episodes: usize,
}

/// The fields of the contact index.
#[derive(Clone, Copy)]
pub struct Fields {
    /// Input order of the contact: the tie-breaker that makes results stable.
    pub ord: Field,
    pub contact_id: Field,
    pub customer_id: Field,
    pub episode_id: Field,
    pub started_at: Field,
    pub channel: Field,
    pub direction: Field,
    pub team: Field,
    pub agent_id: Field,
    pub queue: Field,
    pub ticket_id: Field,
    pub segment: Field,
    /// first / repeat / transfer_leg / outbound.
    pub role: Field,
    pub is_repeat: Field,
    /// The contact the episode is judged from (one per episode).
    pub episode_first: Field,
    /// The episode was resolved on first contact.
    pub fcr: Field,
    /// The episode has a non-FCR signal.
    pub non_fcr: Field,
    pub non_fcr_signals: Field,
    pub category_id: Field,
    pub category: Field,
    pub text: Field,
    pub customer: Field,
    pub agent: Field,
}

impl Fields {
    pub fn from_schema(schema: &Schema) -> Result<Fields> {
        let f = |name: &str| {
            schema.get_field(name).with_context(|| {
                format!(
                    "the index has no field '{name}': rebuild it with this version of recontact"
                )
            })
        };
        Ok(Fields {
            ord: f("ord")?,
            contact_id: f("contact_id")?,
            customer_id: f("customer_id")?,
            episode_id: f("episode_id")?,
            started_at: f("started_at")?,
            channel: f("channel")?,
            direction: f("direction")?,
            team: f("team")?,
            agent_id: f("agent_id")?,
            queue: f("queue")?,
            ticket_id: f("ticket_id")?,
            segment: f("segment")?,
            role: f("role")?,
            is_repeat: f("is_repeat")?,
            episode_first: f("episode_first")?,
            fcr: f("fcr")?,
            non_fcr: f("non_fcr")?,
            non_fcr_signals: f("non_fcr_signals")?,
            category_id: f("category_id")?,
            category: f("category")?,
            text: f("text")?,
            customer: f("customer")?,
            agent: f("agent")?,
        })
    }
}

/// The index schema.
pub fn schema() -> Schema {
    let mut b = Schema::builder();
    // Exact values, matched case-insensitively, stored as written, and
    // column-stored for grouping (`sample`).
    let keyword = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(KEYWORD)
                .set_index_option(IndexRecordOption::Basic),
        )
        .set_stored()
        .set_fast("raw");
    let words = |stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(WORDS)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored {
            o.set_stored()
        } else {
            o
        }
    };
    let flag = NumericOptions::default()
        .set_indexed()
        .set_stored()
        .set_fast();
    b.add_u64_field("ord", INDEXED | STORED | FAST);
    b.add_text_field("contact_id", keyword.clone());
    b.add_text_field("customer_id", keyword.clone());
    b.add_text_field("episode_id", keyword.clone());
    b.add_date_field(
        "started_at",
        DateOptions::from(INDEXED)
            .set_stored()
            .set_fast()
            .set_precision(DateTimePrecision::Seconds),
    );
    for name in [
        "channel",
        "direction",
        "team",
        "agent_id",
        "queue",
        "ticket_id",
        "segment",
        "role",
    ] {
        b.add_text_field(name, keyword.clone());
    }
    b.add_bool_field("is_repeat", flag.clone());
    b.add_bool_field("episode_first", flag.clone());
    b.add_bool_field("fcr", flag.clone());
    b.add_bool_field("non_fcr", flag);
    b.add_text_field("non_fcr_signals", keyword.clone());
    b.add_text_field("category_id", keyword);
    b.add_text_field("category", words(true));
    // The whole text is stored for display; it is searched through its two
    // halves (every line belongs to the customer or the agent), so it is
    // tokenized once, not twice.
    b.add_text_field("text", TextOptions::default().set_stored());
    b.add_text_field("customer", words(false));
    b.add_text_field("agent", words(false));
    b.build()
}

/// Registers the tokenizers the schema names.
pub fn register_tokenizers(index: &Index) {
    index
        .tokenizers()
        .register(WORDS, TextAnalyzer::from(ContactTokenizer));
    index.tokenizers().register(
        KEYWORD,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
}

/// What indexing did, for the terminal summary and benchmarks.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndexStats {
    pub contacts: u64,
    /// Bytes of contact text indexed.
    pub text_bytes: u64,
    /// Bytes of the index on disk.
    pub index_bytes: u64,
    pub segments: usize,
    pub secs: f64,
}

/// Writes the index of a run into `dir` (created; must not exist).
#[allow(clippy::too_many_arguments)]
pub fn build(
    dir: &Path,
    ingested: &Ingested,
    linked: &Linked,
    ranked: &[RankedCategory],
    tz: Tz,
    threads: usize,
    data_start: &str,
    data_end: &str,
) -> Result<IndexStats> {
    let started = std::time::Instant::now();
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let index = Index::create_in_dir(dir, schema())
        .with_context(|| format!("cannot create the index in {}", dir.display()))?;
    register_tokenizers(&index);
    let f = Fields::from_schema(&index.schema())?;
    let threads = threads.clamp(1, 8);
    // tantivy's per-thread arena: enough to keep segments few, bounded so
    // memory does not grow with the month.
    let mut writer: IndexWriter = index
        .writer_with_num_threads(threads, (threads * 128) << 20)
        .context("cannot open the index writer")?;
    let names: BTreeMap<&str, &str> = ranked
        .iter()
        .map(|c| (c.category_id.as_str(), c.label.as_str()))
        .collect();
    for (i, c) in ingested.contacts.iter().enumerate() {
        let link = &linked.links[i];
        let e = &linked.episodes[link.episode];
        let mut d = TantivyDocument::default();
        d.add_u64(f.ord, i as u64);
        d.add_text(f.contact_id, &c.contact_id);
        d.add_text(f.customer_id, &c.customer_raw);
        d.add_text(f.episode_id, &e.episode_id);
        d.add_date(f.started_at, DateTime::from_timestamp_secs(c.started_at));
        d.add_text(f.channel, &c.channel);
        d.add_text(f.direction, c.direction.as_str());
        d.add_text(f.team, &c.team);
        d.add_text(f.agent_id, &c.agent_id);
        d.add_text(f.queue, &c.queue);
        d.add_text(f.ticket_id, c.ticket_id.as_deref().unwrap_or(""));
        d.add_text(f.segment, &c.segment);
        d.add_text(f.role, link.role.as_str());
        d.add_bool(f.is_repeat, link.role == Role::Repeat);
        d.add_bool(f.episode_first, e.first == i);
        d.add_bool(f.fcr, e.fcr);
        d.add_bool(f.non_fcr, !e.signals.is_empty());
        for s in &e.signals {
            d.add_text(f.non_fcr_signals, s.as_str());
        }
        let cat = e.category_id.as_deref().unwrap_or("");
        d.add_text(f.category_id, cat);
        d.add_text(f.category, names.get(cat).copied().unwrap_or(""));
        d.add_text(f.text, &c.text);
        let (mut customer, mut agent) = (String::new(), String::new());
        for (who, t) in turns(&c.text) {
            let s = if who == Speaker::Customer {
                &mut customer
            } else {
                &mut agent
            };
            s.push_str(&t);
            s.push('\n');
        }
        d.add_text(f.customer, &customer);
        d.add_text(f.agent, &agent);
        writer
            .add_document(d)
            .context("cannot add a contact to the index")?;
    }
    writer.commit().context("cannot commit the index")?;
    writer
        .wait_merging_threads()
        .context("cannot finish merging the index")?;
    let meta = IndexMeta {
        schema_version: INDEX_SCHEMA_VERSION,
        timezone: tz.name().to_string(),
        contacts: ingested.contacts.len() as u64,
        data_start: data_start.to_string(),
        data_end: data_end.to_string(),
        categories: ranked
            .iter()
            .map(|c| IndexedCategory {
                category_id: c.category_id.clone(),
                name: c.label.clone(),
                episodes: c.episodes,
            })
            .collect(),
    };
    let json = serde_json::to_string_pretty(&meta)?;
    std::fs::write(dir.join(META_FILE), json)
        .with_context(|| format!("cannot write {}", dir.join(META_FILE).display()))?;
    let index_bytes = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    Ok(IndexStats {
        contacts: ingested.contacts.len() as u64,
        text_bytes: ingested.contacts.iter().map(|c| c.text.len() as u64).sum(),
        index_bytes,
        segments: index.searchable_segment_ids().map(|s| s.len()).unwrap_or(0),
        secs: started.elapsed().as_secs_f64(),
    })
}

/// An index opened for reading.
pub struct ContactIndex {
    pub index: Index,
    pub fields: Fields,
    pub meta: IndexMeta,
    pub timezone: Tz,
}

impl ContactIndex {
    /// Opens `DIR/index` of a run's output folder (or an index folder).
    pub fn open(out_dir: &Path) -> Result<ContactIndex> {
        let dir = if out_dir.join(META_FILE).is_file() {
            out_dir.to_path_buf()
        } else {
            out_dir.join(crate::layout::INDEX)
        };
        let meta_path = dir.join(META_FILE);
        let text = std::fs::read_to_string(&meta_path).with_context(|| {
            format!(
                "{} has no contact index (no {}): run `recontact run ... --out {}` first",
                out_dir.display(),
                meta_path.display(),
                out_dir.display()
            )
        })?;
        let meta: IndexMeta = serde_json::from_str(&text).with_context(|| {
            format!("{}: not a recontact index description", meta_path.display())
        })?;
        if meta.schema_version != INDEX_SCHEMA_VERSION {
            bail!(
                "{}: index version {} but this recontact reads version {}: run `recontact run` again",
                meta_path.display(),
                meta.schema_version,
                INDEX_SCHEMA_VERSION
            );
        }
        let timezone: Tz = meta
            .timezone
            .parse()
            .map_err(|e| anyhow::anyhow!("{}: time zone: {e}", meta_path.display()))?;
        let index = Index::open_in_dir(&dir)
            .with_context(|| format!("cannot open the index in {}", dir.display()))?;
        // A damaged segment would make tantivy panic mid-query: every file's
        // checksum is checked first (it reads the index once: milliseconds
        // for a month's index).
        let damaged = index
            .validate_checksum()
            .with_context(|| format!("cannot check the index in {}", dir.display()))?;
        if !damaged.is_empty() {
            let mut files: Vec<String> = damaged.iter().map(|p| p.display().to_string()).collect();
            files.sort();
            bail!(
                "the index in {} is damaged ({} file(s) fail their checksum: {}): run `recontact run` again to rebuild it",
                dir.display(),
                files.len(),
                files.join(", ")
            );
        }
        register_tokenizers(&index);
        let fields = Fields::from_schema(&index.schema())?;
        Ok(ContactIndex {
            index,
            fields,
            meta,
            timezone,
        })
    }

    pub fn format_time(&self, t: i64) -> String {
        format_time(t, self.timezone)
    }
}

/// Words of contact text for the index, in any script.
///
/// Runs of letters and digits are words. Chinese runs are cut by jieba into
/// words, and the shorter dictionary words inside a long one (搜索模式) are
/// added at the same position, so `退款` finds `退款单` while phrases keep
/// working. Other runs (Latin, Hebrew, Cyrillic ...) are whole words,
/// NFKC-normalised and lower-cased; Latin-script words are reduced to their
/// English stem so `refunded` finds `refund`. tantivy-jieba's tokenizer is
/// not used because it splits non-Chinese, non-ASCII text (Hebrew) into
/// single letters.
#[derive(Clone, Default)]
pub struct ContactTokenizer;

pub struct ContactTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for ContactTokenizer {
    type TokenStream<'a> = ContactTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ContactTokenStream {
        ContactTokenStream {
            tokens: tokenize(text),
            next: 0,
        }
    }
}

impl TokenStream for ContactTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// Not the lexical embedder's test (every combining mark): what the index
/// finds depends on it.
fn is_word_char(c: char) -> bool {
    // Hebrew points and other combining marks belong to their letter.
    c.is_alphanumeric() || matches!(c as u32, 0x0300..=0x036F | 0x0591..=0x05C7)
}

fn is_latin_word(w: &str) -> bool {
    w.chars()
        .all(|c| c.is_ascii_alphanumeric() || ('\u{00C0}'..='\u{024F}').contains(&c))
}

/// The tokens of `text`, positions counted in words.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut position = 0usize;
    let push = |out: &mut Vec<Token>, from: usize, to: usize, word: String, position: usize| {
        out.push(Token {
            offset_from: from,
            offset_to: to,
            position,
            text: word,
            position_length: 1,
        });
    };
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if !is_word_char(c) {
            chars.next();
            continue;
        }
        let han = crate::text::is_han(c);
        let mut end = start;
        while let Some(&(i, c)) = chars.peek() {
            if !is_word_char(c) || crate::text::is_han(c) != han {
                break;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        let run = &text[start..end];
        if han {
            // Segmented and indexed in the Simplified form, so a Traditional
            // query finds Simplified contacts and back; offsets point into
            // the text as written (t2s keeps the number of characters).
            let simple = crate::text::to_simplified(run);
            let mut at: Vec<usize> = run.char_indices().map(|(i, _)| i).collect();
            at.push(run.len());
            let aligned = simple.chars().count() + 1 == at.len();
            // Were a table ever to change lengths, the whole run is the span.
            let span = |from: usize, to: usize| {
                if aligned {
                    (start + at[from], start + at[to])
                } else {
                    (start, end)
                }
            };
            let words = crate::text::jieba().cut(&simple, true);
            let base = position;
            for w in &words {
                let (from, to) = span(w.start, w.end);
                push(&mut out, from, to, w.word.to_string(), position);
                position += 1;
            }
            // Dictionary words inside longer words, at their word's position.
            if words.iter().any(|w| w.end - w.start > 2) {
                for s in crate::text::jieba().cut_for_search(&simple, true) {
                    if let Some(k) = words
                        .iter()
                        .position(|w| w.start <= s.start && s.end <= w.end)
                    {
                        if words[k].start != s.start || words[k].end != s.end {
                            let (from, to) = span(s.start, s.end);
                            push(&mut out, from, to, s.word.to_string(), base + k);
                        }
                    }
                }
            }
        } else {
            let mut word = crate::text::normalize(run);
            if is_latin_word(&word) {
                word = crate::text::stemmer().stem(&word).into_owned();
            }
            // A Hebrew word also under each form with its leading prefix
            // letters taken off, at the same position: "כרטיס" finds
            // "והכרטיס" and "בכרטיס" (a query is cut the same way, and
            // every form of the query must be there, so "הכרטיס" finds
            // "והכרטיס" but not "בכרטיס").
            let shorter = if word.chars().all(crate::text::is_hebrew) {
                crate::text::hebrew_prefix_forms(&word)
            } else {
                Vec::new()
            };
            push(&mut out, start, end, word, position);
            for k in shorter {
                push(&mut out, start, end, k, position);
            }
            position += 1;
        }
    }
    // tantivy wants positions in order; sub-words sit at their word's.
    out.sort_by_key(|t| (t.position, t.offset_from, t.offset_to));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(String, usize)> {
        tokenize(text)
            .into_iter()
            .map(|t| (t.text, t.position))
            .collect()
    }

    #[test]
    fn english_words_fold_case_and_stem() {
        let w = words("Refunds NOT received, I'm waiting");
        let texts: Vec<&str> = w.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["refund", "not", "receiv", "i", "m", "wait"]);
        assert_eq!(w[5].1, 5);
    }

    #[test]
    fn chinese_is_cut_into_words_with_inner_words() {
        let toks = tokenize("我的优惠券找不到了");
        let texts: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
        assert!(texts.contains(&"优惠券"), "{texts:?}");
        // The inner dictionary word shares the position of 优惠券.
        let whole = toks.iter().find(|t| t.text == "优惠券").map(|t| t.position);
        let inner = toks.iter().find(|t| t.text == "优惠").map(|t| t.position);
        assert_eq!(whole, inner, "{texts:?}");
        // Offsets point at the text itself (for highlighting).
        for t in &toks {
            assert_eq!(&"我的优惠券找不到了"[t.offset_from..t.offset_to], t.text);
        }
    }

    #[test]
    fn hebrew_words_stay_whole_and_mixed_text_splits_by_script() {
        let texts: Vec<String> = words("לא קיבלתי את ההחזר iPhone退款")
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        assert_eq!(texts[..4], ["לא", "קיבלתי", "את", "ההחזר"]);
        assert!(texts.contains(&"iphon".to_string()), "{texts:?}");
        assert!(texts.contains(&"退款".to_string()), "{texts:?}");
    }

    #[test]
    fn a_hebrew_word_is_also_found_without_its_prefix_letters() {
        let w = words("והכרטיס בכרטיס הכרטיס כרטיס של");
        let at = |p: usize| -> Vec<&str> {
            w.iter()
                .filter(|(_, q)| *q == p)
                .map(|(t, _)| t.as_str())
                .collect()
        };
        assert_eq!(at(0), ["והכרטיס", "הכרטיס", "כרטיס", "רטיס"]);
        assert_eq!(at(1), ["בכרטיס", "כרטיס", "רטיס"]);
        assert_eq!(at(2), ["הכרטיס", "כרטיס", "רטיס"]);
        assert_eq!(at(3), ["כרטיס", "רטיס"]);
        // Three letters stay: "של" is no prefix and a word.
        assert_eq!(at(4), ["של"]);
    }

    #[test]
    fn positions_never_go_back() {
        let toks = tokenize("客户：我想查询一下中华人民共和国的退款进度 refund status");
        for w in toks.windows(2) {
            assert!(w[0].position <= w[1].position);
        }
    }
}
