//! How many of a group's members say its name: the share a reader can
//! check against the quotes ("refund not received" is said by 64 % of
//! its episodes), and the figure `recontact eval` reports for names.
//!
//! A member says a phrase name when its reason holds every content word
//! of it (word keys, so "cards" says "card", and stop words between do
//! not matter); a keyword name ("refund, status / card") when it holds
//! every content word of one of its parts. A name with no content word is
//! said by nobody.

use std::collections::HashSet;

use rayon::prelude::*;

use crate::model::{Category, Reason};
use crate::rank::{RankedCategory, RankedTheme};
use crate::text::segments;

/// The parts of a name (split at its punctuation), each as its content
/// word keys; parts without one left out.
fn parts(name: &str) -> Vec<Vec<String>> {
    segments(name)
        .into_iter()
        .map(|seg| {
            seg.into_iter()
                .filter(|t| !t.stop)
                .map(|t| t.key)
                .collect::<Vec<_>>()
        })
        .filter(|p: &Vec<String>| !p.is_empty())
        .collect()
}

/// Every word key of a text, stop words included.
fn keys(text: &str) -> HashSet<String> {
    segments(text)
        .into_iter()
        .flatten()
        .map(|t| t.key)
        .collect()
}

/// Share of `members` (their word keys) that say `name`.
fn share(name: &str, members: &[&HashSet<String>]) -> f64 {
    let parts = parts(name);
    if members.is_empty() || parts.is_empty() {
        return 0.0;
    }
    let saying = members
        .iter()
        .filter(|m| parts.iter().any(|p| p.iter().all(|w| m.contains(w))))
        .count();
    saying as f64 / members.len() as f64
}

/// Sets `name_said_by` on each ranked category and theme, from the
/// reasons of its members (`categories`: the label stage's, which the
/// ranked ones point into). Run after every rename (trend, themes), so the
/// figure is about the name the report shows.
pub fn stamp(
    ranked: &mut [RankedCategory],
    themes: &mut [RankedTheme],
    categories: &[Category],
    reasons: &[Reason],
) {
    let members = |r: &RankedCategory| -> Vec<usize> {
        r.category_index
            .and_then(|k| categories.get(k))
            .map_or_else(Vec::new, |c| c.members.clone())
    };
    let of_category: Vec<Vec<usize>> = ranked.iter().map(members).collect();
    let of_theme: Vec<Vec<usize>> = themes
        .iter()
        .map(|t| {
            t.categories
                .iter()
                .filter_map(|&i| of_category.get(i))
                .flatten()
                .copied()
                .collect()
        })
        .collect();
    let mut needed: Vec<usize> = of_category.iter().flatten().copied().collect();
    needed.sort_unstable();
    needed.dedup();
    let words: Vec<HashSet<String>> = needed
        .par_iter()
        .map(|&i| reasons.get(i).map_or_else(HashSet::new, |r| keys(&r.text)))
        .collect();
    let said = |name: &str, ms: &[usize]| -> f64 {
        let sets: Vec<&HashSet<String>> = ms
            .iter()
            .filter_map(|i| needed.binary_search(i).ok())
            .map(|p| &words[p])
            .collect();
        share(name, &sets)
    };
    for (r, ms) in ranked.iter_mut().zip(&of_category) {
        r.name_said_by = said(&r.label, ms);
    }
    for (t, ms) in themes.iter_mut().zip(&of_theme) {
        t.figures.name_said_by = said(&t.figures.label, ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(name: &str, texts: &[&str]) -> f64 {
        let sets: Vec<HashSet<String>> = texts.iter().map(|t| keys(t)).collect();
        share(name, &sets.iter().collect::<Vec<_>>())
    }

    #[test]
    fn a_phrase_is_said_by_members_holding_all_its_words() {
        let texts = [
            "my refund has not been received yet",
            "still waiting, refund not received",
            "where is my refund",
            "card declined at the shop",
        ];
        assert_eq!(said("refund not received", &texts), 0.5);
        assert_eq!(said("refund", &texts), 0.75);
    }

    #[test]
    fn a_keyword_name_is_said_by_members_holding_one_part() {
        let texts = ["refund status please", "my card", "nothing here"];
        assert!((said("refund status / card", &texts) - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(said("the", &texts), 0.0);
    }

    #[test]
    fn chinese_and_hebrew_names_count_their_words() {
        let zh = ["我找不到优惠券了", "优惠券不能用", "退款还没到"];
        assert!(said("优惠券", &zh) > 0.6);
        assert!(said("退款", &zh) < 0.4);
        let he = ["הכרטיס לא הגיע", "הכרטיס שלי לא הגיע עדיין", "רוצה לבטל"];
        assert!((said("הכרטיס לא הגיע", &he) - 2.0 / 3.0).abs() < 1e-9);
    }
}
