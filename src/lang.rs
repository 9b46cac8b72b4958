//! Language-aware words for keywords: NFKC + case folding, Chinese segmented
//! into words (jieba), Hebrew and other scripts kept as written, stop words
//! for en/zh/he from the stop-words crate (Stopwords ISO), English
//! inflections merged with the Snowball stemmer.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::text::normalize;

/// A keyword candidate: `key` merges inflections, `surface` is what a
/// reader sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub key: String,
    pub surface: String,
}

/// Words of the ISO English list that name contact reasons ("top up",
/// "card not working", "order not arrived"): kept as keywords.
const ENGLISH_KEEP: &[&str] = &[
    "top",
    "work",
    "working",
    "works",
    "worked",
    "new",
    "open",
    "opened",
    "line",
    "order",
    "ordered",
    "orders",
    "home",
    "show",
    "showing",
    "shows",
    "number",
    "numbers",
    "give",
    "gave",
    "run",
    "running",
    "end",
    "ended",
    "part",
    "parts",
    "place",
    "placed",
    "point",
    "points",
    "state",
    "states",
    "turn",
    "turned",
    "member",
    "members",
    "present",
    "interest",
    "face",
    "area",
    "areas",
    "case",
    "cases",
    "group",
    "groups",
    "room",
    "rooms",
    "side",
    "sides",
    "problem",
    "problems",
    "information",
    "old",
    "fact",
    "world",
    "year",
    "years",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "today",
    "yesterday",
    "back",
];

/// Greeting and politeness words that the ISO lists miss.
const EXTRA_STOP: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "alright",
    "bye",
    "great",
    "sure",
    "fine",
    "morning",
    "thanks",
    "thank",
    "please",
    "pls",
    "ok",
    "okay",
    "yes",
    "dear",
    "regards",
    "sorry",
    "help",
    "need",
    "want",
    "like",
    "would",
    "could",
    "can",
    "cannot",
    "can't",
    "i'm",
    "i've",
    "it's",
    "don't",
    "doesn't",
    "didn't",
    "won't",
    "isn't",
    "wasn't",
    "haven't",
    "hasn't",
    "you're",
    "what's",
    "there's",
    "let",
    "know",
    "tell",
    "still",
    "again",
    "number]",
    "[number",
    "email",
    "phone",
    "没有",
    "还没",
    "您好",
    "你好",
    "谢谢",
    "请问",
    "一下",
    "שלום",
    "תודה",
    "בבקשה",
    "רבה",
];

struct Stops {
    en: HashSet<String>,
    zh: HashSet<String>,
    he: HashSet<String>,
}

fn stops() -> &'static Stops {
    static STOPS: OnceLock<Stops> = OnceLock::new();
    STOPS.get_or_init(|| {
        let keep: HashSet<&str> = ENGLISH_KEEP.iter().copied().collect();
        let mut en: HashSet<String> = stop_words::get("en")
            .into_iter()
            .filter(|w| !keep.contains(w.as_str()))
            .collect();
        let mut zh: HashSet<String> = stop_words::get("zh").into_iter().collect();
        let mut he: HashSet<String> = stop_words::get("he").into_iter().collect();
        for w in EXTRA_STOP {
            en.insert(w.to_string());
            zh.insert(w.to_string());
            he.insert(w.to_string());
        }
        Stops { en, zh, he }
    })
}

pub(crate) fn jieba() -> &'static jieba_rs::Jieba {
    static JIEBA: OnceLock<jieba_rs::Jieba> = OnceLock::new();
    JIEBA.get_or_init(jieba_rs::Jieba::new)
}

/// The English Snowball stemmer, built once.
pub(crate) fn stemmer() -> &'static rust_stemmers::Stemmer {
    static STEMMER: OnceLock<rust_stemmers::Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English))
}

pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

fn is_hebrew(c: char) -> bool {
    ('\u{0590}'..='\u{05FF}').contains(&c)
}

