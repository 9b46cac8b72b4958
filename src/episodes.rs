//! Episodes stage: links each customer's contacts into issue episodes and
//! judges first contact resolution (FCR) per episode.
//!
//! Rules, in the order they are tried for each contact of a customer (in
//! time order):
//! 1. the contact starts less than `transfer_gap` after a transferred
//!    contact: it is the same contact continued (a transfer leg);
//! 2. it shares a ticket_id with an episode: same episode, any gap;
//! 3. it falls within the repeat window of an episode's previous contact and
//!    is about the same issue (`SameIssue`): similar customer words or an
//!    explicit repeat cue, or anything under `--same-issue any`;
//!    outbound contacts attach to the customer's latest open episode;
//! 4. otherwise it starts a new episode.
//!
//! Anonymous customers are never linked. Customers are independent, so they
//! are linked in parallel; episode numbering sorts by first contact time.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use crate::embed::VectorStore;

use crate::model::{
    Contact, ContactLink, Direction, Episode, LinkReason, Linked, Role, Signal, Timestamp,
};
use crate::settings::{FcrBasis, HandlerLevel, SameIssue, Settings};
use crate::text::{self, Boilerplate};

/// Decides whether a later contact is about the same issue as an episode.
/// The lexical scorer is the default; an embedding scorer can replace it.
pub trait SameIssueScorer: Sync {
    /// Similarity in [0, 1] of contacts `a` and `b` (indices into contacts).
    fn similarity(&self, a: usize, b: usize) -> f32;
    /// The similarity from which two contacts are about the same issue.
    fn threshold(&self) -> f32;
}

/// TF-IDF cosine over the customer's own words.
pub struct LexicalScorer<'a> {
    contacts: &'a [Contact],
    threshold: f32,
    idf: HashMap<u64, f32>,
    norms: Vec<f32>,
}

impl<'a> LexicalScorer<'a> {
    pub fn new(contacts: &'a [Contact], threshold: f32) -> Self {
        let df: HashMap<u64, u32> = contacts
            .par_iter()
            .fold(HashMap::new, |mut m: HashMap<u64, u32>, c| {
                for t in &c.customer_terms {
                    *m.entry(*t).or_default() += 1;
                }
                m
            })
            .reduce(HashMap::new, |mut a, b| {
                if a.len() < b.len() {
                    return merge(b, a);
                }
                for (k, v) in b {
                    *a.entry(k).or_default() += v;
                }
                a
            });
        let n = contacts.len() as f32;
        let idf: HashMap<u64, f32> = df
            .into_iter()
            .map(|(t, d)| (t, ((n + 1.0) / (d as f32 + 1.0)).ln() + 1.0))
            .collect();
        let norms = contacts
            .par_iter()
            .map(|c| {
                c.customer_terms
                    .iter()
                    .map(|t| idf.get(t).copied().unwrap_or(1.0).powi(2))
                    .sum::<f32>()
                    .sqrt()
            })
            .collect();
        LexicalScorer {
            contacts,
            threshold,
            idf,
            norms,
        }
    }
}

fn merge(mut a: HashMap<u64, u32>, b: HashMap<u64, u32>) -> HashMap<u64, u32> {
    for (k, v) in b {
        *a.entry(k).or_default() += v;
    }
    a
}

impl SameIssueScorer for LexicalScorer<'_> {
    fn threshold(&self) -> f32 {
        self.threshold
    }

    fn similarity(&self, a: usize, b: usize) -> f32 {
        let (ta, tb) = (
            &self.contacts[a].customer_terms,
            &self.contacts[b].customer_terms,
        );
        let denom = self.norms[a] * self.norms[b];
        if denom == 0.0 {
            return 0.0;
        }
        let (mut i, mut j, mut dot) = (0, 0, 0.0f32);
        while i < ta.len() && j < tb.len() {
            match ta[i].cmp(&tb[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    dot += self.idf.get(&ta[i]).copied().unwrap_or(1.0).powi(2);
                    i += 1;
                    j += 1;
                }
            }
        }
        (dot / denom).min(1.0)
    }
}

/// Cosine of sentence embeddings of the contacts' reasons. Only contacts
/// that can be repeats (another contact of the customer within the window)
/// are embedded; others score 0.
pub struct EmbeddingScorer<'a> {
    /// Contact index → row in `vectors`.
    pub index: HashMap<usize, usize>,
    pub vectors: &'a VectorStore,
    /// Pairs (lower contact index first) that share clauses: the cosine of
    /// what each says apart from the other. Such a pair is as alike as the
    /// lesser of the two: a customer's small talk and context, said in
    /// both, do not make two problems one (issue 14).
    pub apart: &'a HashMap<(usize, usize), f32>,
    pub threshold: f32,
    /// Contacts the model cannot read, embedded by a multilingual model.
    pub other: Option<OtherSpace<'a>>,
    /// For contacts neither model has embedded both of (e.g. Hebrew with an
    /// English model only): lexical similarity, rescaled so its threshold
    /// meets ours.
    pub fallback: Option<LexicalScorer<'a>>,
}

/// A second model's space (for the scripts the first cannot read), with its
/// own threshold on its own cosine scale.
pub struct OtherSpace<'a> {
    pub index: &'a HashMap<usize, usize>,
    pub vectors: &'a VectorStore,
    /// As [`EmbeddingScorer::apart`], in this space.
    pub apart: &'a HashMap<(usize, usize), f32>,
    pub threshold: f32,
    /// The first space's threshold its cosines are mapped onto.
    pub base: f32,
}

