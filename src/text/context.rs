//! Context families: a category held together by what customers say about
//! themselves, not by their problem ("I run a small plumbing business and
//! use this account for it.", "我现在在泰国出差", "流水号 [number]", "I've
//! tried the FAQ already."). Sentence embeddings weigh such a clause as
//! much as the problem beside it, so the clustering can gather contacts
//! that mention the same circumstance, whatever they ask: a catch-all with
//! a confident name ("run", "出差").
//!
//! This side reads the words; it finds candidates, and what is left of
//! each member for the caller to embed again (`pipeline/context.rs`
//! decides with the model). The test is the boilerplate learner's
//! "attached" test (`text::boilerplate`), applied to a family of clauses
//! the clustering found instead of one verbatim phrase, so it catches
//! templates whose wording varies (a town, a trade, a number of years):
//!
//! 1. **characteristic words**: the content words (`text::words`) in at
//!    least half of the category's members;
//! 2. **the family's clauses**: a member's clauses made mostly of them, or
//!    holding most of a phrase of several (the rest is the slot);
//! 3. **attached**: with those clauses out, at most `MAX_STANDALONE` of
//!    the members have nothing left that states a problem. A problem is
//!    often said alone ("Where is my card PIN?"); a circumstance rarely
//!    is.
//!
//! A circumstance its members tell alone (`GroupWords::alone`) fails 3;
//! the month shows what it is: the same phrase stands beside problems of
//! many other categories, spread evenly, as no problem does.
//!
//! A family's members keep their words (quotes are the customer's).

use super::boilerplate::MAX_STANDALONE;
use super::clause::{clause_spans, sentence_spans};
use super::noproblem::states_no_problem;
use super::unicode::is_cjk;
use super::words::{join_words, segments, words};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A characteristic word is in at least this share of the members.
const MIN_WORD_SHARE: f64 = 0.5;

/// A group's reasons as the test reads them: each one's content words,
/// and the categories they are in.
pub struct GroupWords {
    /// Per reason, its content word keys, sorted and unique.
    keys: Vec<Vec<String>>,
    /// Per content word, the reasons that say it, ascending: where else a
    /// category's words are said is read from these, not from a pass over
    /// the whole group per word (a group holds up to ~100k reasons at 1M
    /// contacts).
    said_by: HashMap<String, Vec<usize>>,
    /// Per reason, its category (`None`: uncategorised).
    category_of: Vec<Option<usize>>,
    /// How many categories hold a reason.
    categories: usize,
}

impl GroupWords {
    /// `texts[r]` is reason `r` of the group; `category_of[r]` its category.
    pub fn new(texts: &[&str], category_of: &[Option<usize>]) -> Self {
        let keys: Vec<Vec<String>> = texts
            .par_iter()
            .map(|t| {
                let mut k: Vec<String> = words(t).into_iter().map(|w| w.key).collect();
                k.sort_unstable();
                k.dedup();
                k
            })
            .collect();
        let mut said_by: HashMap<String, Vec<usize>> = HashMap::new();
        for (r, ks) in keys.iter().enumerate() {
            for k in ks {
                said_by.entry(k.clone()).or_default().push(r);
            }
        }
        GroupWords {
            keys,
            said_by,
            category_of: category_of.to_vec(),
            categories: category_of.iter().flatten().collect::<BTreeSet<_>>().len(),
        }
    }

    /// The reasons that say `word`, ascending.
    fn saying(&self, word: &str) -> &[usize] {
        self.said_by.get(word).map_or(&[], Vec::as_slice)
    }

    /// The reasons that say at least `n` of `words`, ascending.
    fn saying_several(&self, words: &BTreeSet<&str>, n: usize) -> Vec<usize> {
        let mut hits: BTreeMap<usize, usize> = BTreeMap::new();
        for w in words {
            for &r in self.saying(w) {
                *hits.entry(r).or_default() += 1;
            }
        }
        hits.into_iter()
            .filter(|(_, h)| *h >= n)
            .map(|(r, _)| r)
            .collect()
    }

    /// When the reasons `rows` (one category; indices into the group's
    /// `texts`) may be a context family: each member without the family's
    /// clauses (empty where nothing that states a problem is left).
    pub fn candidate(&self, rows: &[usize], texts: &[&str]) -> Option<Vec<String>> {
        if rows.len() < 2 {
            return None;
        }
        let characteristic = self.characteristic(rows);
        if characteristic.is_empty() {
            return None;
        }
        let left = self.leftovers(rows, texts, &characteristic);
        let standalone = left.iter().filter(|s| s.is_empty()).count();
        if standalone as f64 > MAX_STANDALONE * rows.len() as f64 {
            return None;
        }
        Some(left)
    }

