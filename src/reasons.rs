//! The reasons stage: each categorised episode's contact reason (its first
//! contact's, cleaned by `text::clean` inside `text::reason`), with the
//! month's own boilerplate stripped, and the episodes that state no
//! problem set aside.
//!
//! Boilerplate is learned from this month's reasons, those of the resolved
//! episodes included (`text::Boilerplate`):
//! agent-note and template phrases found across many otherwise unrelated
//! contacts would otherwise pull them into one category and name it. A
//! reason that states no problem (thanks, praise, "ok", an auto-reply, or
//! nothing left after stripping) has no root cause: it is counted, shown
//! with examples, and never clustered or ranked.
//!
//! Before that, a customer's own context goes: clauses a customer says under
//! their *different* episodes ("I fly back from Japan on Friday.", "我刚换了
//! 小米手机") are about the customer, not about either problem, and would
//! otherwise gather unrelated problems into a theme named after them. The
//! same rule as linking's (`text::apart`): what two different issues both
//! say is not the issue.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use crate::model::{Contact, Direction, Linked, Reason};
use crate::settings::Categorise;
use crate::text::reason::contact_reason;
use crate::text::{self, Boilerplate};

/// How many distinct examples of the set-aside reasons are kept.
pub const EXAMPLES: usize = 5;

/// Output of the reasons stage.
#[derive(Debug, Default)]
pub struct Reasons {
    /// Reasons that state a problem: clustered, named and ranked.
    pub stated: Vec<Reason>,
    /// Episodes whose reason states no problem.
    pub no_problem: Vec<Reason>,
    /// The phrases learned as boilerplate and stripped.
    pub boilerplate: Boilerplate,
}

/// Reads the reasons of the episodes `categorise` selects; `reason_of(c)`
/// is contact `c`'s reason (shared with linking, which reads them first).
pub fn read(
    linked: &Linked,
    contacts: &[Contact],
    categorise: Categorise,
    mut reason_of: impl FnMut(usize) -> String,
) -> Reasons {
    let mut raw: Vec<Reason> = linked
        .episodes
        .iter()
        .enumerate()
        .filter(|(_, e)| match categorise {
            Categorise::NonFcr => !e.signals.is_empty(),
            Categorise::All => true,
            Categorise::None => false,
        })
        .map(|(i, e)| Reason {
            episode: i,
            contact: e.first,
            text: reason_of(e.first),
        })
        .collect();
    strip_customer_context(&mut raw, linked, contacts, &mut reason_of);
    // Learned from every episode's reason, not only the categorised ones:
    // a template pasted under resolved and unresolved issues alike is
    // counted in all of them ("已提交后台处理" under 12 of a sample month's
    // contacts, 5 of them categorised, named a theme).
    // Read in parallel and not kept: at a million contacts these are most
    // of the month's texts, and only the learner needs them.
    let categorised: HashSet<usize> = raw.iter().map(|r| r.episode).collect();
    let read_all = |ids: Vec<usize>| -> Vec<String> {
        ids.par_iter()
            .map(|&c| {
                contacts
                    .get(c)
                    .map_or_else(String::new, |c| contact_reason(&c.text))
            })
            .collect()
    };
    let others = read_all(
        (0..linked.episodes.len())
            .filter(|e| !categorised.contains(e))
            .map(|e| linked.episodes[e].first)
            .collect(),
    );
    // The customers' later contacts count towards how often a phrase
    // occurs: "已提交後臺處理" was under 16 contacts of a 1k month, only 9 of
    // them an episode's first, below the learner's floor.
    let later = read_all(
        linked
            .episodes
            .iter()
            .flat_map(|ep| {
                ep.contacts.iter().copied().filter(move |&c| {
                    c != ep.first
                        && contacts
                            .get(c)
                            .is_some_and(|c| c.direction == Direction::Inbound)
                })
            })
            .collect(),
    );
    let boilerplate = Boilerplate::learn_with_later(
        raw.iter()
            .map(|r| r.text.as_str())
            .chain(others.iter().map(String::as_str)),
        later.iter().map(String::as_str),
    );
    drop(others);
    drop(later);
    let mut out = Reasons {
        boilerplate,
        ..Reasons::default()
    };
    for mut r in raw {
        r.text = out.boilerplate.strip(&r.text);
        // A reason of only references ("Order 12345.") says which case, not
        // what went wrong. Checked here, not in `states_no_problem`: linking
        // reads that too, and a chase that only gives its order number is a
        // repeat contact, not a courtesy one.
        if text::states_no_problem(&r.text) || text::only_references(&r.text) {
            out.no_problem.push(r);
        } else {
            out.stated.push(r);
        }
    }
    out
}