impl OtherSpace<'_> {
    /// The cosine of `a` and `b` here, mapped onto the first space's scale:
    /// linearly, this threshold onto `base` and 1 onto 1 (so the first
    /// space's threshold, moved, moves these decisions too).
    fn similarity(&self, a: usize, b: usize) -> Option<f32> {
        let (&i, &j) = (self.index.get(&a)?, self.index.get(&b)?);
        let s = whole_or_apart(self.vectors, self.apart, i, j, a, b);
        if self.threshold >= 1.0 {
            return Some(0.0);
        }
        let mapped = self.base + (s - self.threshold) * (1.0 - self.base) / (1.0 - self.threshold);
        Some(mapped.clamp(0.0, 1.0))
    }
}

/// The cosine of rows `i` and `j`, or of what contacts `a` and `b` say
/// apart from each other when that is lower.
fn whole_or_apart(
    vectors: &VectorStore,
    apart: &HashMap<(usize, usize), f32>,
    i: usize,
    j: usize,
    a: usize,
    b: usize,
) -> f32 {
    let whole = vectors.cosine(i, j);
    let apart = apart.get(&(a.min(b), a.max(b))).copied();
    apart.map_or(whole, |x| whole.min(x))
}

impl EmbeddingScorer<'_> {
    fn lexical(&self, a: usize, b: usize) -> f32 {
        match &self.fallback {
            Some(l) if l.threshold() > 0.0 => {
                (l.similarity(a, b) * self.threshold / l.threshold()).min(1.0)
            }
            _ => 0.0,
        }
    }
}

impl SameIssueScorer for EmbeddingScorer<'_> {
    fn similarity(&self, a: usize, b: usize) -> f32 {
        match (self.index.get(&a), self.index.get(&b)) {
            (Some(&i), Some(&j)) => whole_or_apart(self.vectors, self.apart, i, j, a, b).max(0.0),
            _ => self
                .other
                .as_ref()
                .and_then(|o| o.similarity(a, b))
                .unwrap_or_else(|| self.lexical(a, b)),
        }
    }
    fn threshold(&self) -> f32 {
        self.threshold
    }
}

/// Contacts that can take part in a same-issue test: those of a known
/// customer with another contact of theirs within the repeat window.
pub fn repeat_candidates(contacts: &[Contact], window_secs: i64) -> Vec<usize> {
    let mut by_customer: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, c) in contacts.iter().enumerate() {
        if let Some(id) = &c.customer_id {
            by_customer.entry(id.as_str()).or_default().push(i);
        }
    }
    let mut out: Vec<usize> = Vec::new();
    for idx in by_customer.values_mut() {
        if idx.len() < 2 {
            continue;
        }
        idx.sort_by_key(|&i| (contacts[i].started_at, i));
        for (k, &i) in idx.iter().enumerate() {
            let t = contacts[i].started_at;
            let near = |j: usize| (contacts[j].started_at - t).abs() <= window_secs;
            if (k > 0 && near(idx[k - 1])) || (k + 1 < idx.len() && near(idx[k + 1])) {
                out.push(i);
            }
        }
    }
    out.sort_unstable();
    out
}

/// The repeat candidates (`candidates`, sorted) the same-issue test can
/// compare: each inbound contact it decides (one with an earlier contact
/// within the window that no transfer, ticket or courtesy links first) and
/// every earlier contact of that customer an episode can chain it to
/// (consecutive gaps within the window or the transfer gap, or one
/// ticket). Only these need a vector: outbound contacts, courtesy, ticket
/// and transfer links with nothing after them are never compared, and
/// over a quarter of a realistic month's candidates are such
/// (BENCHMARKS.md, issue 18.3). A superset of what [`link`] asks the scorer, on any threshold.
pub fn compared_candidates(
    contacts: &[Contact],
    settings: &Settings,
    templates: &Boilerplate,
    candidates: &[usize],
) -> Vec<usize> {
    // The candidates' customers, with all their contacts: the others
    // decide transfers, tickets and the chains between candidates.
    let wanted: HashSet<&str> = candidates
        .iter()
        .filter_map(|&i| contacts[i].customer_id.as_deref())
        .collect();
    let mut by_customer: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in contacts.iter().enumerate() {
        if let Some(id) = c.customer_id.as_deref().filter(|id| wanted.contains(id)) {
            by_customer.entry(id).or_default().push(i);
        }
    }
    let is_candidate = |i: usize| candidates.binary_search(&i).is_ok();
    let chain_gap = settings.repeat_window_secs.max(settings.transfer_gap_secs);
    let customers: Vec<Vec<usize>> = by_customer.into_values().collect();
    let mut out: Vec<usize> = customers
        .into_par_iter()
        .flat_map_iter(|mut idx| {
            in_linking_order(&mut idx, contacts);
            let n = idx.len();
            // Chains: union of neighbours within the gap and of one ticket.
            let mut parent: Vec<usize> = (0..n).collect();
            fn root(p: &mut [usize], mut x: usize) -> usize {
                while p[x] != x {
                    p[x] = p[p[x]];
                    x = p[x];
                }
                x
            }
            let mut first_of_ticket: HashMap<&str, usize> = HashMap::new();
            let mut decided = vec![false; n];
            for k in 0..n {
                let c = &contacts[idx[k]];
                if k > 0 && c.started_at - contacts[idx[k - 1]].started_at <= chain_gap {
                    let (a, b) = (root(&mut parent, k - 1), root(&mut parent, k));
                    parent[b] = a;
                }
                let mut same_ticket = false;
                if let Some(t) = c.ticket_id.as_deref() {
                    match first_of_ticket.get(t) {
                        Some(&f) => {
                            same_ticket = true;
                            let (a, b) = (root(&mut parent, f), root(&mut parent, k));
                            parent[b] = a;
                        }
                        None => {
                            first_of_ticket.insert(t, k);
                        }
                    }
                }
                // As `link_customer` decides, in its order.
                let transfer = transfer_leg_of(&idx, k, contacts, settings).is_some();
                let in_window = k > 0
                    && c.started_at - contacts[idx[k - 1]].started_at
                        <= settings.repeat_window_secs;
                decided[k] = c.direction == Direction::Inbound
                    && in_window
                    && !transfer
                    && !same_ticket
                    && !says_no_problem(c, templates);
            }
            // Per chain, the last contact decided: it and everything of
            // its chain before it may be compared.
            let mut last_decided: HashMap<usize, usize> = HashMap::new();
            for (k, _) in decided.iter().enumerate().filter(|(_, &d)| d) {
                let r = root(&mut parent, k);
                last_decided.insert(r, k);
            }
            let mut keep = Vec::new();
            for (k, &i) in idx.iter().enumerate() {
                let r = root(&mut parent, k);
                if last_decided.get(&r).is_some_and(|&l| k <= l) && is_candidate(i) {
                    keep.push(i);
                }
            }
            keep
        })
        .collect();
    out.sort_unstable();
    out
}