    /// Whether at least half of `among` (reasons of the category `rows`)
    /// say one of the category's characteristic words: then those words
    /// are what `among` is about too, not a circumstance beside it.
    pub fn mostly_say_its_words(&self, rows: &[usize], among: &[usize]) -> bool {
        if among.is_empty() {
            return false;
        }
        let characteristic = self.characteristic(rows);
        let saying = among
            .iter()
            .filter(|&&r| {
                self.keys[r]
                    .iter()
                    .any(|k| characteristic.contains(k.as_str()))
            })
            .count();
        saying as f64 >= MIN_WORD_SHARE * among.len() as f64
    }

    /// The content words in at least half of `rows`.
    fn characteristic(&self, rows: &[usize]) -> BTreeSet<&str> {
        let mut df: BTreeMap<&str, usize> = BTreeMap::new();
        for &r in rows {
            for k in &self.keys[r] {
                *df.entry(k.as_str()).or_default() += 1;
            }
        }
        let need = (rows.len() as f64 * MIN_WORD_SHARE).ceil() as usize;
        df.into_iter()
            .filter(|(_, n)| *n >= need)
            .map(|(k, _)| k)
            .collect()
    }

    /// Each of `rows` without the family's clauses; empty where nothing
    /// that states a problem is left.
    fn leftovers(&self, rows: &[usize], texts: &[&str], family: &BTreeSet<&str>) -> Vec<String> {
        rows.iter()
            .map(|&r| {
                let s = without_family(texts[r], family);
                if states_no_problem(&s) {
                    String::new()
                } else {
                    s
                }
            })
            .collect()
    }

    /// When the category `c` (its reasons `rows`) is a circumstance its members mostly
    /// state alone ("I fly back from Greece on Friday.", beside a greeting
    /// at most), which the month shows to be a circumstance: elsewhere in
    /// the group the same clause stands beside problems of many other
    /// categories, none of them holding much of it (`MIN_ALONE_SPREAD`,
    /// `MAX_ALONE_CATEGORY_SHARE`), at least as often as here
    /// (`MIN_ALONE_ATTACHED`). A problem is said beside a related problem
    /// at most ("lost card" beside "new card"), and mostly inside its own
    /// clause, which does not count. Each member without the family's
    /// clauses, as [`GroupWords::candidate`] gives them; `None` for any
    /// other category.
    pub fn alone(&self, c: usize, rows: &[usize], texts: &[&str]) -> Option<Vec<String>> {
        if rows.len() < 2 {
            return None;
        }
        let characteristic = self.characteristic(rows);
        if characteristic.is_empty() {
            return None;
        }
        // One word ("I've just moved to Leeds.": the town is the slot) is
        // said where a clause is mostly it; a phrase of several where a
        // clause holds most of it.
        let one = characteristic.len() == 1;
        let need = if one { 1 } else { 2 };
        let says = |r: usize| {
            self.keys[r]
                .iter()
                .filter(|k| characteristic.contains(k.as_str()))
                .count()
                >= need
                && has_family_phrase(texts[r], &characteristic)
        };
        // Per member (in `rows` order): whether it says the phrase.
        let said: Vec<bool> = rows.iter().map(|&r| says(r)).collect();
        let here = said.iter().filter(|s| **s).count();
        if (here as f64) < MIN_WORD_SHARE * rows.len() as f64 {
            return None;
        }
        // Asked, it is a question about something ("Can I use American
        // Express?"), however many other problems it comes up beside; a
        // circumstance is told.
        let asked = rows
            .iter()
            .zip(&said)
            .filter(|(&r, &s)| s && asks_in_family(texts[r], &characteristic))
            .count();
        if asked as f64 > MAX_STANDALONE * here as f64 {
            return None;
        }
        let elsewhere = self.elsewhere(c, self.saying_several(&characteristic, need), |r| {
            says(r) && !states_no_problem(&without_family(texts[r], &characteristic))
        });
        // One word in most categories is the domain's own ("card" at a
        // bank), as for a word said beside anything.
        let domain = one
            && (elsewhere.categories + 1) as f64
                >= MAX_SPREAD_WORD_CATEGORIES * self.categories as f64;
        let family = !domain && elsewhere.wide(here, MAX_ALONE_CATEGORY_SHARE);
        // Members that do not say it are the category's stragglers, not
        // problems told beside it: they stay uncategorised with it.
        family.then(|| {
            let mut left = self.leftovers(rows, texts, &characteristic);
            for (l, &s) in left.iter_mut().zip(&said) {
                if !s {
                    l.clear();
                }
            }
            left
        })
    }

