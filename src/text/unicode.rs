//! One form for comparing text in any script (NFKC, case folding), and
//! which script a text is in: the tests every other text module shares.

use unicode_normalization::UnicodeNormalization;

/// NFKC only (full-width letters and digits to their usual forms), for
/// text whose case matters, such as a search query's `AND`/`OR`.
pub fn normalize_width(text: &str) -> String {
    text.nfkc().collect()
}

/// NFKC, case folding, and Traditional Chinese folded to Simplified: one
/// form for comparing text in any script, so 還是 and 还是, 客戶 and 客户
/// are the same words to every list, term and vector built on it.
pub fn normalize(text: &str) -> String {
    if text.is_ascii() {
        // No Han to fold: skip the scan for it.
        return text.to_ascii_lowercase();
    }
    let folded = fold_case(text);
    match to_simplified(&folded) {
        std::borrow::Cow::Owned(simple) => simple,
        // No Han: the folded text as it is, not a copy of it.
        std::borrow::Cow::Borrowed(_) => folded,
    }
}

/// NFKC and case folding, the script kept: the form a reader is shown
/// (keyword surfaces, names) where [`normalize`] is the form compared.
pub(crate) fn fold_case(text: &str) -> String {
    if text.is_ascii() {
        // NFKC leaves ASCII as it is; its case folding is ASCII's.
        return text.to_ascii_lowercase();
    }
    text.nfkc().flat_map(char::to_lowercase).collect()
}

/// Traditional Chinese characters and phrases as Simplified (OpenCC's
/// `t2s` tables). Its tables map every entry to one of the same length, so
/// the n-th character of the result stands for the n-th of the input: a
/// word segmented on the Simplified form is shown as the customer wrote it.
pub(crate) fn to_simplified(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(is_han) {
        std::borrow::Cow::Owned(hanconv::t2s(text))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Ext A
        | 0x4E00..=0x9FFF    // CJK Unified
        | 0xAC00..=0xD7AF    // Hangul
        | 0xF900..=0xFAFF    // CJK compatibility
        | 0x20000..=0x2FA1F) // CJK Ext B+
}

pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

pub(crate) fn is_hebrew(c: char) -> bool {
    ('\u{0590}'..='\u{05FF}').contains(&c)
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
