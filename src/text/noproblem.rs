//! Contacts that state no problem: thanks, praise, greetings, "ok", "got
//! it", emoji only, auto-replies, in en, zh and he.
//!
//! The rule: after cleaning (emoji, URLs, mentions out), a reason states no
//! problem when it is empty, when it opens with an auto-reply, or when it
//! has no question mark and every word is a courtesy word of its language
//! (`tables::COURTESY_*`), at least one of them one that says something on
//! its own ("thanks", "ok", "好的", "תודה"; not just "help" or "the"). A
//! capitalised name right after a thanks or greeting ("Thanks Becky!",
//! "Love you Acme") is allowed. Negations and contrasts are not courtesy
//! words, so "thanks but my refund still hasn't arrived", "好的，但是还没到账"
//! and "תודה, אבל הכרטיס לא הגיע" state a problem; fixed no-problem phrases
//! with a negation ("no worries", 没问题, "אין בעיה") are read as courtesy.
//!
//! Praise of a named thing in more words than a name ("I love the new app
//! design", "Happy Halloween, best burritos in town") is `praise`'s rule.
//!
//! Limits: a word missing from the lists makes the contact a problem (the
//! safe side: a missed thanks stays in the analysis; a complaint is never
//! dropped for a praise word in it); sarcasm
//! ("great, thanks a lot") is read as thanks.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::clean::strip_symbols;
use super::tables::{
    AUTO_REPLY, COURTESY_EN, COURTESY_EN_FILLERS, COURTESY_EN_PHRASES, COURTESY_HE,
    COURTESY_HE_FILLERS, COURTESY_HE_PHRASES, COURTESY_ZH, COURTESY_ZH_FILLERS,
    COURTESY_ZH_QUESTIONS,
};
use super::unicode::{is_han, is_hebrew, normalize};

/// How a word reads in a contact of no problem.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Says no problem on its own: thanks, ok, praise, greetings.
    Anchor,
    /// Only goes with an anchor: pronouns, "for the quick help".
    Filler,
    /// Anything else: the contact states a problem.
    Other,
}