    /// When the category `c` (its reasons `rows`) is held together by a
    /// word its members say beside anything: a word in at least half of
    /// them that the rest of the group says beside problems of many other
    /// categories, none holding much of it (the spread [`GroupWords::alone`]
    /// asks of a circumstance). An assistant's name said before any
    /// request ("olly 今天天气怎么样", "olly 把灯关掉") gathered MASSIVE's
    /// weather, lights and greetings into one category named "olly". Each
    /// member without those words, for the model to place: a word that
    /// was the glue leaves problems other categories are about; a word
    /// the problem needs ("card" in "card not arrived") leaves members that
    /// still lie nearest their own category. `None` for any other category.
    pub fn spread_word(&self, c: usize, rows: &[usize], texts: &[&str]) -> Option<Vec<String>> {
        if rows.len() < 2 {
            return None;
        }
        let characteristic = self.characteristic(rows);
        let spread: BTreeSet<&str> = characteristic
            .into_iter()
            .filter(|w| {
                let says = |r: usize| self.keys[r].binary_search_by(|k| k.as_str().cmp(w)).is_ok();
                let here = rows.iter().filter(|&&r| says(r)).count();
                let elsewhere = self.elsewhere(c, self.saying(w).iter().copied(), |_| true);
                // A word in most categories is the domain's own ("card" at
                // a bank): the problems need it, it glues none of them.
                let domain = (elsewhere.categories + 1) as f64
                    >= MAX_SPREAD_WORD_CATEGORIES * self.categories as f64;
                !domain && elsewhere.wide(here, MAX_SPREAD_WORD_CATEGORY_SHARE)
            })
            .collect();
        if spread.is_empty() {
            return None;
        }
        let left: Vec<String> = rows
            .iter()
            .map(|&r| {
                let s = without_spread_word(texts[r], &spread);
                if states_no_problem(&s) {
                    String::new()
                } else {
                    s
                }
            })
            .collect();
        let standalone = left.iter().filter(|s| s.is_empty()).count();
        (standalone as f64 <= MAX_STANDALONE * rows.len() as f64).then_some(left)
    }

    /// How the reasons among `candidates` that `says` accepts lie outside
    /// category `c`.
    fn elsewhere(
        &self,
        c: usize,
        candidates: impl IntoIterator<Item = usize>,
        says: impl Fn(usize) -> bool,
    ) -> Elsewhere {
        let mut by: BTreeMap<usize, usize> = BTreeMap::new();
        for r in candidates {
            if let Some(o) = self.category_of[r] {
                if o != c && says(r) {
                    *by.entry(o).or_default() += 1;
                }
            }
        }
        Elsewhere {
            attached: by.values().sum(),
            categories: by.len(),
            most: by.values().copied().max().unwrap_or(0),
        }
    }
}

/// Where else in a group something a category says is said: how many
/// other categories' reasons say it, and in how many categories.
struct Elsewhere {
    attached: usize,
    categories: usize,
    most: usize,
}

impl Elsewhere {
    /// Said beside problems of many other categories
    /// ([`MIN_ALONE_SPREAD`]), at least [`MIN_ALONE_ATTACHED`] times as
    /// often as `here`, no one of them holding over `max_share` of it.
    fn wide(&self, here: usize, max_share: f64) -> bool {
        self.categories >= MIN_ALONE_SPREAD
            && self.attached as f64 >= MIN_ALONE_ATTACHED * here as f64
            && self.most as f64 <= max_share * self.attached as f64
    }
}

/// A circumstance said alone in a category is attached to problems of at
/// least this many other categories …
const MIN_ALONE_SPREAD: usize = 5;
/// … at least this many times as often as it is said in the category …
const MIN_ALONE_ATTACHED: f64 = 0.5;
/// … and no one of them holds more than this share of those.
const MAX_ALONE_CATEGORY_SHARE: f64 = 0.15;