/// Takes out of each reason the clauses its customer also says in the first
/// contact of another of their episodes, unless nothing would be left (then
/// the shared clauses are all it says: the same problem again).
fn strip_customer_context(
    raw: &mut [Reason],
    linked: &Linked,
    contacts: &[Contact],
    reason_of: &mut impl FnMut(usize) -> String,
) {
    let customer_of = |e: usize| {
        contacts
            .get(linked.episodes[e].first)
            .and_then(|c| c.customer_id.as_deref())
    };
    let wanted: HashSet<&str> = raw.iter().filter_map(|r| customer_of(r.episode)).collect();
    let mut episodes_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for e in 0..linked.episodes.len() {
        if let Some(c) = customer_of(e).filter(|c| wanted.contains(c)) {
            episodes_of.entry(c).or_default().push(e);
        }
    }
    let mut keys_of: HashMap<usize, HashSet<String>> = HashMap::new();
    for r in raw.iter_mut() {
        let Some(others) = customer_of(r.episode).and_then(|c| episodes_of.get(c)) else {
            continue;
        };
        if others.len() < 2 {
            continue;
        }
        let mine = text::clause_keys(&r.text);
        let mut shared: HashSet<String> = HashSet::new();
        for &e in others.iter().filter(|&&e| e != r.episode) {
            let theirs = keys_of
                .entry(e)
                .or_insert_with(|| text::clause_keys(&reason_of(linked.episodes[e].first)));
            shared.extend(mine.intersection(theirs).cloned());
        }
        if shared.is_empty() {
            continue;
        }
        let rest = text::without_clauses(&r.text, &shared);
        if rest.chars().any(char::is_alphanumeric) {
            r.text = rest;
        }
    }
}

/// Up to `n` distinct examples of `reasons` as the report quotes them (PII
/// masked, one line), the most frequent first (ties: the earliest), each
/// with the id of a contact that said it. "(no text)" comes after every
/// example with words: it shows a reader nothing of what was set aside.
pub fn examples(reasons: &[Reason], contacts: &[Contact], n: usize) -> Vec<(String, String)> {
    // text → (count, first position, contact id)
    let mut seen: BTreeMap<String, (usize, usize, &str)> = BTreeMap::new();
    for (k, r) in reasons.iter().enumerate() {
        let line = quoted(r);
        let e = seen
            .entry(line)
            .or_insert((0, k, contacts[r.contact].contact_id.as_str()));
        e.0 += 1;
    }
    let mut v: Vec<(String, (usize, usize, &str))> = seen.into_iter().collect();
    let empty = |t: &str| t == NO_TEXT;
    v.sort_by(|a, b| {
        empty(&a.0)
            .cmp(&empty(&b.0))
            .then(b.1 .0.cmp(&a.1 .0))
            .then(a.1 .1.cmp(&b.1 .1))
    });
    v.into_iter()
        .take(n)
        .map(|(t, (_, _, id))| (id.to_string(), t))
        .collect()
}

/// Up to `n` examples spread evenly over `reasons` (every len/n-th), for
/// a set whose members are unlike each other (the uncategorised).
pub fn spread_examples(
    reasons: &[&Reason],
    contacts: &[Contact],
    n: usize,
) -> Vec<(String, String)> {
    if reasons.is_empty() || n == 0 {
        return Vec::new();
    }
    let step = (reasons.len() / n).max(1);
    reasons
        .iter()
        .step_by(step)
        .take(n)
        .map(|r| (contacts[r.contact].contact_id.to_string(), quoted(r)))
        .collect()
}

const NO_TEXT: &str = "(no text)";