struct Lexicon {
    en: HashSet<&'static str>,
    en_fill: HashSet<&'static str>,
    he: HashSet<&'static str>,
    he_fill: HashSet<&'static str>,
    /// Chinese entries, longest first, with their kind.
    zh: Vec<(&'static str, Kind)>,
}

fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(|| {
        let mut zh: Vec<(&'static str, Kind)> = COURTESY_ZH
            .iter()
            .chain(COURTESY_ZH_QUESTIONS)
            .map(|w| (*w, Kind::Anchor))
            .chain(COURTESY_ZH_FILLERS.iter().map(|w| (*w, Kind::Filler)))
            .collect();
        zh.sort_by(|a, b| {
            b.0.chars()
                .count()
                .cmp(&a.0.chars().count())
                .then(a.0.cmp(b.0))
        });
        Lexicon {
            en: COURTESY_EN.iter().copied().collect(),
            en_fill: COURTESY_EN_FILLERS.iter().copied().collect(),
            he: COURTESY_HE.iter().copied().collect(),
            he_fill: COURTESY_HE_FILLERS.iter().copied().collect(),
            zh,
        }
    })
}

/// Words that a name may follow ("Thanks Becky", "Hi Sam", "love you Acme").
const BEFORE_NAME: &[&str] = &[
    "thanks", "thank", "thx", "ty", "cheers", "hi", "hello", "hey", "hiya", "dear", "bye", "love",
    "you", "u", "guys", "team", "kudos",
];

/// Thanks words: with one of them, "help" or "reply" is what is thanked
/// for ("thanks for the help"); without, they ask for something. Words
/// beginning "thank" ("thankful", "thanku") count too.
const THANKS: &[&str] = &[
    "thanx",
    "thnx",
    "thx",
    "tnx",
    "ty",
    "tysm",
    "tyvm",
    "cheers",
    "appreciate",
    "appreciated",
    "appreciation",
    "grateful",
    "gratitude",
    "obliged",
    "kudos",
    "merci",
    "gracias",
    "danke",
];

/// Praise of the help: like a thanks, it makes "answer" or "help" what is
/// praised ("your answer was good", "great help") rather than asked for.
/// Not "good" before a time of day ("good morning, i need help") or "at"
/// ("good at answering questions").
const PRAISE: &[&str] = &[
    "great",
    "good",
    "awesome",
    "amazing",
    "excellent",
    "brilliant",
    "perfect",
    "fantastic",
    "wonderful",
    "superb",
    "outstanding",
    "terrific",
    "pleased",
    "happy",
    "glad",
    "satisfied",
    "impressed",
    "enjoyable",
    "enjoyed",
    "helpful",
];

/// Words after "good" that make it a greeting or an ability, not praise.
const NOT_PRAISE_AFTER_GOOD: &[&str] = &["morning", "afternoon", "evening", "night", "day", "at"];

pub(super) fn is_thanks(w: &str) -> bool {
    let u = unstretch(w);
    [w, u.as_str()]
        .iter()
        .any(|w| w.starts_with("thank") || THANKS.contains(w))
}

/// Words that ask for something unless a thanks comes with them.
const REQUESTS: &[&str] = &[
    "help",
    "reply",
    "replying",
    "answer",
    "answering",
    "response",
    "responses",
    "support",
    "assistance",
    "update",
    "updates",
    "info",
    "information",
    "advice",
    "link",
    "dm",
    "need",
    "question",
    "questions",
    "tell",
];

/// One token of a reason: its normalized form, whether it was written with
/// a capital first letter, and whether sentence punctuation came before it.
struct Token {
    word: String,
    capital: bool,
    after_stop: bool,
    /// A comma came right before it ("thanks for your help, Becky").
    after_comma: bool,
    han: bool,
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut han = false;
    let mut stop = true;
    let mut comma = false;
    let flush =
        |word: &mut String, han: bool, stop: &mut bool, comma: &mut bool, out: &mut Vec<Token>| {
            if word.is_empty() {
                return;
            }
            let capital = word.chars().next().is_some_and(char::is_uppercase);
            out.push(Token {
                word: normalize(word).replace('’', "'"),
                capital,
                after_stop: *stop,
                after_comma: *comma,
                han,
            });
            *stop = false;
            *comma = false;
            word.clear();
        };
    for c in text.chars() {
        let h = is_han(c);
        let part =
            h || c.is_alphanumeric() || (matches!(c, '\'' | '’') && !word.is_empty() && !han);
        if !part {
            flush(&mut word, han, &mut stop, &mut comma, &mut out);
            if matches!(c, '.' | '!' | '?' | '。' | '！' | '？' | ';' | '；' | '\n') {
                stop = true;
            }
            if matches!(c, ',' | '，') {
                comma = true;
            }
            continue;
        }
        if !word.is_empty() && h != han {
            flush(&mut word, han, &mut stop, &mut comma, &mut out);
        }
        han = h;
        word.push(c);
    }
    flush(&mut word, han, &mut stop, &mut comma, &mut out);
    // "it's" and "its'" alike: apostrophes at the ends are not the word.
    for t in &mut out {
        let trimmed = t.word.trim_matches('\'');
        if trimmed.len() != t.word.len() {
            t.word = trimmed.to_string();
        }
    }
    out
}

/// Collapses letters repeated three or more times ("soooo" → "so",
/// "thanksss" → "thanks"), so stretched words are found in the lists.
fn unstretch(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    let chars: Vec<char> = w.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let mut j = i;
        while j < chars.len() && chars[j] == chars[i] {
            j += 1;
        }
        let n = if j - i >= 3 { 1 } else { j - i };
        out.extend(std::iter::repeat_n(chars[i], n));
        i = j;
    }
    out
}

fn kind_of_latin_or_hebrew(w: &str) -> Kind {
    let lex = lexicon();
    let find = |w: &str| -> Kind {
        if lex.en.contains(w) || lex.he.contains(w) {
            Kind::Anchor
        } else if lex.en_fill.contains(w) || lex.he_fill.contains(w) {
            Kind::Filler
        } else {
            Kind::Other
        }
    };
    let k = find(w);
    if k != Kind::Other {
        return k;
    }
    if w.chars().any(is_hebrew) {
        // One leading conjunction or preposition letter: ותודה, לכולם.
        if let Some(rest) = w.strip_prefix(['ו', 'ה', 'ל', 'ש', 'ב']) {
            return find(rest);
        }
        return Kind::Other;
    }
    let u = unstretch(w);
    if u != w {
        return find(&u);
    }
    Kind::Other
}

/// Kinds of the pieces of one run of Han characters, and whether one is a
/// greeting asked as a question (你好吗), or `None` when a part of it is
/// not courtesy.
fn kinds_of_han(run: &str) -> Option<(Vec<Kind>, bool)> {
    let lex = lexicon();
    let mut rest = run;
    let mut out = Vec::new();
    let mut asks = false;
    'outer: while !rest.is_empty() {
        for (w, k) in &lex.zh {
            if let Some(r) = rest.strip_prefix(w) {
                out.push(*k);
                asks |= COURTESY_ZH_QUESTIONS.contains(w);
                rest = r;
                continue 'outer;
            }
        }
        return None;
    }
    Some((out, asks))
}

