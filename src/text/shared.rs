//! What two contacts of one customer say *apart* from what they both say.
//!
//! A customer wraps every contact in the same small talk and context ("I'm
//! travelling in Greece at the moment.", "My salary gets paid into this
//! account."), so two different problems can read alike as wholes. The
//! same-issue test also compares what is left when the clauses both say are
//! taken out (issue 14: the same problem, not the same small talk).
//!
//! Clauses match by their phrase key (`boilerplate::phrase_key`: case,
//! width, punctuation and digit runs folded), so "Order #4821." and
//! "Order #9913." count as said by both.

use std::collections::HashSet;

use super::boilerplate::{phrase_key, sentences_of};
use super::clause::drop_clauses;

/// The clause keys of a text (phrase keys: case, punctuation and digit
/// runs folded).
pub fn clause_keys(text: &str) -> HashSet<String> {
    sentences_of(text)
        .into_iter()
        .flat_map(|s| s.clauses)
        .collect()
}

/// `text` without its clauses whose key is in `drop`, the rest as written.
pub fn without_clauses(text: &str, drop: &HashSet<String>) -> String {
    drop_clauses(text, |_| false, |c| drop.contains(&phrase_key(c)))
        .unwrap_or_else(|| text.to_string())
}

/// `a` and `b` each without what both say; `None` when they share
/// nothing, or when one of them says nothing the other does not (then the
/// shared part is all it says, and the wholes are what to compare).
///
/// Shared is a clause both say, or a clause one says that the other holds
/// inside a longer clause: a context phrase pasted with no stop before it
/// ("…a new credit card My partner and I share this account."). Only a
/// phrase of at least [`MIN_INSIDE_UNITS`] words (Han characters count one
/// each) is looked for inside another clause, so a short problem ("card
/// declined") is never cut out of a longer one.
pub fn apart(a: &str, b: &str) -> Option<(String, String)> {
    let (ka, kb) = (clause_keys(a), clause_keys(b));
    let shared: HashSet<String> = ka.intersection(&kb).cloned().collect();
    // a's clauses found inside one of b's, and b's inside one of a's.
    let in_b = inside(&ka, &kb);
    let in_a = inside(&kb, &ka);
    let a_all = ka.iter().all(|k| shared.contains(k) || in_b.contains(k));
    let b_all = kb.iter().all(|k| shared.contains(k) || in_a.contains(k));
    if (shared.is_empty() && in_a.is_empty() && in_b.is_empty()) || a_all || b_all {
        return None;
    }
    let drop_a: HashSet<String> = shared.union(&in_b).cloned().collect();
    let drop_b: HashSet<String> = shared.union(&in_a).cloned().collect();
    let ra = cut_phrases(&without_clauses(a, &drop_a), &in_a);
    let rb = cut_phrases(&without_clauses(b, &drop_b), &in_b);
    (says_something(&ra) && says_something(&rb)).then_some((ra, rb))
}

/// What is left states a problem: not only a greeting, thanks, filler or
/// reference ("Hey, Ref: NW7249359", "I need this sorted today please").
/// Otherwise the shared part was the problem itself, and the wholes are
/// what to compare.
fn says_something(rest: &str) -> bool {
    // `only_courtesy_or_fillers` holds wherever `states_no_problem`'s word
    // test does; praise is the rest of that test.
    rest.chars().any(char::is_alphanumeric)
        && !super::noproblem::only_courtesy_or_fillers(rest)
        && !super::praise::states_praise(rest)
        && !super::only_references(rest)
}

/// Fewest words (or Han characters) a clause needs to be looked for
/// inside another's: context phrases run longer ("I'm travelling in Canada
/// at the moment", "我是学生", "אני עוזר לאבא שלי") than a problem said in
/// a few words.
pub const MIN_INSIDE_UNITS: usize = 4;

/// The keys of `from` (not in `other`) of at least [`MIN_INSIDE_UNITS`]
/// units that occur inside a longer key of `other`, as whole words.
fn inside(from: &HashSet<String>, other: &HashSet<String>) -> HashSet<String> {
    let longer: Vec<Vec<&str>> = other.iter().map(|k| key_units(k)).collect();
    from.iter()
        .filter(|k| !other.contains(*k))
        .filter(|k| {
            let units = key_units(k);
            units.len() >= MIN_INSIDE_UNITS
                && longer
                    .iter()
                    .any(|l| l.len() > units.len() && find(l, &units).is_some())
        })
        .cloned()
        .collect()
}

/// A phrase key's units: its words, a Han character each.
fn key_units(key: &str) -> Vec<&str> {
    units(key).into_iter().map(|(s, e)| &key[s..e]).collect()
}

