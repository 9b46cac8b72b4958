//! The company's own words: brand and product names that customers write
//! when they address the company ("spotify" to `@SpotifyCares`, "uber" to
//! `@Uber_Support`). They say whom a customer wrote to, not what went
//! wrong, so they never name a group.
//!
//! Learned from the month, with no list: a word is the company's when it
//! is part of a handle the customers address, and the reasons that say it
//! mostly address such a handle. The second test keeps ordinary words
//! that happen to sit inside a handle ("app" in `@AppleSupport`, "help" in
//! `@AmazonHelp`): customers write those to every company. A one-company
//! centre's own name is also caught by `phrase`'s "throughout the month"
//! rule; this one also holds where many brands share one export (an
//! outsourcer, a marketplace, a social-media desk).

use std::collections::{HashMap, HashSet};

use crate::text::segments;

/// Fewest reasons that must say a word inside their handle.
const MIN_REASONS: usize = 2;
/// Share of the addressed reasons saying the word whose handle holds it.
const MIN_SHARE: f64 = 0.75;
/// Shorter words are too likely inside any handle by chance.
const MIN_CHARS: usize = 3;

/// Word keys (as `text::segments` keys them) that are the company's, from
/// each reason's text and the handles its contact addressed (as written,
/// as `text::mentions` gives them).
pub fn company_words<'a>(
    reasons: impl IntoIterator<Item = (&'a str, Vec<String>)>,
) -> HashSet<String> {
    // word → (addressed reasons saying it, of which inside their handle)
    let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
    for (text, handles) in reasons {
        if handles.is_empty() {
            continue;
        }
        let handles: Vec<Handle> = handles.iter().map(|h| Handle::new(h)).collect();
        let mut seen = HashSet::new();
        for token in segments(text).into_iter().flatten() {
            if token.stop
                || token.key.chars().count() < MIN_CHARS
                || !seen.insert(token.key.clone())
            {
                continue;
            }
            let surface = token.surface.to_lowercase();
            let inside = handles
                .iter()
                .any(|h| h.holds(&token.key) || h.holds(&surface));
            let e = counts.entry(token.key).or_default();
            e.0 += 1;
            e.1 += usize::from(inside);
        }
    }
    counts
        .into_iter()
        .filter(|(_, (said, inside))| {
            *inside >= MIN_REASONS && *inside as f64 >= MIN_SHARE * *said as f64
        })
        .map(|(w, _)| w)
        .collect()
}

/// A handle's words: `ChipotleTweets` is "chipotle" + "tweets", so "chip"
/// is not in it; `sprintcare`, written without capitals, holds any word
/// it starts with ("sprint").
struct Handle {
    whole: String,
    /// Runs of consecutive parts, lower-cased ("t", "mobile", "tmobile").
    parts: Vec<String>,
    /// No capitals or separators to split at.
    unsplit: bool,
}

impl Handle {
    fn new(handle: &str) -> Handle {
        let chars: Vec<char> = handle.chars().collect();
        let mut words: Vec<String> = Vec::new();
        let mut cur = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1);
            let boundary = match prev {
                None => false,
                Some(p) => {
                    (c.is_uppercase() && p.is_lowercase())
                        || (c.is_uppercase()
                            && p.is_uppercase()
                            && next.is_some_and(|n| n.is_lowercase()))
                        || (c.is_ascii_digit() != p.is_ascii_digit())
                }
            };
            if (c == '_' || boundary) && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            if c != '_' {
                cur.extend(c.to_lowercase());
            }
        }
        if !cur.is_empty() {
            words.push(cur);
        }
        let mut parts = Vec::new();
        for a in 0..words.len() {
            for b in a + 1..=words.len() {
                parts.push(words[a..b].concat());
            }
        }
        Handle {
            whole: words.concat(),
            unsplit: words.len() == 1,
            parts,
        }
    }

    fn holds(&self, word: &str) -> bool {
        self.parts.iter().any(|p| p == word)
            || (self.unsplit && word.chars().count() > MIN_CHARS && self.whole.starts_with(word))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handle_splits_at_capitals_separators_and_digits() {
        let h = Handle::new("TMobileHelp");
        assert!(h.holds("mobile") && h.holds("tmobile") && h.holds("tmobilehelp"));
        assert!(!h.holds("mob"));
        let h = Handle::new("Uber_Support");
        assert!(h.holds("uber") && !h.holds("ube"));
        let h = Handle::new("GWRHelp");
        assert!(h.holds("gwr") && h.holds("help"));
        let h = Handle::new("sprintcare");
        assert!(h.holds("sprint") && !h.holds("spr") && !h.holds("care"));
    }

    fn learn(rows: &[(&str, &str)]) -> Vec<String> {
        let mut w: Vec<String> =
            company_words(rows.iter().map(|(t, h)| (*t, crate::text::mentions(h))))
                .into_iter()
                .collect();
        w.sort();
        w
    }

    #[test]
    fn brands_the_customers_address_are_the_companys_words() {
        let rows = [
            ("spotify keeps skipping songs", "@SpotifyCares"),
            ("my spotify playlist is gone", "@SpotifyCares"),
            ("the app crashes on login", "@SpotifyCares"),
            ("uber driver never came", "@Uber_Support"),
            ("charged twice by uber", "@Uber_Support"),
            ("the app will not let me pay", "@Uber_Support"),
            ("the app store will not update", "@AppleSupport"),
            ("iphone app keeps freezing", "@AppleSupport"),
            ("need help with my delivery", "@AmazonHelp"),
            ("please help, parcel lost", "@AmazonHelp"),
            ("help me with my bill", "@comcastcares"),
            ("still no help with the bill", "@comcastcares"),
            ("comcast cut my internet", "@comcastcares"),
            ("comcast billed me twice", "@comcastcares"),
            ("they forgot my chips", "@ChipotleTweets"),
            ("no chips in my bag", "@ChipotleTweets"),
        ];
        let w = learn(&rows);
        // Keys are stemmed: "spotify" is keyed "spotifi".
        assert!(w.iter().any(|x| x.starts_with("spotif")), "{w:?}");
        assert!(w.contains(&"uber".to_string()), "{w:?}");
        // A handle without capitals holds the words it starts with.
        assert!(w.contains(&"comcast".to_string()), "{w:?}");
        // "chip" is in "ChipotleTweets" only as letters, not as a word.
        assert!(!w.iter().any(|x| x.starts_with("chip")), "{w:?}");
        // Said to every company: an ordinary word, even inside a handle.
        assert!(!w.contains(&"app".to_string()), "{w:?}");
        assert!(!w.contains(&"help".to_string()), "{w:?}");
        assert!(
            !w.iter().any(|x| x.contains("song") || x.contains("driver")),
            "{w:?}"
        );
    }

    #[test]
    fn no_handles_no_company_words() {
        let rows = [
            ("acme card has not arrived", ""),
            ("acme refund please", ""),
            ("refund for my acme order", ""),
        ];
        assert!(learn(&rows).is_empty());
    }

    #[test]
    fn once_is_not_enough_and_other_scripts_are_never_inside_a_handle() {
        let rows = [
            ("tesco delivery late", "@Tesco"),
            ("退款还没到账", "@Tesco"),
            ("הכרטיס לא הגיע", "@Tesco"),
        ];
        assert!(learn(&rows).is_empty());
    }
}