/// … and, for a word said beside anything, no one of them holds more than
/// this share of those: one word is said less often than a circumstance's
/// phrase, so its count per category is small (MASSIVE zh's "olly": 14
/// elsewhere, 3 at most in one category); the model decides after.
const MAX_SPREAD_WORD_CATEGORY_SHARE: f64 = 0.25;
/// A word in at least this share of a group's categories is the domain's
/// own, never a family's (as `label::phrase::THROUGHOUT_CATEGORIES`).
const MAX_SPREAD_WORD_CATEGORIES: f64 = 0.6;

/// Words that open a question (English), or ask one anywhere in a
/// clause (Chinese, Hebrew).
const QUESTION_OPENERS: &[&str] = &[
    "can", "could", "how", "what", "why", "where", "when", "which", "who", "is", "are", "do",
    "does", "did", "will", "would", "should", "may", "am",
];
const QUESTION_WORDS: &[&str] = &[
    "吗",
    "嗎",
    "怎么",
    "怎麼",
    "什么",
    "什麼",
    "为什么",
    "為什麼",
    "哪",
    "如何",
    "能不能",
    "可不可以",
    "איך",
    "למה",
    "מה",
    "מתי",
    "איפה",
    "האם",
    "כמה",
];

/// Whether `text` asks something: a question mark, a clause opening with
/// a question word, or a Chinese or Hebrew question word.
fn asks(text: &str) -> bool {
    if text.contains(['?', '？']) {
        return true;
    }
    text.lines().any(|line| {
        clause_spans(line).into_iter().any(|(a, b)| {
            let ws: Vec<String> = line[a..b]
                .split(|c: char| !c.is_alphanumeric() && c != '\'')
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect();
            ws.first()
                .is_some_and(|w| QUESTION_OPENERS.contains(&w.as_str()))
                || ws.iter().any(|w| {
                    QUESTION_WORDS.iter().any(|q| {
                        // A run of Han characters holds its words; a
                        // Hebrew word is itself.
                        if w.chars().any(is_cjk) {
                            w.contains(q)
                        } else {
                            w == q
                        }
                    })
                })
        })
    })
}

/// Whether a sentence of `text` that holds the family's phrase asks
/// something.
fn asks_in_family(text: &str, characteristic: &BTreeSet<&str>) -> bool {
    text.lines().any(|line| {
        sentence_spans(line).into_iter().any(|(s, e)| {
            let sentence = &line[s..e];
            // The question mark closing the sentence, which the span may
            // leave out.
            let mark = line[e..].trim_start().starts_with(['?', '？']);
            (mark || asks(sentence)) && has_family_phrase(sentence, characteristic)
        })
    })
}

/// A clause with `hits` of a family's `n` characteristic words holds most
/// of its phrase: two of them at least, and half.
fn holds_phrase(hits: usize, n: usize) -> bool {
    hits >= 2 && hits * 2 >= n
}

/// Whether a clause of `text` holds most of the family's phrase (two of
/// its words at least), or, for a family of one word, is mostly that word.
fn has_family_phrase(text: &str, characteristic: &BTreeSet<&str>) -> bool {
    clauses(text).into_iter().any(|clause| {
        let ws = words(clause);
        let hits = ws
            .iter()
            .filter(|w| characteristic.contains(w.key.as_str()))
            .count();
        if characteristic.len() == 1 {
            hits > 0 && hits * 2 >= ws.len()
        } else {
            holds_phrase(hits, characteristic.len())
        }
    })
}

/// `text` without the words `spread`.
fn without_spread_word(text: &str, spread: &BTreeSet<&str>) -> String {
    let kept: Vec<String> = segments(text)
        .into_iter()
        .flatten()
        .filter(|t| !spread.contains(t.key.as_str()))
        .map(|t| t.surface)
        .collect();
    let kept: Vec<&str> = kept.iter().map(String::as_str).collect();
    join_words(&kept)
}

/// The clauses of `text`, line by line and sentence by sentence.
fn clauses(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text.lines() {
        for (s, e) in sentence_spans(line) {
            let sentence = &line[s..e];
            for (a, b) in clause_spans(sentence) {
                out.push(&sentence[a..b]);
            }
        }
    }
    out
}

