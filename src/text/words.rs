//! Language-aware words for keywords and names: NFKC + case folding,
//! Chinese segmented into words (jieba), Hebrew and other scripts kept as
//! written, stop words per language, English inflections merged with the
//! Snowball stemmer.

use super::tables::{jieba, stemmer, stops};
use super::unicode::{is_han, is_hebrew, normalize};

/// A keyword candidate: `key` merges inflections, `surface` is what a
/// reader sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub key: String,
    pub surface: String,
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