/// One customer's contacts in the order [`link`] reads them: by time, then
/// contact id.
fn in_linking_order(idx: &mut [usize], contacts: &[Contact]) {
    idx.sort_by(|&a, &b| {
        (contacts[a].started_at, &contacts[a].contact_id)
            .cmp(&(contacts[b].started_at, &contacts[b].contact_id))
    });
}

/// The earlier contact (position in `idx`, linking order) that the `k`-th
/// continues as a transfer leg: the latest one in its direction within the
/// transfer gap, when that one was transferred. Looks back past contacts
/// in the other direction (an outbound call can fall between a transfer
/// and its continuation).
fn transfer_leg_of(idx: &[usize], k: usize, contacts: &[Contact], s: &Settings) -> Option<usize> {
    let c = &contacts[idx[k]];
    (0..k)
        .rev()
        .take_while(|&j| c.started_at - contacts[idx[j]].started_at < s.transfer_gap_secs)
        .find(|&j| contacts[idx[j]].direction == c.direction)
        .filter(|&j| contacts[idx[j]].transferred)
}

/// An episode while one customer's contacts are being linked.
struct Open {
    contacts: Vec<usize>,
    last: Timestamp,
}

/// The end of the data for window censoring: `--period-end`, else the
/// latest contact.
pub fn data_end(contacts: &[Contact], settings: &Settings) -> Timestamp {
    settings
        .period_end_at
        .unwrap_or_else(|| contacts.iter().map(|c| c.started_at).max().unwrap_or(0))
}

/// Links contacts into episodes and judges FCR.
/// `templates`: the month's template phrases (learned from the repeat
/// candidates' texts), which a courtesy contact may carry beside its thanks.
pub fn link(
    contacts: &[Contact],
    settings: &Settings,
    scorer: &dyn SameIssueScorer,
    templates: &Boilerplate,
) -> Linked {
    let data_end = data_end(contacts, settings);

    // Group by customer; anonymous contacts each stand alone.
    let mut by_customer: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut singles: Vec<usize> = Vec::new();
    for (i, c) in contacts.iter().enumerate() {
        match &c.customer_id {
            Some(id) => by_customer.entry(id.as_str()).or_default().push(i),
            None => singles.push(i),
        }
    }
    let groups: Vec<Vec<usize>> = by_customer.into_values().collect();
    let mut linked: CustomerEpisodes = groups
        .into_par_iter()
        .flat_map_iter(|mut idx| {
            in_linking_order(&mut idx, contacts);
            link_customer(&idx, contacts, settings, scorer, templates)
        })
        .collect();
    linked.extend(
        singles
            .into_iter()
            .map(|i| (vec![i], vec![(i, LinkReason::New, 0.0)])),
    );

    // Number episodes by first contact time, then contact id: stable on any
    // thread count.
    linked.sort_by(|a, b| {
        let (ca, cb) = (&contacts[a.0[0]], &contacts[b.0[0]]);
        (ca.started_at, &ca.contact_id).cmp(&(cb.started_at, &cb.contact_id))
    });
    let width = linked.len().to_string().len().max(7);
    let mut links = vec![
        ContactLink {
            episode: 0,
            role: Role::First,
            reason: LinkReason::New,
            similarity: 0.0,
        };
        contacts.len()
    ];
    let episodes: Vec<Episode> = linked
        .into_iter()
        .enumerate()
        .map(|(e, (members, reasons))| {
            let roles = roles(&members, &reasons, contacts);
            for (&(i, reason, sim), role) in reasons.iter().zip(&roles) {
                links[i] = ContactLink {
                    episode: e,
                    role: *role,
                    reason,
                    similarity: sim,
                };
            }
            judge(
                match &settings.period {
                    Some(p) => format!("{p}-E{:0width$}", e + 1),
                    None => format!("E{:0width$}", e + 1),
                },
                members,
                &roles,
                contacts,
                settings,
                data_end,
            )
        })
        .collect();
    Linked {
        episodes,
        links,
        data_end,
    }
}

type CustomerEpisodes = Vec<(Vec<usize>, Vec<(usize, LinkReason, f32)>)>;