/// Clauses joined back into a text: single spaces, none between Chinese.
fn join_clauses(clauses: Vec<&str>) -> String {
    let mut out = String::new();
    for k in clauses {
        let k = k.split_whitespace().collect::<Vec<_>>().join(" ");
        if k.is_empty() {
            continue;
        }
        let joins_cjk =
            out.chars().last().is_some_and(is_cjk) || k.chars().next().is_some_and(is_cjk);
        if !out.is_empty() && !joins_cjk {
            out.push(' ');
        }
        out.push_str(&k);
    }
    out
}

/// `text` without the family's clauses.
fn without_family(text: &str, characteristic: &BTreeSet<&str>) -> String {
    let kept: Vec<&str> = clauses(text)
        .into_iter()
        .filter(|clause| {
            let ws = words(clause);
            let hits = ws
                .iter()
                .filter(|w| characteristic.contains(w.key.as_str()))
                .count();
            // The family's clause: mostly its words, or most of a phrase
            // of several (the rest is its slot: a town, a trade). A
            // problem clause that mentions one of them stays.
            let mostly = hits > 0 && hits * 2 >= ws.len();
            let phrase = holds_phrase(hits, characteristic.len());
            !(mostly || phrase)
        })
        .collect();
    join_clauses(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROBLEMS: &[&str] = &[
        "I haven't received my PIN yet.",
        "My card payment was declined at the till.",
        "How do I top up with a bank transfer?",
        "The exchange rate on my statement is wrong.",
        "I was charged twice for one coffee.",
        "Can I change the name on my account?",
        "My transfer to a friend never arrived.",
        "Where can I order a new card?",
    ];

    /// A group: `members` (the category, rows 0..) then every problem
    /// said alone.
    fn test(members: &[&str], others: &[&str]) -> Option<Vec<String>> {
        let texts: Vec<&str> = members.iter().chain(others).copied().collect();
        let rows: Vec<usize> = (0..members.len()).collect();
        let of = vec![None; texts.len()];
        GroupWords::new(&texts, &of).candidate(&rows, &texts)
    }

    #[test]
    fn a_circumstance_beside_unrelated_problems_is_a_candidate() {
        let trades = [
            "plumbing business",
            "cleaning company",
            "online shop",
            "bakery",
        ];
        let members: Vec<String> = PROBLEMS
            .iter()
            .enumerate()
            .map(|(i, p)| {
                format!(
                    "I run a small {} and use this account for it. {p}",
                    trades[i % 4]
                )
            })
            .collect();
        let refs: Vec<&str> = members.iter().map(String::as_str).collect();
        let stripped = test(&refs, PROBLEMS).expect("a candidate");
        assert_eq!(stripped[0], "I haven't received my PIN yet.");
        assert_eq!(stripped[1], "My card payment was declined at the till.");
    }

    #[test]
    fn chinese_context_with_varying_places_is_a_candidate() {
        let members = [
            "我现在在泰国出差，我附近可以做的事情。",
            "提醒我明天的会议。我现在在美国出差",
            "请用微博发以下抱怨。我现在在澳洲出差",
            "调暗厨房灯。我现在在欧洲出差",
            "今天会下雨吗？我现在在日本出差",
            "播放下一首歌。我现在在德国出差",
        ];
        let others = [
            "我附近可以做的事情",
            "提醒我明天的会议",
            "请用微博发以下抱怨",
            "调暗厨房灯",
            "今天会下雨吗",
            "播放下一首歌",
        ];
        let stripped = test(&members, &others).expect("a candidate");
        assert_eq!(stripped[1], "提醒我明天的会议。");
        assert!(!stripped.iter().any(|s| s.contains("出差")), "{stripped:?}");
    }

    /// Problems of other categories: with [`PROBLEMS`], twelve.
    const MORE_PROBLEMS: &[&str] = &[
        "The app logs me out every day.",
        "My direct debit bounced.",
        "Cash machine kept my money.",
        "Statement shows an unknown shop.",
    ];

    /// A group whose category 0 is `members`; every other problem is a
    /// category of its own, said alone, and once more after `word` in the
    /// first `beside` of them.
    fn spread(members: &[&str], word: &str, beside: usize) -> Option<Vec<String>> {
        let mut texts: Vec<String> = members.iter().map(|m| m.to_string()).collect();
        let mut of: Vec<Option<usize>> = vec![Some(0); members.len()];
        for (i, p) in PROBLEMS.iter().chain(MORE_PROBLEMS).enumerate() {
            texts.push(p.to_string());
            of.push(Some(i + 1));
            if i < beside {
                texts.push(format!("{word} {p}"));
                of.push(Some(i + 1));
            }
        }
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let rows: Vec<usize> = (0..members.len()).collect();
        GroupWords::new(&refs, &of).spread_word(0, &rows, &refs)
    }

    #[test]
    fn a_name_said_before_requests_of_many_categories_is_a_spread_word() {
        let members = [
            "olly where is my PIN?",
            "olly my card payment was declined.",
            "olly, how do I top up?",
            "hey olly the exchange rate is wrong.",
        ];
        let left = spread(&members, "olly", 6).expect("a candidate");
        // Lower case: leftovers are read by the model, never shown.
        assert_eq!(left[0], "where is my pin");
        assert!(!left.iter().any(|l| l.contains("olly")), "{left:?}");
        // Chinese: the name beside a run of Han characters.
        let members = [
            "olly 今天天气怎么样",
            "olly 把灯关掉",
            "嘿 olly 明天会下雨吗",
        ];
        let left = spread(&members, "olly", 6).expect("a candidate");
        assert_eq!(left[1], "把灯关掉");
    }

    #[test]
    fn a_word_said_in_few_other_categories_is_no_spread_word() {
        let members = ["olly where is my PIN?", "olly my card was declined."];
        assert!(spread(&members, "olly", 4).is_none());
        // "refund" is the category's own problem, said nowhere else.
        let members = [
            "refund not received",
            "where is my refund",
            "refund missing",
        ];
        assert!(spread(&members, "refund", 0).is_none());
    }

    #[test]
    fn a_word_in_most_categories_is_the_domains_own() {
        // "card" beside most problems of a bank's month glues none of them.
        let members = ["card pin never came", "card pin missing", "card pin where"];
        assert!(spread(&members, "card", 8).is_none());
    }

    #[test]
    fn a_problem_said_alone_is_no_candidate() {
        let members = [
            "Where is my card PIN?",
            "How do I get my card PIN?",
            "Hiya, where do I find my card PIN?",
            "I cannot find my card PIN.",
            "My card PIN never came. I'm travelling next week.",
            "Where is the PIN for my card?",
        ];
        assert_eq!(test(&members, PROBLEMS), None);
    }

    /// Category 0 is `members`; each of `others` is (text, category).
    fn alone(members: &[&str], others: &[(&str, usize)]) -> Option<Vec<String>> {
        let texts: Vec<&str> = members
            .iter()
            .copied()
            .chain(others.iter().map(|o| o.0))
            .collect();
        let category_of: Vec<Option<usize>> = members
            .iter()
            .map(|_| Some(0))
            .chain(others.iter().map(|o| Some(o.1)))
            .collect();
        let rows: Vec<usize> = (0..members.len()).collect();
        GroupWords::new(&texts, &category_of).alone(0, &rows, &texts)
    }

    /// Each of `texts` in a category of its own, 1, 2, …
    fn one_each(texts: &[String]) -> Vec<(&str, usize)> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), i + 1))
            .collect()
    }

    const TRIPS: &[&str] = &[
        "I fly back from Greece on Friday.",
        "Hi, I fly back from Mexico on Friday.",
        "I fly back from Japan on Friday. Thanks.",
        "Afternoon, I fly back from Morocco on Friday.",
        "I fly back from Spain on Friday.",
        "I fly back from Peru on Friday. where is my card?",
    ];

    #[test]
    fn a_circumstance_said_alone_that_the_month_says_beside_many_problems_is_a_family() {
        // Elsewhere the same trip stands beside a different problem in
        // each of eight categories.
        let beside: Vec<String> = PROBLEMS
            .iter()
            .map(|p| format!("I fly back from Italy on Friday. {p}"))
            .collect();
        let others = one_each(&beside);
        let left = alone(TRIPS, &others).expect("a family");
        assert!(left[..5].iter().all(String::is_empty), "{left:?}");
        assert_eq!(left[5], "where is my card?");
        // Said beside problems of two categories only: a problem's
        // company, not a circumstance's.
        let others: Vec<(&str, usize)> = beside
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), 1 + i % 2))
            .collect();
        assert_eq!(alone(TRIPS, &others), None);
        // Said in the category only.
        assert_eq!(alone(TRIPS, &[]), None);
        // Asked, it is a question, however spread what it comes up beside.
        let others = one_each(&beside);
        let asked = [
            "Can I fly back from Greece on Friday?",
            "can i fly back from Mexico on Friday",
            "Hi, how do I fly back from Japan on Friday",
            "I fly back from Peru on Friday?",
        ];
        assert_eq!(alone(&asked, &others), None);
    }

    #[test]
    fn a_problem_said_alone_stays_though_it_comes_up_beside_others() {
        // "card stolen" is said alone, and inside the clauses of other
        // problems, which do not count.
        let members = [
            "My card was stolen.",
            "my card got stolen yesterday",
            "Hi, my card was stolen!",
            "I think my card was stolen",
        ];
        let inside: Vec<String> = (0..8)
            .map(|i| format!("my stolen card number {i} was used for a payment i did not make"))
            .collect();
        let others = one_each(&inside);
        assert_eq!(alone(&members, &others), None);
        // One common word is no family.
        let members = ["where is my card?", "card please", "my card?", "card!"];
        let beside: Vec<String> = PROBLEMS.iter().map(|p| format!("My card. {p}")).collect();
        let others = one_each(&beside);
        assert_eq!(alone(&members, &others), None);
    }

    /// Category 0 is `members`; `word_clause` stands before each of the
    /// first `beside` problems (a category each), and every problem is
    /// said alone in its category as well.
    fn alone_beside(members: &[&str], word_clause: &str, beside: usize) -> Option<Vec<String>> {
        let all: Vec<&str> = PROBLEMS
            .iter()
            .chain(MORE_PROBLEMS)
            .chain(&[
                "My savings pot is locked.",
                "Interest was not paid this month.",
            ])
            .copied()
            .collect();
        let told: Vec<String> = all[..beside]
            .iter()
            .map(|p| format!("{word_clause} {p}"))
            .collect();
        let others: Vec<(&str, usize)> = told
            .iter()
            .map(String::as_str)
            .chain(all.iter().copied())
            .enumerate()
            .map(|(i, t)| (t, 1 + i % all.len().max(1)))
            .collect();
        alone(members, &others)
    }

    #[test]
    fn a_circumstance_of_one_word_and_a_slot_said_alone_is_a_family() {
        // "moved" is the only word most members share; the town varies.
        let moves = [
            "I've just moved to Leeds.",
            "Hi, I've just moved to Belfast.",
            "I've just moved to Bristol. Thanks.",
            "I've just moved to Glasgow.",
            "yo, I've just moved to York.",
        ];
        let left = alone_beside(&moves, "I've just moved to Cardiff.", 7).expect("a family");
        assert!(left.iter().all(String::is_empty), "{left:?}");
        // Said beside problems of two categories only: no family.
        assert_eq!(alone_beside(&moves, "I've just moved to Cardiff.", 2), None);
    }

    #[test]
    fn one_word_the_month_says_in_most_categories_is_the_domains_own() {
        let members = ["My card.", "the card", "card again", "Card!"];
        // Beside problems of 8 of the 14 other categories: the bank's own
        // word, not a circumstance.
        assert_eq!(alone_beside(&members, "My card.", 8), None);
    }

    #[test]
    fn a_core_that_says_the_categorys_words_is_about_them() {
        let texts = [
            "I've tried the FAQ already. my card was declined",
            "I've tried the FAQ already. exchange rate is wrong",
            "I've tried the FAQ already. the app crashes",
            "I want to close my account.",
            "Please delete my account.",
            "I tried to top up my card. my cat is unwell",
            "I tried to top up my card. moving house soon",
            "I tried to top up my card. new phone",
            "my card top up failed",
            "top up keeps failing",
        ];
        let of = vec![Some(0); texts.len()];
        let words = GroupWords::new(&texts, &of);
        // Account closing says nothing of the FAQ.
        assert!(!words.mostly_say_its_words(&[0, 1, 2, 3, 4], &[3, 4]));
        // Failed top-ups say "top up" as the clause beside context does.
        assert!(words.mostly_say_its_words(&[5, 6, 7, 8, 9], &[8, 9]));
    }

    #[test]
    fn a_problem_clause_that_mentions_a_family_word_stays() {
        let family: BTreeSet<&str> = ["run", "account"].into_iter().collect();
        assert_eq!(
            without_family(
                "I run a small bakery and use this account for it. My account was frozen after a payment.",
                &family
            ),
            "My account was frozen after a payment."
        );
        let family: BTreeSet<&str> = ["提交", "后台", "处理"].into_iter().collect();
        assert_eq!(
            without_family("调暗厨房灯。已提交后台处理。", &family),
            "调暗厨房灯。"
        );
    }
}