/// Content words of a text, in order, for keywords and names.
pub fn words(text: &str) -> Vec<Word> {
    let norm = normalize(text);
    let s = stops();
    let mut out = Vec::new();
    let mut run = String::new();
    let mut han = false;
    let flush = |run: &mut String, han: bool, out: &mut Vec<Word>| {
        if run.is_empty() {
            return;
        }
        if han {
            for t in jieba().cut(run, true) {
                let w = t.word.trim();
                if !w.is_empty() && !s.zh.contains(w) && w.chars().all(is_han) {
                    out.push(Word {
                        key: w.to_string(),
                        surface: w.to_string(),
                    });
                }
            }
        } else {
            let w = run.trim_matches(|c: char| c == '\'' || c == '-');
            let n = w.chars().count();
            if n >= 2 && !w.chars().any(|c| c.is_ascii_digit()) {
                if w.chars().any(is_hebrew) {
                    if !s.he.contains(w) {
                        out.push(Word {
                            key: w.to_string(),
                            surface: w.to_string(),
                        });
                    }
                } else if !s.en.contains(w) {
                    let key = if w.is_ascii() {
                        stemmer().stem(w).to_string()
                    } else {
                        w.to_string()
                    };
                    out.push(Word {
                        key,
                        surface: w.to_string(),
                    });
                }
            }
        }
        run.clear();
    };
    for c in norm.chars() {
        let h = is_han(c);
        let word_char =
            h || c.is_alphanumeric() || c == '\'' || (c == '-' && !run.is_empty() && !han);
        if !word_char {
            flush(&mut run, han, &mut out);
            continue;
        }
        if !run.is_empty() && h != han {
            flush(&mut run, han, &mut out);
        }
        han = h;
        run.push(c);
    }
    flush(&mut run, han, &mut out);
    out
}

/// The writing system a text is mostly in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Script {
    Latin,
    Han,
    Hebrew,
    Other,
}

/// The script of most letters in `text` (Latin when there are none).
pub fn dominant_script(text: &str) -> Script {
    let (mut latin, mut han, mut hebrew, mut other) = (0usize, 0usize, 0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) {
            latin += 1;
        } else if is_han(c) {
            // A Han character carries about a word's worth of meaning.
            han += 3;
        } else if is_hebrew(c) {
            hebrew += 1;
        } else {
            other += 1;
        }
    }
    let best = latin.max(han).max(hebrew).max(other);
    if best == 0 || best == latin {
        Script::Latin
    } else if best == han {
        Script::Han
    } else if best == hebrew {
        Script::Hebrew
    } else {
        Script::Other
    }
}

/// Joins words for display: no spaces between Chinese words.
pub fn join_words(words: &[&str]) -> String {
    let mut out = String::new();
    for w in words {
        let prev_han = out.chars().last().is_some_and(is_han);
        let next_han = w.chars().next().is_some_and(is_han);
        if !(out.is_empty() || prev_han && next_han) {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(t: &str) -> Vec<String> {
        words(t).into_iter().map(|w| w.key).collect()
    }

    #[test]
    fn english_stop_words_out_inflections_merged() {
        assert_eq!(keys("My cards haven't arrived"), vec!["card", "arriv"]);
        assert_eq!(keys("The card arrives"), vec!["card", "arriv"]);
        assert_eq!(keys("Top-up is not working"), vec!["top-up", "work"]);
    }

    #[test]
    fn chinese_segmented_into_words() {
        let k = keys("我的退款还没有到账");
        assert!(k.contains(&"退款".to_string()), "{k:?}");
        assert!(!k.contains(&"我".to_string()));
    }

    #[test]
    fn hebrew_kept_intact() {
        let k = keys("הכרטיס שלי לא הגיע");
        assert!(k.contains(&"הכרטיס".to_string()), "{k:?}");
        assert!(k.contains(&"הגיע".to_string()));
        assert!(!k.contains(&"שלי".to_string()));
    }

    #[test]
    fn scripts() {
        assert_eq!(dominant_script("My card has not arrived"), Script::Latin);
        assert_eq!(dominant_script("我的退款还没有到账 refund"), Script::Han);
        assert_eq!(dominant_script("הכרטיס שלי לא הגיע"), Script::Hebrew);
        assert_eq!(dominant_script("12345"), Script::Latin);
    }

    #[test]
    fn join_without_spaces_for_chinese() {
        assert_eq!(join_words(&["退款", "到账"]), "退款到账");
        assert_eq!(join_words(&["card", "arrival"]), "card arrival");
        assert_eq!(join_words(&["הכרטיס", "הגיע"]), "הכרטיס הגיע");
    }
}