/// Links one customer's contacts (sorted by time).
fn link_customer(
    idx: &[usize],
    contacts: &[Contact],
    s: &Settings,
    scorer: &dyn SameIssueScorer,
    templates: &Boilerplate,
) -> CustomerEpisodes {
    let mut open: Vec<Open> = Vec::new();
    let mut reasons: Vec<Vec<(usize, LinkReason, f32)>> = Vec::new();
    let mut episode_of: Vec<usize> = Vec::with_capacity(idx.len());
    let mut tickets: HashMap<&str, usize> = HashMap::new();
    for (k, &i) in idx.iter().enumerate() {
        let c = &contacts[i];
        let mut choice: Option<(usize, LinkReason, f32)> = None;

        // 1. Transfer leg: the same contact, handed on.
        if let Some(j) = transfer_leg_of(idx, k, contacts, s) {
            choice = Some((episode_of[j], LinkReason::Transfer, 0.0));
        }
        // 2. Same ticket, any gap.
        if choice.is_none() {
            if let Some(&e) = c.ticket_id.as_deref().and_then(|t| tickets.get(t)) {
                choice = Some((e, LinkReason::SameTicket, 0.0));
            }
        }
        // 3. Same issue within the window of the episode's previous contact.
        if choice.is_none() {
            let in_window: Vec<usize> = (0..open.len())
                .filter(|&e| c.started_at - open[e].last <= s.repeat_window_secs)
                .collect();
            let latest = in_window.iter().copied().max_by_key(|&e| (open[e].last, e));
            choice = match (c.direction, s.same_issue) {
                (_, _) if in_window.is_empty() => None,
                (Direction::Outbound, _) => latest.map(|e| (e, LinkReason::FollowUp, 0.0)),
                (Direction::Inbound, SameIssue::Any) => {
                    latest.map(|e| (e, LinkReason::InWindow, 0.0))
                }
                (Direction::Inbound, _) if says_no_problem(c, templates) => {
                    latest.map(|e| (e, LinkReason::Courtesy, 0.0))
                }
                (Direction::Inbound, _) => {
                    // Best episode by its most similar contact; ties go to
                    // the most recent episode.
                    let best = in_window
                        .iter()
                        .map(|&e| {
                            let sim = open[e]
                                .contacts
                                .iter()
                                .map(|&j| scorer.similarity(i, j))
                                .fold(0.0f32, f32::max);
                            (e, sim)
                        })
                        .max_by(|a, b| {
                            a.1.total_cmp(&b.1)
                                .then((open[a.0].last, a.0).cmp(&(open[b.0].last, b.0)))
                        });
                    match best {
                        Some((e, sim)) if sim >= scorer.threshold() => {
                            Some((e, LinkReason::SimilarText, sim))
                        }
                        Some((e, sim)) if s.repeat_cues && c.repeat_cue => {
                            Some((e, LinkReason::RepeatCue, sim))
                        }
                        _ => None,
                    }
                }
            };
        }
        let e = match choice {
            Some((e, reason, sim)) => {
                open[e].contacts.push(i);
                open[e].last = open[e].last.max(c.started_at);
                reasons[e].push((i, reason, sim));
                e
            }
            None => {
                open.push(Open {
                    contacts: vec![i],
                    last: c.started_at,
                });
                reasons.push(vec![(i, LinkReason::New, 0.0)]);
                open.len() - 1
            }
        };
        if let Some(t) = c.ticket_id.as_deref() {
            tickets.entry(t).or_insert(e);
        }
        episode_of.push(e);
    }
    open.into_iter()
        .zip(reasons)
        .map(|(o, r)| (o.contacts, r))
        .collect()
}

/// A contact that only thanks, greets or acknowledges ("Thanks, all
/// sorted!", "Yes.") is not a repeat, however alike it reads: it joins the
/// open episode it answers as a courtesy contact, which neither counts as
/// customer effort nor starts an issue of its own. (A ticket or a transfer
/// links it as before.) The month's template phrases around a thanks do
/// not make it a problem ("Thanks, that worked. I've been with you for 13
/// years."): a phrase pasted under every kind of contact says nothing about
/// this one. A contact made only of them is not courtesy. Nor does a
/// reference the customer gives with nothing else ("Order #2232095,
/// thanks", "11.0.3", often the answer to the agent's question): it names
/// the case and asks nothing, where a chase says what it chases ("any
/// update on order 12345?"). Left to the same-issue test it read as a new
/// issue (BENCHMARKS.md, a reference alone is courtesy).
fn says_no_problem(c: &Contact, templates: &Boilerplate) -> bool {
    let courtesy = |t: &str| text::states_no_problem(t) || text::only_references(t);
    let reason = text::reason::linking_reason(&c.text);
    if courtesy(&reason) {
        return true;
    }
    let rest = templates.strip(&reason);
    if rest == reason {
        return false;
    }
    if rest.chars().any(char::is_alphanumeric) {
        return courtesy(&rest);
    }
    // Linking reads nothing but templates (it leaves out small talk, which
    // says no issue): the customer's own words around them decide.
    let own = templates.strip(&text::customer_words(&c.text));
    own.chars().any(char::is_alphanumeric) && courtesy(&own)
}

/// Roles in episode order: transfer legs and outbound keep theirs; the
/// first customer-initiated contact is `First`, later ones are repeats.
fn roles(
    members: &[usize],
    reasons: &[(usize, LinkReason, f32)],
    contacts: &[Contact],
) -> Vec<Role> {
    let mut seen_inbound = false;
    members
        .iter()
        .zip(reasons)
        .map(|(&i, &(_, reason, _))| {
            if reason == LinkReason::Transfer {
                Role::TransferLeg
            } else if reason == LinkReason::Courtesy {
                Role::Courtesy
            } else if contacts[i].direction == Direction::Outbound {
                Role::Outbound
            } else if !seen_inbound {
                seen_inbound = true;
                Role::First
            } else {
                Role::Repeat
            }
        })
        .collect()
}

fn handler(c: &Contact, level: HandlerLevel) -> &str {
    match level {
        HandlerLevel::Agent => &c.agent_id,
        HandlerLevel::Team => &c.team,
    }
}