/// Byte spans of the units of `text`: runs of letters and digits, and
/// each Han character alone (Chinese is written without spaces).
fn units(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        let han = super::is_han(c);
        if c.is_alphanumeric() && !han {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            out.push((s, i));
        }
        if han {
            out.push((i, i + c.len_utf8()));
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// Where `needle` starts in `hay`.
fn find<T: PartialEq>(hay: &[T], needle: &[T]) -> Option<usize> {
    (!needle.is_empty())
        .then(|| hay.windows(needle.len()).position(|w| w == needle))
        .flatten()
}

/// `text` without the first occurrence of each phrase key in `phrases`,
/// matched unit by unit on their keys (case, width and digit runs folded),
/// the rest as written.
fn cut_phrases(text: &str, phrases: &HashSet<String>) -> String {
    if phrases.is_empty() {
        return text.to_string();
    }
    let spans = units(text);
    let keys: Vec<String> = spans
        .iter()
        .map(|&(s, e)| phrase_key(&text[s..e]))
        .collect();
    let hay: Vec<&str> = keys.iter().map(String::as_str).collect();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    // In a fixed order, so the result does not depend on the set's.
    let mut ordered: Vec<&String> = phrases.iter().collect();
    ordered.sort_unstable_by(|x, y| y.len().cmp(&x.len()).then(x.cmp(y)));
    for p in ordered {
        let needle = key_units(p);
        if let Some(at) = find(&hay, &needle) {
            let (s, e) = (spans[at].0, spans[at + needle.len() - 1].1);
            if !cuts.iter().any(|&(cs, ce)| s < ce && cs < e) {
                cuts.push((s, e));
            }
        }
    }
    cuts.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in cuts {
        out.push_str(text[at..s].trim_end());
        // A space only where words would otherwise meet.
        if text[e..].starts_with(char::is_alphanumeric) {
            out.push(' ');
        }
        at = e;
    }
    out.push_str(&text[at..]);
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_context_is_taken_out_of_both() {
        let (a, b) = apart(
            "Hey guys, I'm travelling in Greece at the moment. My PIN is blocked.",
            "I'm travelling in Greece at the moment. Where is my refund? Order #9913.",
        )
        .unwrap();
        assert_eq!(a, "Hey guys, My PIN is blocked.");
        assert_eq!(b, "Where is my refund? Order #9913.");
    }

    #[test]
    fn digits_fold_and_case_folds() {
        let (a, b) = apart(
            "Order #4821. my card was declined",
            "ORDER #77. I want to close my account",
        )
        .unwrap();
        assert_eq!(a, "my card was declined");
        assert_eq!(b, "I want to close my account");
    }

    #[test]
    fn nothing_shared_or_nothing_else_said() {
        assert_eq!(apart("My card was declined.", "Where is my refund?"), None);
        // One says only what the other also says: a pasted repeat.
        assert_eq!(
            apart(
                "My card was declined.",
                "Sorry to bother you. My card was declined."
            ),
            None
        );
        assert_eq!(
            apart("My card was declined.", "My card was declined."),
            None
        );
        // What is left of one is a greeting and a reference: the shared
        // part was the problem itself.
        assert_eq!(
            apart(
                "Hey, please increase your volume Ref: NW7249359",
                "Sorry to bother you. Please increase your volume.",
            ),
            None
        );
    }

    #[test]
    fn chinese_and_hebrew_clauses() {
        let (a, b) = apart(
            "我现在在日本出差，我的卡被冻结了。",
            "我现在在日本出差，退款还没到账。",
        )
        .unwrap();
        assert_eq!(a, "我的卡被冻结了。");
        assert_eq!(b, "退款还没到账。");
        let (a, b) = apart(
            "אני נמצא כרגע ביוון. הכרטיס שלי נחסם.",
            "אני נמצא כרגע ביוון. איפה ההחזר שלי?",
        )
        .unwrap();
        assert_eq!(a, "הכרטיס שלי נחסם.");
        assert_eq!(b, "איפה ההחזר שלי?");
    }

    #[test]
    fn context_pasted_without_a_stop_is_found_inside_a_clause() {
        let (a, b) = apart(
            "Hey, My partner and I share this account. how can i turn on direct deposit.",
            "could you please let me apply for a new credit card My partner and I share this account. Order #8337823.",
        )
        .unwrap();
        assert_eq!(a, "Hey, how can i turn on direct deposit.");
        assert_eq!(
            b,
            "could you please let me apply for a new credit card. Order #8337823."
        );
        let (a, b) = apart(
            "打扰一下，这是去纽约的火车时刻表我是学生，流水号 3680451",
            "你好，我是学生，指出我去我的家的方向。",
        )
        .unwrap();
        assert!(
            !a.contains("我是学生") && !b.contains("我是学生"),
            "{a} / {b}"
        );
        assert!(a.contains("火车时刻表") && b.contains("方向"), "{a} / {b}");
    }

    #[test]
    fn a_short_problem_inside_a_longer_one_is_not_cut() {
        // Three words: a problem, not context; nothing else is shared.
        assert_eq!(
            apart(
                "Card got declined.",
                "my card got declined again at the till"
            ),
            None
        );
        // One says only what the other holds inside: compare the wholes.
        assert_eq!(
            apart(
                "My new card never arrived.",
                "hi my new card never arrived in the post"
            ),
            None
        );
    }
}
