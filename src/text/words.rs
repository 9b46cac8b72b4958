//! Language-aware words for keywords and names: NFKC + case folding,
//! Chinese segmented into words (jieba), Hebrew and other scripts kept as
//! written, stop words per language, English inflections merged with the
//! Snowball stemmer.

use super::tables::{
    jieba, latin_languages, stemmer, stops, LatinLanguage, ENGLISH_VOTE, NEGATIONS,
};
use super::unicode::{fold_case, is_han, is_hebrew, to_simplified};

/// A keyword candidate: `key` merges inflections, `surface` is what a
/// reader sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub key: String,
    pub surface: String,
}

/// Content words of a text, in order, for keywords and names.
pub fn words(text: &str) -> Vec<Word> {
    let norm = fold_case(text);
    let s = stops();
    let other = latin_language(&norm);
    let mut out = Vec::new();
    let mut run = String::new();
    let mut han = false;
    let flush = |run: &mut String, han: bool, out: &mut Vec<Word>| {
        if run.is_empty() {
            return;
        }
        if han {
            for (key, surface) in han_words(run) {
                if !s.zh.contains(&key) {
                    out.push(Word { key, surface });
                }
            }
        } else {
            let w = run.trim_matches(|c: char| c == '\'' || c == '-');
            let n = w.chars().count();
            if n >= 2 && !w.chars().any(|c| c.is_ascii_digit()) {
                if w.chars().any(is_hebrew) {
                    if !hebrew_stop(w) {
                        out.push(Word {
                            key: hebrew_key(w),
                            surface: w.to_string(),
                        });
                    }
                } else if !latin_stop(w, other) {
                    let key = latin_key(w, other);
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

/// The Latin-script language of a text other than English, when its
/// words say so: at least two stop words of that language that are not
/// English ones, and more of them than English stop words that are in no
/// other language's list ("en", "el", "mi" vote for Spanish; "the", "my"
/// for English). No detector model: stop words are what decide which
/// list applies, and they are what a short message has most of.
fn latin_language(norm: &str) -> Option<&'static LatinLanguage> {
    let langs = latin_languages();
    let mut votes = [0usize; 8];
    let mut english = 0usize;
    for w in norm
        .split(|c: char| !c.is_alphabetic() || is_han(c))
        .filter(|w| !w.is_empty())
    {
        let Some(&bits) = langs.markers.get(w) else {
            continue;
        };
        if bits == ENGLISH_VOTE {
            english += 1;
            continue;
        }
        for (i, v) in votes.iter_mut().enumerate() {
            *v += usize::from(bits & (1 << i) != 0);
        }
    }
    // The first of equal votes: a fixed order, so the choice is stable.
    let (best, &n) = votes
        .iter()
        .enumerate()
        .take(langs.languages.len())
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))?;
    (n >= 2 && n > english).then(|| &langs.languages[best])
}

/// Whether a text is written in a Latin-script language other than
/// English (Spanish, Portuguese, French, German, Italian, Dutch): an
/// English-only model cannot read it.
pub fn other_latin_language(text: &str) -> bool {
    latin_language(&fold_case(text)).is_some()
}

/// A Latin-script stop word: English's, and the text's other language's.
fn latin_stop(w: &str, other: Option<&LatinLanguage>) -> bool {
    stops().en.contains(w) || other.is_some_and(|l| l.stops.contains(w))
}

/// The key of a Latin-script word: stemmed in the text's language
/// (English unless another one was recognised).
fn latin_key(w: &str, other: Option<&LatinLanguage>) -> String {
    match other {
        Some(l) => l.stemmer.stem(w).to_string(),
        None if w.is_ascii() => stemmer().stem(w).to_string(),
        None => w.to_string(),
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

/// One word of a phrase candidate: `stop` words may sit inside a phrase
/// ("card has arrived") but never start or end one; a negation is a
/// content word with the key `not` ("card not arrived", "card hasn't
/// arrived" and "הכרטיס לא הגיע" keep their meaning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub key: String,
    pub surface: String,
    pub stop: bool,
}

/// Every word of a text, in order, split into segments at punctuation and
/// at words with digits (order numbers, amounts never name a group): the
/// spans phrases are taken from. Same normalisation as [`words`].
pub fn segments(text: &str) -> Vec<Vec<Token>> {
    let norm = fold_case(text);
    let s = stops();
    let other = latin_language(&norm);
    let mut out: Vec<Vec<Token>> = vec![Vec::new()];
    let mut run = String::new();
    let mut han = false;
    let flush = |run: &mut String, han: bool, out: &mut Vec<Vec<Token>>| {
        if run.is_empty() {
            return;
        }
        if han {
            for (w, surface) in han_words(run) {
                if let Some(seg) = out.last_mut() {
                    let neg = is_negation(&w);
                    seg.push(Token {
                        stop: !neg && s.zh.contains(&w),
                        key: if neg { "not".into() } else { w },
                        surface,
                    });
                }
            }
        } else {
            let w = run.trim_matches(|c: char| c == '\'' || c == '-');
            if w.chars().any(|c| c.is_ascii_digit()) || w.is_empty() {
                out.push(Vec::new());
            } else if let Some(seg) = out.last_mut() {
                let short = w.chars().count() < 2;
                let (key, stop) = if is_negation(w) {
                    ("not".to_string(), false)
                } else if w.chars().any(is_hebrew) {
                    (hebrew_key(w), short || hebrew_stop(w))
                } else {
                    (latin_key(w, other), short || latin_stop(w, other))
                };
                seg.push(Token {
                    key,
                    surface: w.to_string(),
                    stop,
                });
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
            if !c.is_whitespace() {
                out.push(Vec::new());
            }
            continue;
        }
        if !run.is_empty() && h != han {
            flush(&mut run, han, &mut out);
        }
        han = h;
        run.push(c);
    }
    flush(&mut run, han, &mut out);
    out.retain(|seg| !seg.is_empty());
    out
}

/// The words of a run of Han characters as (key, surface): segmented on
/// the Simplified form, which is also the key (a Traditional and a
/// Simplified customer say the same words), shown as written.
fn han_words(run: &str) -> Vec<(String, String)> {
    let simple = to_simplified(run);
    let written: Vec<char> = run.chars().collect();
    // OpenCC's t2s keeps lengths; if a future table did not, show the key.
    let aligned = simple.chars().count() == written.len();
    let mut out = Vec::new();
    for t in jieba().cut(&simple, true) {
        let w = t.word.trim();
        if w.is_empty() || !w.chars().all(is_han) {
            continue;
        }
        let surface = if aligned && t.end <= written.len() {
            written[t.start..t.end].iter().collect()
        } else {
            w.to_string()
        };
        out.push((w.to_string(), surface));
    }
    out
}

/// Hebrew writes "and", "the", "in", "to", "from", "that", "as" as
/// letters glued to the next word (ו ה ב ל מ ש כ): "והכרטיס" is "and the
/// card". The key strips such letters from the front while at least three
/// letters remain, so every prefixed form of a word gets the key of its
/// bare form (the stripping depends only on what follows). Like any light
/// stemmer it merges a few unrelated words whose stems differ only in such
/// letters; no maintained Rust crate analyses Hebrew morphology, and
/// Snowball has no Hebrew stemmer, so this is written here.
pub(crate) fn hebrew_key(w: &str) -> String {
    let chars: Vec<char> = w.chars().collect();
    let mut i = 0;
    while chars.len() - i > 3 && is_hebrew_prefix(chars[i]) {
        i += 1;
    }
    chars[i..].iter().collect()
}

/// The forms of a Hebrew word with one, two, … of its leading prefix
/// letters taken off, while three letters or more remain ("והכרטיס" →
/// "הכרטיס", "כרטיס", "רטיס"): what the search index also files it under.
pub(crate) fn hebrew_prefix_forms(w: &str) -> Vec<String> {
    hebrew_prefix_forms_leaving(w, 3)
}

/// [`hebrew_prefix_forms`] while at least `min_left` letters remain.
pub(crate) fn hebrew_prefix_forms_leaving(w: &str, min_left: usize) -> Vec<String> {
    let chars: Vec<char> = w.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while chars.len() - i > min_left && is_hebrew_prefix(chars[i]) {
        i += 1;
        out.push(chars[i..].iter().collect());
    }
    out
}

fn is_hebrew_prefix(c: char) -> bool {
    matches!(c, 'ו' | 'ה' | 'ב' | 'ל' | 'מ' | 'ש' | 'כ')
}

/// A Hebrew stop word, bare or behind prefix letters ("ושל" = "and of",
/// "מהם" = "from them").
fn hebrew_stop(w: &str) -> bool {
    let he = &stops().he;
    let mut rest = w;
    loop {
        if he.contains(rest) {
            return true;
        }
        let mut it = rest.chars();
        match it.next() {
            Some(c) if is_hebrew_prefix(c) && it.as_str().chars().count() >= 2 => {
                rest = it.as_str();
            }
            _ => return false,
        }
    }
}

/// A negation word (see `tables::NEGATIONS`), or an English "n't" form.
pub fn is_negation(w: &str) -> bool {
    NEGATIONS.contains(&w) || w.ends_with("n't")
}

#[cfg(test)]
mod segment_tests {
    use super::*;

    #[test]
    fn segments_break_at_punctuation_and_numbers() {
        let segs = segments("My card has not arrived, order 12345 placed.");
        let surf: Vec<Vec<&str>> = segs
            .iter()
            .map(|s| s.iter().map(|t| t.surface.as_str()).collect())
            .collect();
        assert_eq!(
            surf,
            vec![
                vec!["my", "card", "has", "not", "arrived"],
                vec!["order"],
                vec!["placed"]
            ]
        );
        assert!(segs[0][0].stop && !segs[0][1].stop && segs[0][2].stop);
        assert_eq!(segs[0][3].key, "not");
        assert!(!segs[0][3].stop);
        assert_eq!(segments("hasn't arrived")[0][0].key, "not");
        let zh = segments("找不到优惠券，怎么办");
        assert!(zh[0].iter().any(|t| t.surface == "优惠券"), "{zh:?}");
        let he = segments("הכרטיס לא הגיע");
        assert_eq!(he.len(), 1);
        assert_eq!(he[0].len(), 3);
    }

    #[test]
    fn greetings_that_open_a_contact_are_no_content() {
        let surf: Vec<String> = words("Hiya, afternoon! yo, my card was declined this evening")
            .into_iter()
            .map(|w| w.surface)
            .collect();
        assert_eq!(surf, ["card", "declined"]);
    }

    #[test]
    fn other_latin_languages_lose_their_function_words() {
        let surf = |t: &str| -> Vec<String> { words(t).into_iter().map(|w| w.surface).collect() };
        // Real-looking tweets: Spanish, German, Portuguese.
        let es = surf("el reembolso lo quiero ya, era para un regalo y tenia que llegar ayer");
        assert!(es.contains(&"reembolso".to_string()), "{es:?}");
        for w in ["el", "lo", "ya", "para", "que"] {
            assert!(!es.contains(&w.to_string()), "{w} in {es:?}");
        }
        let de = surf("Warum ist es mir nicht möglich per Bankeinzug zu bezahlen");
        assert!(de.contains(&"bankeinzug".to_string()), "{de:?}");
        assert!(!de.contains(&"warum".to_string()), "{de:?}");
        let pt = surf("na ultima atualização da entrega do meu pedido");
        assert!(pt.contains(&"pedido".to_string()) && !pt.contains(&"meu".to_string()));
        // Inflections merge in the text's own language.
        let key = |t: &str, w: &str| words(t).into_iter().find(|x| x.surface == w).map(|x| x.key);
        assert_eq!(
            key("no me llegan los pedidos de mi cuenta", "pedidos"),
            key("el pedido no llega a mi casa", "pedido")
        );
        // English with a Spanish name or one stray word stays English.
        let en = surf("the app crashes on my El Capitan mac when I open the playlist");
        assert!(en.contains(&"el".to_string()), "{en:?}");
        assert_eq!(
            key("my orders are late", "orders").as_deref(),
            Some("order")
        );
        // Phrase segments mark them as stop words too.
        let segs = segments("no me llega el código en mi cuenta");
        let en_tok = segs[0].iter().find(|t| t.surface == "en");
        assert!(en_tok.is_some_and(|t| t.stop), "{segs:?}");
    }

    #[test]
    fn hebrew_prefixes_share_the_bare_words_key() {
        let key = |w: &str| words(w)[0].key.clone();
        let card = key("כרטיס");
        for w in ["הכרטיס", "והכרטיס", "בכרטיס", "שהכרטיס", "לכרטיס"]
        {
            assert_eq!(key(w), card, "{w}");
            assert_eq!(words(w)[0].surface, w, "shown as written");
        }
        assert_eq!(key("הזמנה"), key("וההזמנה"));
        // Short words keep their letters.
        assert_eq!(hebrew_key("בית"), "בית");
        // Function words behind prefixes are stop words.
        assert!(words("ושל").is_empty(), "{:?}", words("ושל"));
        assert!(segments("ושל הכרטיס")[0][0].stop);
        // Mixed script kept whole: an English product name in Hebrew.
        let mixed: Vec<String> = words("ה-iPhone לא נטען")
            .into_iter()
            .map(|w| w.surface)
            .collect();
        assert!(mixed.iter().any(|w| w.contains("iphone")), "{mixed:?}");
    }
}