/// FCR of one episode, per the contract and `--fcr-basis`.
fn judge(
    episode_id: String,
    members: Vec<usize>,
    roles: &[Role],
    contacts: &[Contact],
    s: &Settings,
    data_end: Timestamp,
) -> Episode {
    let first = members
        .iter()
        .zip(roles)
        .find(|(_, r)| **r == Role::First)
        .map(|(&i, _)| i)
        .unwrap_or(members[0]);
    let fc = &contacts[first];
    let repeats: Vec<&Contact> = members
        .iter()
        .zip(roles)
        .filter(|(_, r)| **r == Role::Repeat)
        .map(|(&i, _)| &contacts[i])
        .collect();
    let promise_end = fc.started_at + s.promise_secs;
    let (failing_repeats, n_chases) = match s.fcr_basis {
        FcrBasis::Contact => (repeats.len(), 0),
        FcrBasis::Handler => {
            let h = handler(fc, s.handler_level);
            let other = repeats
                .iter()
                .filter(|r| h.is_empty() || handler(r, s.handler_level) != h)
                .count();
            (other, 0)
        }
        FcrBasis::Deadline => {
            let chases = repeats
                .iter()
                .filter(|r| r.started_at <= promise_end)
                .count();
            (repeats.len() - chases, chases)
        }
    };
    let all = || members.iter().map(|&i| &contacts[i]);
    let survey_resolved = all().filter_map(|c| c.survey_resolved).next_back();
    let mut signals = Vec::new();
    let mut push = |sig: Signal, on: bool| {
        if on && s.signal_enabled(sig) {
            signals.push(sig);
        }
    };
    push(Signal::RepeatContact, failing_repeats > 0);
    push(Signal::Reopened, all().any(|c| c.reopened));
    push(Signal::Transferred, all().any(|c| c.transferred));
    push(Signal::Escalated, all().any(|c| c.escalated));
    push(Signal::SurveyUnresolved, survey_resolved == Some(false));
    let first_started_at = contacts[members[0]].started_at;
    let last_started_at = all()
        .map(|c| c.started_at)
        .max()
        .unwrap_or(first_started_at);
    let window_open = data_end - last_started_at < s.repeat_window_secs;
    let crm_fcr = signals.iter().all(|&x| x == Signal::SurveyUnresolved);
    let n_inbound = roles
        .iter()
        .filter(|r| matches!(r, Role::First | Role::Repeat))
        .count();
    // An outbound-only episode is not customer effort: neither measured nor
    // an FCR success.
    let measured = n_inbound > 0 && data_end - first_started_at >= s.repeat_window_secs;
    let fcr = n_inbound > 0 && !window_open && signals.is_empty();
    Episode {
        episode_id,
        first,
        first_started_at,
        last_started_at,
        n_inbound,
        n_outbound: roles.iter().filter(|r| **r == Role::Outbound).count(),
        n_repeats: repeats.len(),
        n_chases,
        signals,
        survey_resolved,
        window_open,
        measured,
        fcr,
        crm_fcr,
        category_id: None,
        theme_id: None,
        contacts: members,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{contact, run, run_with_templates};

    /// A pair only the other-scripts model embedded is judged on that
    /// model's scale: its threshold lands on the run's, 1 stays 1, and a
    /// pair in neither space scores 0 without a lexical fallback.
    #[test]
    fn other_space_maps_its_threshold_onto_the_runs() {
        let unit = |a: f32| vec![a.cos(), a.sin()];
        let main_index = HashMap::from([(0, 0), (1, 1)]);
        let main_vectors = VectorStore::from_rows(vec![unit(0.0), unit(1.5)]);
        let other_index = HashMap::from([(2, 0), (3, 1), (4, 2), (5, 3)]);
        // Cosines: 2–3 exactly the other threshold (0.8), 2–4 is 1.0,
        // 2–5 well below it.
        let other_vectors =
            VectorStore::from_rows(vec![unit(0.0), unit(0.8f32.acos()), unit(0.0), unit(1.2)]);
        let none = HashMap::new();
        let s = EmbeddingScorer {
            index: main_index,
            vectors: &main_vectors,
            apart: &none,
            threshold: 0.42,
            other: Some(OtherSpace {
                index: &other_index,
                vectors: &other_vectors,
                apart: &none,
                threshold: 0.8,
                base: 0.42,
            }),
            fallback: None,
        };
        assert!(
            (s.similarity(2, 3) - 0.42).abs() < 1e-4,
            "{}",
            s.similarity(2, 3)
        );
        assert!((s.similarity(2, 4) - 1.0).abs() < 1e-4);
        assert!(s.similarity(2, 5) < 0.1);
        assert!(s.similarity(0, 1) < 0.1, "the run's own space: cos 1.5");
        assert_eq!(s.similarity(0, 2), 0.0, "one contact in each space");
    }

    fn episode_of(l: &Linked, cs: &[Contact], id: &str) -> usize {
        let i = cs.iter().position(|c| c.contact_id == id).unwrap();
        l.links[i].episode
    }

    fn card() -> Vec<Contact> {
        vec![
            contact(
                "a",
                "U1",
                0.0,
                "Customer: my new card has not arrived in the post",
            ),
            contact(
                "b",
                "U1",
                48.0,
                "Customer: the card you sent never arrived in the post",
            ),
        ]
    }

    #[test]
    fn similar_repeat_in_window_links() {
        let cs = card();
        let l = run(&cs, &Settings::default());
        assert_eq!(l.episodes.len(), 1);
        let e = &l.episodes[0];
        assert_eq!((e.n_inbound, e.n_repeats), (2, 1));
        assert!(!e.fcr);
        assert_eq!(e.signals, vec![Signal::RepeatContact]);
        assert_eq!(l.links[1].role, Role::Repeat);
        assert_eq!(l.links[1].reason, LinkReason::SimilarText);
    }

    #[test]
    fn thanks_only_joins_its_episode_as_courtesy_not_repeat() {
        let mut cs = card();
        cs[1] = contact("b", "U1", 2.0, "Customer: Thanks so much, all sorted now!");
        cs.push(contact("c", "U1", 3.0, "Customer: Yes."));
        let l = run(&cs, &Settings::default());
        assert_eq!(l.episodes.len(), 1, "{:?}", l.links);
        assert_eq!(l.links[1].role, Role::Courtesy);
        assert_eq!(l.links[2].role, Role::Courtesy);
        let e = &l.episodes[0];
        assert!(e.fcr, "a thank-you is not a repeat");
        assert_eq!((e.n_inbound, e.n_repeats), (1, 0));
        // Alone, it is a contact like any other.
        let alone = run(&cs[1..2], &Settings::default());
        assert_eq!(alone.links[0].role, Role::First);
        // A complaint with a courtesy word in it still links.
        cs[1] = contact(
            "b",
            "U1",
            2.0,
            "Customer: thanks, but the new card you sent never arrived in the post",
        );
        let l = run(&cs, &Settings::default());
        assert_eq!(episode_of(&l, &cs, "a"), episode_of(&l, &cs, "b"));
    }

    #[test]
    fn thanks_beside_the_months_templates_or_a_reference_is_courtesy() {
        // A context phrase pasted under every kind of contact of the month.
        let context = "I've been with Northwind for many years.";
        let month: Vec<String> = [
            "my card was declined at the shop",
            "how do I change my address",
            "the app crashes when I log in",
            "what is the exchange rate for yen",
            "I want to close my savings account",
            "my transfer to my landlord failed",
            "can I raise my credit limit",
            "where do I find my statement",
            "my pin is blocked after three tries",
            "why was I charged a fee abroad",
            "I need a new cheque book",
            "the direct debit went out twice",
        ]
        .iter()
        .map(|t| format!("{t}. {context}"))
        .collect();
        let templates = Boilerplate::learn(month.iter().map(String::as_str));
        assert!(!templates.is_empty(), "the context phrase is learned");
        let none = Boilerplate::default();
        // The role of a second contact saying `text` two hours after a card
        // complaint.
        let role = |text: &str, templates: &Boilerplate| {
            let mut cs = card();
            cs[1] = contact("b", "U1", 2.0, &format!("Customer: {text}"));
            run_with_templates(&cs, &Settings::default(), templates).links[1].role
        };
        let thanks = format!("Thanks so much, all good now. {context}");
        assert_eq!(role(&thanks, &templates), Role::Courtesy);
        // Without the month's templates it reads as a contact of its own.
        assert_ne!(role(&thanks, &none), Role::Courtesy);
        // A template alone says nothing, not thanks.
        assert_ne!(role(context, &templates), Role::Courtesy);
        // A reference with thanks or "that worked" around it is courtesy:
        // it names the case and asks nothing.
        for t in [
            "Thank you, that worked. Order #2232095.",
            "Order #2232095, thanks",
        ] {
            assert_eq!(role(t, &none), Role::Courtesy, "{t}");
        }
        // A chase says what it chases, and is a repeat.
        assert_eq!(
            role("Any update on my new card? Order #2232095", &none),
            Role::Repeat
        );
    }

    #[test]
    fn repeat_outside_window_is_new_episode() {
        let mut cs = card();
        cs[1] = contact(
            "b",
            "U1",
            8.0 * 24.0,
            "Customer: the card you sent never arrived in the post",
        );
        let l = run(&cs, &Settings::default());
        assert_eq!(l.episodes.len(), 2);
        assert!(l.episodes.iter().all(|e| e.fcr));
        // A longer window links them.
        let s = Settings {
            repeat_window_secs: 10 * 86_400,
            ..Settings::default()
        };
        assert_eq!(run(&cs, &s).episodes.len(), 1);
    }

    #[test]
    fn window_counts_from_previous_contact() {
        let cs = vec![
            contact(
                "a",
                "U1",
                0.0,
                "Customer: refund for my order has not arrived",
            ),
            contact(
                "b",
                "U1",
                6.0 * 24.0,
                "Customer: refund for my order has not arrived",
            ),
            contact(
                "c",
                "U1",
                12.0 * 24.0,
                "Customer: refund for my order has not arrived",
            ),
        ];
        let l = run(&cs, &Settings::default());
        assert_eq!(l.episodes.len(), 1);
        assert_eq!(l.episodes[0].n_inbound, 3);
    }

    #[test]
    fn unrelated_contact_in_window_is_new_episode() {
        let cs = vec![
            contact(
                "a",
                "U1",
                0.0,
                "Customer: my new card has not arrived in the post",
            ),
            contact(
                "b",
                "U1",
                24.0,
                "Customer: how do I change the address on my profile",
            ),
        ];
        let l = run(&cs, &Settings::default());
        assert_eq!(l.episodes.len(), 2);
        assert!(l.episodes.iter().all(|e| e.fcr));
        // The industry definition counts it as a repeat.
        let s = Settings {
            same_issue: SameIssue::Any,
            ..Settings::default()
        };
        let l = run(&cs, &s);
        assert_eq!(l.episodes.len(), 1);
        assert_eq!(l.links[1].reason, LinkReason::InWindow);
    }

    #[test]
    fn repeat_cue_links_without_shared_words() {
        for text_ in [
            "Customer: I called before and nothing happened",
            "客户：还是没有解决",
            "לקוח: אני פונה שוב",
        ] {
            let cs = vec![
                contact(
                    "a",
                    "U1",
                    0.0,
                    "Customer: my new card has not arrived in the post",
                ),
                contact("b", "U1", 24.0, text_),
            ];
            let l = run(&cs, &Settings::default());
            assert_eq!(l.episodes.len(), 1, "{text_}");
            assert_eq!(l.links[1].reason, LinkReason::RepeatCue);
            let s = Settings {
                repeat_cues: false,
                ..Settings::default()
            };
            assert_eq!(run(&cs, &s).episodes.len(), 2);
        }
    }

    #[test]
    fn picks_the_matching_episode_among_several() {
        let cs = vec![
            contact(
                "a",
                "U1",
                0.0,
                "Customer: my new card has not arrived in the post",
            ),
            contact(
                "b",
                "U1",
                2.0,
                "Customer: I want to change my home address on the app",
            ),
            contact(
                "c",
                "U1",
                30.0,
                "Customer: the card still has not arrived in the post",
            ),
        ];
        let l = run(&cs, &Settings::default());
        assert_eq!(l.episodes.len(), 2);
        assert_eq!(episode_of(&l, &cs, "a"), episode_of(&l, &cs, "c"));
        assert_ne!(episode_of(&l, &cs, "b"), episode_of(&l, &cs, "c"));
    }

    #[test]
    fn same_ticket_links_any_gap() {
        let mut cs = vec![
            contact("a", "U1", 0.0, "Customer: my new card has not arrived"),
            contact(
                "b",
                "U1",
                20.0 * 24.0,
                "Customer: different words entirely about money",
            ),
        ];
        cs[0].ticket_id = Some("T1".into());
        cs[1].ticket_id = Some("T1".into());
        let l = run(&cs, &Settings::default());
        assert_eq!(l.episodes.len(), 1);
        assert_eq!(l.links[1].reason, LinkReason::SameTicket);
    }

    #[test]
    fn transfer_within_gap_is_one_contact() {
        let mut cs = vec![
            contact("a", "U1", 0.0, "Customer: dispute a charge"),
            contact("b", "U1", 0.1, "Customer: hello, about a payment"),
        ];
        cs[0].transferred = true;
        let l = run(&cs, &Settings::default());
        assert_eq!(l.episodes.len(), 1);
        let e = &l.episodes[0];
        assert_eq!(e.n_inbound, 1);
        assert_eq!(e.n_repeats, 0);
        assert_eq!(l.links[1].role, Role::TransferLeg);
        // Not FCR: it was transferred; no repeat signal.
        assert_eq!(e.signals, vec![Signal::Transferred]);
        // Transfers can be switched off as a signal.
        let s = Settings {
            fcr_signals: vec![Signal::RepeatContact],
            ..Settings::default()
        };
        assert!(run(&cs, &s).episodes[0].fcr);
        // An outbound call in between does not hide the transfer.
        let mut out = contact("o", "U1", 0.05, "Agent: calling you back");
        out.direction = Direction::Outbound;
        let with_out = vec![cs[0].clone(), out, cs[1].clone()];
        let l = run(&with_out, &Settings::default());
        assert_eq!(l.links[2].role, Role::TransferLeg);
        // 20 minutes later it is not a transfer leg.
        cs[1].started_at = cs[0].started_at + 20 * 60;
        let l = run(&cs, &Settings::default());
        assert_ne!(l.links[1].role, Role::TransferLeg);
    }

    #[test]
    fn outbound_is_in_episode_but_not_effort() {
        let mut cs = vec![
            contact("a", "U1", 0.0, "Customer: my refund has not arrived"),
            contact(
                "b",
                "U1",
                24.0,
                "Agent: following up on your refund, it has been sent",
            ),
        ];
        cs[1].direction = Direction::Outbound;
        let l = run(&cs, &Settings::default());
        assert_eq!(l.episodes.len(), 1);
        let e = &l.episodes[0];
        assert_eq!((e.n_inbound, e.n_outbound), (1, 1));
        assert!(e.fcr);
        assert_eq!(l.links[1].role, Role::Outbound);
    }

    #[test]
    fn anonymous_never_linked() {
        for anon in ["", "anonymous", "Unknown", "0"] {
            let mut cs = card();
            cs[0] = contact(
                "a",
                anon,
                0.0,
                "Customer: my new card has not arrived in the post",
            );
            cs[1] = contact(
                "b",
                anon,
                1.0,
                "Customer: my new card has not arrived in the post",
            );
            cs[0].ticket_id = Some("T9".into());
            cs[1].ticket_id = Some("T9".into());
            let l = run(&cs, &Settings::default());
            assert_eq!(l.episodes.len(), 2, "{anon:?}");
        }
    }

    #[test]
    fn window_open_at_period_end() {
        let cs = card();
        let scorer = LexicalScorer::new(&cs, 0.15);
        let s = Settings::default();
        // Data ends at the last contact: the episode may still get a repeat.
        let l = link(&cs, &s, &scorer, &Boilerplate::default());
        assert!(l.episodes[0].window_open);
        assert!(!l.episodes[0].fcr);
        // A single contact whose window is open is not counted as resolved.
        let one = vec![cs[0].clone()];
        let l = link(
            &one,
            &s,
            &LexicalScorer::new(&one, 0.15),
            &Boilerplate::default(),
        );
        assert!(l.episodes[0].window_open && !l.episodes[0].fcr);
        assert!(l.episodes[0].signals.is_empty());
    }

    #[test]
    fn fcr_signals_reopened_escalated_survey() {
        let mut one = vec![contact("a", "U1", 0.0, "Customer: refund please")];
        assert!(run(&one, &Settings::default()).episodes[0].fcr);
        one[0].reopened = true;
        one[0].escalated = true;
        one[0].survey_resolved = Some(false);
        let e = &run(&one, &Settings::default()).episodes[0];
        assert_eq!(
            e.signals,
            vec![
                Signal::Reopened,
                Signal::Escalated,
                Signal::SurveyUnresolved
            ]
        );
        assert!(!e.fcr && !e.crm_fcr);
        one[0].reopened = false;
        one[0].escalated = false;
        let e = &run(&one, &Settings::default()).episodes[0];
        // Survey says unresolved, CRM data alone says resolved.
        assert!(!e.fcr && e.crm_fcr);
    }

    #[test]
    fn handler_basis_same_agent_keeps_fcr() {
        let mut cs = card();
        let s = Settings {
            fcr_basis: FcrBasis::Handler,
            ..Settings::default()
        };
        assert!(
            run(&cs, &s).episodes[0].fcr,
            "same agent A1 handled the repeat"
        );
        cs[1].agent_id = "A2".into();
        assert!(!run(&cs, &s).episodes[0].fcr);
        let team = Settings {
            handler_level: HandlerLevel::Team,
            ..s.clone()
        };
        assert!(run(&cs, &team).episodes[0].fcr, "same team");
    }

    #[test]
    fn deadline_basis_chase_vs_failure() {
        let mut cs = card();
        cs[1].started_at = cs[0].started_at + 20 * 3600;
        let s = Settings {
            fcr_basis: FcrBasis::Deadline,
            promise_secs: 24 * 3600,
            ..Settings::default()
        };
        let e = &run(&cs, &s).episodes[0];
        assert!(e.fcr, "a chase before the promise is not a failure");
        assert_eq!(e.n_chases, 1);
        cs[1].started_at = cs[0].started_at + 30 * 3600;
        let e = &run(&cs, &s).episodes[0];
        assert!(!e.fcr);
        assert_eq!(e.n_chases, 0);
    }

    #[test]
    fn numbering_is_by_first_contact_time() {
        let cs = vec![
            contact("z", "U2", 5.0, "Customer: refund"),
            contact("a", "U1", 1.0, "Customer: card"),
        ];
        let l = run(&cs, &Settings::default());
        assert_eq!(l.episodes[0].episode_id, "E0000001");
        assert_eq!(cs[l.episodes[0].first].contact_id, "a");
    }

    /// Records which pairs `link` asks about; the similarity is a fixed
    /// hash of the pair, so links (and the episodes they chain) vary.
    struct Recording(std::sync::Mutex<Vec<(usize, usize)>>);

    impl SameIssueScorer for Recording {
        fn similarity(&self, a: usize, b: usize) -> f32 {
            if let Ok(mut v) = self.0.lock() {
                v.push((a, b));
            }
            let h = (a.min(b) * 7919 + a.max(b) * 104_729) % 1000;
            h as f32 / 1000.0
        }
        fn threshold(&self) -> f32 {
            0.5
        }
    }

    proptest::proptest! {
        #![proptest_config(crate::test_support::fuzz_config(256))]

        /// Every pair the same-issue test is asked about is of contacts
        /// `compared_candidates` keeps: skipping the others' vectors
        /// changes no decision.
        #[test]
        fn only_compared_candidates_are_compared(
            rows in proptest::collection::vec(
                (0u8..3, 0u32..600, 0u8..4, proptest::bool::ANY, 0u8..4, proptest::bool::ANY, 0u8..5),
                1..24,
            ),
            cues in proptest::bool::ANY,
            // Windows of a day or a week; a transfer gap of 15 minutes or
            // (a centre's odd setting) longer than the window.
            (window_days, long_transfer) in (1i64..8, proptest::bool::ANY),
        ) {
            const TEXTS: [&str; 5] = [
                "Customer: my card was declined",
                "Customer: Thanks, all sorted!",
                "Customer: still no refund",
                "Customer: how do I change my address",
                "Customer: the app crashes again",
            ];
            let cs: Vec<Contact> = rows
                .iter()
                .enumerate()
                .map(|(k, &(who, hours, steps, outbound, ticket, transferred, text))| {
                    // Six-minute steps, so some contacts fall inside a
                    // transfer gap of each other.
                    let mut c = contact(
                        &format!("c{k}"),
                        &format!("U{who}"),
                        f64::from(hours) + f64::from(steps) * 0.1,
                        TEXTS[usize::from(text)],
                    );
                    if outbound {
                        c.direction = Direction::Outbound;
                    }
                    c.ticket_id = (ticket > 1).then(|| format!("T{ticket}").into());
                    c.transferred = transferred;
                    c
                })
                .collect();
            let s = Settings {
                repeat_cues: cues,
                repeat_window_secs: window_days * 86_400,
                transfer_gap_secs: if long_transfer { 9 * 86_400 } else { 15 * 60 },
                period_end_at: cs.iter().map(|c| c.started_at).max(),
                ..Settings::default()
            };
            let templates = Boilerplate::default();
            let candidates = repeat_candidates(&cs, s.repeat_window_secs);
            let keep = compared_candidates(&cs, &s, &templates, &candidates);
            proptest::prop_assert!(keep.iter().all(|i| candidates.binary_search(i).is_ok()));
            let scorer = Recording(std::sync::Mutex::new(Vec::new()));
            link(&cs, &s, &scorer, &templates);
            let asked = scorer.0.lock().map(|v| v.clone()).unwrap_or_default();
            for (a, b) in asked {
                // A pair outside the candidates is no vector's business.
                if candidates.binary_search(&a).is_ok() && candidates.binary_search(&b).is_ok() {
                    proptest::prop_assert!(
                        keep.binary_search(&a).is_ok() && keep.binary_search(&b).is_ok(),
                        "asked {a}–{b}, kept {keep:?}"
                    );
                }
            }
        }
    }
}