/// True for a contact reason that states no problem (see the module doc):
/// thanks, praise, greetings, "ok", "got it", emoji only, an auto-reply, or
/// nothing at all.
pub fn states_no_problem(reason: &str) -> bool {
    courtesy(reason, true) || super::praise::states_praise(reason)
}

/// Like [`states_no_problem`], without asking for a word that says no
/// problem on its own: "it was for", "my account is". What is left of a
/// clause whose reference was taken out.
pub(super) fn only_courtesy_or_fillers(reason: &str) -> bool {
    courtesy(reason, false)
}

fn courtesy(reason: &str, anchored: bool) -> bool {
    let cleaned = strip_symbols(reason);
    if !cleaned.chars().any(char::is_alphanumeric) {
        return true;
    }
    let norm = normalize(&cleaned);
    let head: String = norm.trim_start().chars().take(60).collect();
    if AUTO_REPLY.iter().any(|a| head.contains(a)) {
        return true;
    }
    // A question asks for something, unless it is a greeting ("how are
    // you?"), read below as one courtesy phrase.
    let question = norm.contains('?');
    let mut greeting_question = false;
    let toks = tokens(&cleaned);
    // Fixed phrases with a negation read as one courtesy word.
    let mut kinds: Vec<Kind> = Vec::with_capacity(toks.len());
    let mut i = 0;
    let phrases = COURTESY_EN_PHRASES.iter().chain(COURTESY_HE_PHRASES.iter());
    let phrases: Vec<&&[&str]> = phrases.collect();
    let mut prev_name = false;
    let mut thanks = false;
    let mut request = false;
    while i < toks.len() {
        let hit = phrases.iter().find(|p| {
            p.len() <= toks.len() - i && p.iter().zip(&toks[i..]).all(|(a, t)| t.word == *a)
        });
        if let Some(p) = hit {
            // Every fixed phrase is a greeting or a courtesy a question
            // mark does not turn into a request ("how are you?", "מה
            // שלומך?", "no worries?").
            greeting_question = true;
            kinds.push(Kind::Anchor);
            prev_name = false;
            i += p.len();
            continue;
        }
        let t = &toks[i];
        if t.han {
            match kinds_of_han(&t.word) {
                Some((k, asks_after_you)) => {
                    kinds.extend(k);
                    greeting_question |= asks_after_you;
                }
                None => return false,
            }
            i += 1;
            continue;
        }
        let mut k = kind_of_latin_or_hebrew(&t.word);
        let mut name = false;
        if k == Kind::Other && !t.after_stop && t.word.is_ascii() && i > 0 {
            // A name or brand right after a thanks or greeting (or after
            // another name): "Thanks Becky", "love you Acme Air"; written
            // in lower case only as the last word of its sentence ("thank
            // you nike").
            let prev = &toks[i - 1];
            let last = toks.get(i + 1).is_none_or(|n| n.after_stop);
            // Or, capitalised, closing a thanks after a comma: "thanks for
            // your help, Becky."
            let closing = t.capital && last && t.after_comma && thanks;
            if ((t.capital || last) && (BEFORE_NAME.contains(&prev.word.as_str()) || prev_name))
                || closing
            {
                k = Kind::Filler;
                name = true;
            }
        }
        if k == Kind::Other {
            return false;
        }
        thanks |= is_thanks(&t.word)
            || (PRAISE.contains(&t.word.as_str())
                && !(t.word == "good"
                    && toks
                        .get(i + 1)
                        .is_some_and(|n| NOT_PRAISE_AFTER_GOOD.contains(&n.word.as_str()))));
        request |= REQUESTS.contains(&t.word.as_str());
        prev_name = name;
        kinds.push(k);
        i += 1;
    }
    // "hello, help me", "reply to my DM": a request, unless it thanks or
    // praises.
    (kinds.contains(&Kind::Anchor) || !anchored)
        && (thanks || !request)
        && (!question || greeting_question)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_thanks_praise_acknowledgements() {
        for t in [
            "",
            "thanks",
            "Thanks!",
            "ok thx",
            "Ok.",
            "got it",
            "Got it, thanks!",
            "That fixed it thanks",
            "Thank you so much for the quick response!",
            "Thanks Becky!",
            "Hi",
            "Good morning",
            "Awesome, it works now. Cheers",
            "No worries, all sorted",
            "thanksss soooo much",
            "You guys rock",
            "Love you Acme Air",
            "Thank you nike",
            "you guys were great!",
            "😂😂😂",
            "👍",
            ":)",
            "@AcmeHelp https://t.co/xyz",
            "Automatic reply: your request",
            "I am out of the office until 12 October with limited access to e-mail.",
            "Many thanks",
            "much obliged!",
            "I would like to thank you",
            "you've been a great help",
            "very helpful, cheers",
            "how's life?",
            "see you soon!",
            "take care, bye",
            "have a good one",
            "gotta go, talk to you later",
            "I am thankful for your help!",
            "that's all i need, thanks!",
            "your answer was good",
            "it was pleasant talking with you",
            "I have to get going, bye",
            "Sorry to bother you, thanks for your help!",
            "Thanks for your help, Becky.",
            "All sorted now! Any help appreciated.",
            "Perfect, cheers. Screenshot attached.",
            "i can not thank you enough",
        ] {
            assert!(states_no_problem(t), "{t:?} should state no problem");
        }
    }

    #[test]
    fn english_problems() {
        for t in [
            "thanks but my refund still hasn't arrived",
            "Thanks. My card was declined",
            // An opener alone, or with a request, is no thanks.
            "Sorry to bother you.",
            "sorry, any update on my refund",
            "thanks, see the screenshot of the error",
            "thanks for the help, Refund still missing",
            "ok but it's still not working",
            "not fixed",
            "Thanks? I waited 3 hours",
            "Help",
            "please help",
            "My card was declined",
            "thanks for nothing",
            "thanks refund please",
            "I love how you never answer",
            "Thanks. Delayed",
            "Great, thanks. Why was I charged twice",
            "Are pre orders done for the X",
            "HELP ME HELLOOOO",
            "HELLO REPLY TO DM",
            "hi, any update",
            "I would like to know the time of my appointment",
            "see you charged me twice",
            "how are you going to fix this?",
            "not helpful",
            "Good morning, I need help",
            "hi, I have a question",
            "hi, tell me",
            "what's going on with my refund?",
            "I need to go to the branch, where is it",
            "kind of broken",
            "what's going on?",
            "what kind of questions are you good at answering",
        ] {
            assert!(!states_no_problem(t), "{t:?} states a problem");
        }
    }

    #[test]
    fn chinese() {
        for t in [
            "谢谢",
            "好的，谢谢！",
            "收到",
            "没事了，谢谢你们",
            "已解决，谢谢",
            "好的 已经收到了 谢谢客服",
            "哈哈，太棒了👍",
            "謝謝，已經解決了",
            "自动回复：我目前不在办公室",
            "你好吗？",
            "嗨，最近怎么样",
            "您好嗎",
            "晚安，再见",
            "你今天过得如何",
            // How customers address the agent; "the problem is solved".
            "感谢客服小姐姐。",
            "问题解决了，谢谢亲",
        ] {
            assert!(states_no_problem(t), "{t:?} should state no problem");
        }
        for t in [
            "谢谢，但是退款还没到账",
            "好的，我的卡还是不能用",
            "已解决？没有啊",
            "客服",
            "收到的货是坏的",
            "没有收到退款",
            "可以吗？",
            "你好，退款怎么样了？",
            "最近怎么样都登录不了",
            "今天退款到账了吗",
            "问题还没解决",
            "父亲的卡被冻结了",
        ] {
            assert!(!states_no_problem(t), "{t:?} states a problem");
        }
    }

    #[test]
    fn hebrew() {
        for t in [
            "תודה",
            "תודה רבה!",
            "סבבה",
            "אוקיי",
            "תודה רבה על העזרה המהירה",
            "אין בעיה, תודה",
            "הכל עובד עכשיו, תודה",
            "ותודה לכולם",
            "מענה אוטומטי: אני מחוץ למשרד עד יום ראשון",
            "מה שלומך?",
            "היי, מה נשמע",
            "אהלן",
            "אחר צהריים טובים",
            "מה קורה איתך?",
            "איך היה היום שלך",
        ] {
            assert!(states_no_problem(t), "{t:?} should state no problem");
        }
        for t in [
            "תודה, אבל הכרטיס לא הגיע",
            "זה עדיין לא עובד",
            "הכרטיס שלי לא הגיע",
            "עזרה",
            "מה קורה עם ההזמנה שלי?",
            "איך אתה מבטל את המנוי",
            "מה קורה עם ההזמנה שלך",
        ] {
            assert!(!states_no_problem(t), "{t:?} states a problem");
        }
    }
}
