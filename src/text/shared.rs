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

/// `a` and `b` each without the clauses both say; `None` when they share no
/// clause, or when one of them says nothing the other does not (then the
/// shared clauses are all it says, and the wholes are what to compare).
pub fn apart(a: &str, b: &str) -> Option<(String, String)> {
    let (ka, kb) = (clause_keys(a), clause_keys(b));
    let shared: HashSet<String> = ka.intersection(&kb).cloned().collect();
    if shared.is_empty() || ka.len() == shared.len() || kb.len() == shared.len() {
        return None;
    }
    let (ra, rb) = (without_clauses(a, &shared), without_clauses(b, &shared));
    let has_words = |s: &str| s.chars().any(char::is_alphanumeric);
    (has_words(&ra) && has_words(&rb)).then_some((ra, rb))
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
}