/// A reason as the report quotes it: PII masked, one line; "(no text)"
/// for an empty reason, so the report never shows an empty quote.
fn quoted(r: &Reason) -> String {
    let masked = text::reason::mask_pii(&r.text);
    let line = masked.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        NO_TEXT.into()
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Episode, Signal};

    fn linked(n: usize) -> Linked {
        let episodes = (0..n)
            .map(|i| Episode {
                episode_id: format!("E{i:07}"),
                contacts: vec![i],
                first: i,
                first_started_at: 0,
                last_started_at: 0,
                n_inbound: 2,
                n_outbound: 0,
                n_repeats: 1,
                n_chases: 0,
                signals: vec![Signal::RepeatContact],
                survey_resolved: None,
                window_open: false,
                measured: true,
                fcr: false,
                crm_fcr: false,
                category_id: None,
                theme_id: None,
            })
            .collect();
        Linked {
            episodes,
            ..Linked::default()
        }
    }

    #[test]
    fn only_non_fcr_episodes_give_reasons_by_default() {
        use crate::test_support::{contact, run};
        let cs = vec![
            contact("C1", "U1", 0.0, "Customer: my refund has not arrived"),
            contact(
                "C2",
                "U1",
                24.0,
                "Customer: my refund has still not arrived",
            ),
            contact("C3", "U2", 0.0, "Customer: how do I top up"),
        ];
        let linked = run(&cs, &crate::settings::Settings::default());
        let of = |c: usize| text::reason::contact_reason(&cs[c].text);
        let r = read(&linked, &cs, Categorise::NonFcr, of).stated;
        assert_eq!(r.len(), 1);
        assert!(r[0].text.contains("refund"));
        assert_eq!(read(&linked, &cs, Categorise::All, of).stated.len(), 2);
        assert!(read(&linked, &cs, Categorise::None, of).stated.is_empty());
    }

    #[test]
    fn examples_with_words_come_before_no_text() {
        use crate::test_support::contact;
        let cs: Vec<Contact> = (0..4)
            .map(|i| contact(&format!("C{i}"), "U1", i as f64, ""))
            .collect();
        let r = |contact: usize, text: &str| Reason {
            episode: contact,
            contact,
            text: text.into(),
        };
        // The empty reason is the most frequent, yet shown last.
        let reasons = [r(0, ""), r(1, ""), r(2, "thanks, love the app!"), r(3, "")];
        let ex = examples(&reasons, &cs, 2);
        assert_eq!(
            ex[0],
            ("C2".to_string(), "thanks, love the app!".to_string())
        );
        assert_eq!(ex[1], ("C0".to_string(), NO_TEXT.to_string()));
    }

    #[test]
    fn thanks_are_set_aside_and_problems_kept() {
        let texts = [
            "@JetBlue Thanks!",
            "My refund has not arrived after two weeks",
            "谢谢",
            "תודה רבה!",
            "The coupon code is not accepted at checkout",
            "Hi, order 88123456.",
            "流水号 20261003 谢谢",
            "Order 88123456 never arrived",
        ];
        let r = read(&linked(texts.len()), &[], Categorise::NonFcr, |c| {
            text::reason::contact_reason(texts[c])
        });
        let stated: Vec<usize> = r.stated.iter().map(|x| x.contact).collect();
        let none: Vec<usize> = r.no_problem.iter().map(|x| x.contact).collect();
        assert_eq!(stated, vec![1, 4, 7]);
        assert_eq!(none, vec![0, 2, 3, 5, 6]);
    }

    #[test]
    fn the_months_template_is_stripped_from_reasons() {
        // 60 contacts about unrelated things, each with the same agent note.
        let topics = [
            "my parcel never arrived",
            "the app crashes on login",
            "I was charged twice for one order",
            "cannot change my delivery address",
            "the coupon code is rejected",
            "my card was declined at the till",
        ];
        let texts: Vec<String> = (0..60)
            .map(|i| {
                format!(
                    "{} {} (order {}). Action taken: passed to specialist team.",
                    topics[i % topics.len()],
                    // Each customer's own wording: no sentence of theirs is
                    // frequent enough to be a template itself.
                    [
                        "again",
                        "today",
                        "this week",
                        "at home",
                        "twice",
                        "now",
                        "still"
                    ][i % 7],
                    1000 + i
                )
            })
            .collect();
        let r = read(&linked(texts.len()), &[], Categorise::All, |c| {
            text::reason::contact_reason(&texts[c])
        });
        assert!(!r.boilerplate.is_empty(), "{:?}", r.boilerplate.stats());
        assert_eq!(r.stated.len(), 60);
        assert!(r
            .stated
            .iter()
            .all(|x| !x.text.to_lowercase().contains("specialist")));
    }

    #[test]
    fn a_customers_context_under_different_problems_goes() {
        use crate::test_support::contact;
        let texts = [
            // U1: two different problems, the same context.
            "I fly back from Japan on Friday. My card was declined at the till.",
            "Where is my refund? I fly back from Japan on Friday.",
            // U2: one episode keeps its context.
            "I fly back from Japan on Friday. The app crashes on login.",
            // U3: the same words in two episodes: nothing else said, kept.
            "My parcel never arrived.",
            "My parcel never arrived.",
        ];
        let cs: Vec<Contact> = ["U1", "U1", "U2", "U3", "U3"]
            .iter()
            .enumerate()
            .map(|(i, u)| contact(&format!("c{i}"), u, i as f64, texts[i]))
            .collect();
        let r = read(&linked(texts.len()), &cs, Categorise::All, |c| {
            text::reason::contact_reason(texts[c])
        });
        let got: Vec<&str> = r.stated.iter().map(|x| x.text.as_str()).collect();
        assert_eq!(
            got,
            vec![
                "My card was declined at the till.",
                "Where is my refund?",
                "I fly back from Japan on Friday. The app crashes on login.",
                "My parcel never arrived.",
                "My parcel never arrived.",
            ]
        );
    }

    #[test]
    fn examples_are_distinct_most_frequent_first() {
        let contacts: Vec<Contact> = (0..4)
            .map(|i| crate::test_support::contact(&format!("c{i}"), "cust", i as f64, "x"))
            .collect();
        let rs: Vec<Reason> = ["thanks", "ok", "thanks", "great"]
            .iter()
            .enumerate()
            .map(|(i, t)| Reason {
                episode: i,
                contact: i,
                text: t.to_string(),
            })
            .collect();
        let ex = examples(&rs, &contacts, 2);
        assert_eq!(
            ex,
            vec![
                ("c0".to_string(), "thanks".to_string()),
                ("c1".to_string(), "ok".to_string())
            ]
        );
    }
}
