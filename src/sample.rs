//! Review samples for quality teams: reproducible, stratified draws of
//! episodes from a run's contact index.
//!
//! Episodes are stratified by category, then by the channel and team of the
//! contact each episode is judged from. Within a stratum an episode's place
//! in the draw is a seeded hash of its id, so the same seed gives the same
//! sample however the index is laid out, and a different seed a different
//! one.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::query::{AllQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

use crate::index::ContactIndex;
use crate::search::{self, Filters, Hit};
use crate::text::reason::mask_pii;

/// The stratum of episodes with no category.
pub const UNCATEGORISED: &str = "(uncategorised)";

#[derive(Debug, Clone)]
pub enum Size {
    /// This many episodes from each category (all when fewer).
    PerCategory(usize),
    /// This many in all, split over categories in proportion to their size,
    /// at least one each when there are enough.
    Total(usize),
}

#[derive(Debug, Clone)]
pub struct SampleOptions {
    pub size: Size,
    pub seed: u64,
    /// Category ids to draw from; empty means every category and the
    /// uncategorised episodes.
    pub categories: Vec<String>,
    /// Draw from FCR episodes as well as non-FCR ones.
    pub include_fcr: bool,
}

/// One drawn episode with its contacts in time order.
#[derive(Debug, Clone)]
pub struct Drawn {
    pub category_id: String,
    pub category: String,
    pub channel: String,
    pub team: String,
    pub episode_id: String,
    pub contacts: Vec<Hit>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Allocation {
    pub category_id: String,
    pub episodes: usize,
    pub drawn: usize,
}

pub struct Sample {
    pub drawn: Vec<Drawn>,
    pub allocation: Vec<Allocation>,
}

/// Splits `n` over groups in proportion to their sizes by largest
/// remainder, never giving a group more than it has. With `at_least_one`,
/// every non-empty group gets one first when `n` allows.
pub fn allocate(sizes: &[usize], n: usize, at_least_one: bool) -> Vec<usize> {
    let mut alloc = vec![0usize; sizes.len()];
    let n = n.min(sizes.iter().sum());
    let nonempty = sizes.iter().filter(|&&s| s > 0).count();
    if at_least_one && n >= nonempty {
        for (a, &s) in alloc.iter_mut().zip(sizes) {
            *a = usize::from(s > 0);
        }
    }
    let mut left = n - alloc.iter().sum::<usize>();
    while left > 0 {
        let open: Vec<usize> = (0..sizes.len()).filter(|&i| alloc[i] < sizes[i]).collect();
        let weight: usize = open.iter().map(|&i| sizes[i]).sum();
        if weight == 0 {
            break;
        }
        let mut rema: Vec<(f64, usize)> = Vec::new();
        let mut given = 0;
        for &i in &open {
            let quota = left as f64 * sizes[i] as f64 / weight as f64;
            let whole = (quota.floor() as usize).min(sizes[i] - alloc[i]);
            alloc[i] += whole;
            given += whole;
            rema.push((quota - quota.floor(), i));
        }
        left -= given;
        // Largest remainder first; ties to the bigger group, then the first.
        rema.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then(sizes[b.1].cmp(&sizes[a.1]))
                .then(a.1.cmp(&b.1))
        });
        for (_, i) in rema {
            if left == 0 {
                break;
            }
            if alloc[i] < sizes[i] {
                alloc[i] += 1;
                left -= 1;
            }
        }
    }
    alloc
}

/// A seeded, well-mixed 64-bit key of an episode id (SplitMix64 over FNV).
pub fn draw_key(seed: u64, episode_id: &str) -> u64 {
    let mut z = crate::text::fnv1a(episode_id) ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An episode that can be drawn.
struct Candidate {
    episode_id: String,
    category_id: String,
    channel: String,
    team: String,
    key: u64,
}

/// Reads the candidates' grouping columns straight from tantivy's
/// column store (no stored documents are opened).
fn candidates(ix: &ContactIndex, opts: &SampleOptions) -> Result<Vec<Candidate>> {
    let filters = Filters {
        non_fcr: !opts.include_fcr,
        categories: opts.categories.clone(),
        episode_first_only: true,
        ..Filters::default()
    };
    let q = search::filtered(ix, Box::new(AllQuery), &filters);
    let searcher = search::searcher(ix)?;
    let docs = searcher.search(&*q, &DocSetCollector)?;
    let mut by_segment: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for DocAddress {
        segment_ord,
        doc_id,
    } in docs
    {
        by_segment.entry(segment_ord).or_default().push(doc_id);
    }
    let mut out = Vec::new();
    for (seg, mut ids) in by_segment {
        ids.sort_unstable();
        let reader = searcher.segment_reader(seg);
        let ff = reader.fast_fields();
        let col = |name: &str| -> Result<tantivy::columnar::StrColumn> {
            ff.str(name)?
                .with_context(|| format!("the index has no column '{name}'"))
        };
        let (episode, category, channel, team) = (
            col("episode_id")?,
            col("category_id")?,
            col("channel")?,
            col("team")?,
        );
        let value = |c: &tantivy::columnar::StrColumn, doc: u32| -> Result<String> {
            let mut s = String::new();
            if let Some(ord) = c.term_ords(doc).next() {
                c.ord_to_str(ord, &mut s)?;
            }
            Ok(s)
        };
        for doc in ids {
            let episode_id = value(&episode, doc)?;
            out.push(Candidate {
                key: draw_key(opts.seed, &episode_id),
                episode_id,
                category_id: value(&category, doc)?,
                channel: value(&channel, doc)?,
                team: value(&team, doc)?,
            });
        }
    }
    Ok(out)
}

/// Draws the sample.
pub fn draw(ix: &ContactIndex, opts: &SampleOptions) -> Result<Sample> {
    let cands = candidates(ix, opts)?;
    // category → (channel, team) → candidates
    type Strata = BTreeMap<(String, String), Vec<Candidate>>;
    let mut by_category: BTreeMap<String, Strata> = BTreeMap::new();
    for c in cands {
        by_category
            .entry(c.category_id.clone())
            .or_default()
            .entry((c.channel.clone(), c.team.clone()))
            .or_default()
            .push(c);
    }
    // Categories in rank order, the uncategorised last.
    let rank: BTreeMap<&str, usize> = ix
        .meta
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.category_id.as_str(), i))
        .collect();
    let mut order: Vec<String> = by_category.keys().cloned().collect();
    order.sort_by_key(|id| {
        (
            rank.get(id.as_str()).copied().unwrap_or(usize::MAX),
            id.clone(),
        )
    });
    let sizes: Vec<usize> = order
        .iter()
        .map(|id| by_category[id].values().map(Vec::len).sum())
        .collect();
    let per_category = match opts.size {
        Size::PerCategory(n) => sizes.iter().map(|&s| s.min(n)).collect(),
        Size::Total(n) => allocate(&sizes, n, true),
    };
    let names: BTreeMap<&str, &str> = ix
        .meta
        .categories
        .iter()
        .map(|c| (c.category_id.as_str(), c.name.as_str()))
        .collect();
    let searcher = search::searcher(ix)?;
    let mut drawn = Vec::new();
    let mut allocation = Vec::new();
    for ((id, size), n) in order.iter().zip(&sizes).zip(per_category) {
        let Some(strata) = by_category.get_mut(id) else {
            continue;
        };
        let stratum_sizes: Vec<usize> = strata.values().map(Vec::len).collect();
        let shares = allocate(&stratum_sizes, n, false);
        for (((channel, team), members), k) in strata.iter_mut().zip(shares) {
            members.sort_by(|a, b| a.key.cmp(&b.key).then(a.episode_id.cmp(&b.episode_id)));
            for m in members.iter().take(k) {
                drawn.push(Drawn {
                    category_id: if id.is_empty() {
                        UNCATEGORISED.to_string()
                    } else {
                        id.clone()
                    },
                    category: names.get(id.as_str()).copied().unwrap_or("").to_string(),
                    channel: channel.clone(),
                    team: team.clone(),
                    episode_id: m.episode_id.clone(),
                    contacts: episode_contacts(ix, &searcher, &m.episode_id)?,
                });
            }
        }
        allocation.push(Allocation {
            category_id: if id.is_empty() {
                UNCATEGORISED.to_string()
            } else {
                id.clone()
            },
            episodes: *size,
            drawn: n,
        });
    }
    Ok(Sample { drawn, allocation })
}

/// Every contact of an episode, in time order.
fn episode_contacts(
    ix: &ContactIndex,
    searcher: &tantivy::Searcher,
    episode_id: &str,
) -> Result<Vec<Hit>> {
    let q = TermQuery::new(
        Term::from_field_text(ix.fields.episode_id, &episode_id.to_lowercase()),
        IndexRecordOption::Basic,
    );
    let docs = searcher.search(&q, &DocSetCollector)?;
    let mut hits = docs
        .into_iter()
        .map(|addr| search::hit(ix, searcher, addr, 0.0, &[]))
        .collect::<Result<Vec<Hit>>>()?;
    hits.sort_by(|a, b| {
        a.started_at_unix
            .cmp(&b.started_at_unix)
            .then(a.ord.cmp(&b.ord))
    });
    Ok(hits)
}

/// The reviewers' CSV: one row per drawn episode with its repeat chain.
pub fn write_csv<W: std::io::Write>(sample: &Sample, out: W) -> Result<()> {
    let mut w = crate::text::SafeCsv::new(csv::Writer::from_writer(out));
    w.write_record([
        "sample_no",
        "category_id",
        "category",
        "channel",
        "team",
        "episode_id",
        "customer_id",
        "first_contact_id",
        "contacts_in_episode",
        "contact_ids",
        "non_fcr_signals",
        "episode_contacts",
        "reviewer_verdict",
        "reviewer_note",
    ])?;
    for (i, d) in sample.drawn.iter().enumerate() {
        let mut chain = String::new();
        for (k, c) in d.contacts.iter().enumerate() {
            if k > 0 {
                chain.push_str("\n\n");
            }
            chain.push_str(&format!(
                "[{}] {} · {} · {} · {} · {}\n{}",
                k + 1,
                c.started_at,
                c.channel,
                c.direction,
                c.role,
                c.contact_id,
                mask_pii(&c.text)
            ));
        }
        let first = d.contacts.first();
        w.write_record([
            (i + 1).to_string(),
            d.category_id.clone(),
            d.category.clone(),
            d.channel.clone(),
            d.team.clone(),
            d.episode_id.clone(),
            first.map(|c| c.customer_id.clone()).unwrap_or_default(),
            first.map(|c| c.contact_id.clone()).unwrap_or_default(),
            d.contacts.len().to_string(),
            d.contacts
                .iter()
                .map(|c| c.contact_id.as_str())
                .collect::<Vec<_>>()
                .join(";"),
            first
                .map(|c| c.non_fcr_signals.join(";"))
                .unwrap_or_default(),
            chain,
            String::new(),
            String::new(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_is_proportional_and_capped() {
        assert_eq!(allocate(&[50, 30, 20], 10, false), [5, 3, 2]);
        // Remainders go to the largest fractions.
        assert_eq!(allocate(&[5, 5, 5], 10, false).iter().sum::<usize>(), 10);
        // Strictly proportional: 19.6 and 0.4 round to 20 and 0.
        assert_eq!(allocate(&[100, 2], 20, false), [20, 0]);
        // Everything asked for: every group in full.
        assert_eq!(allocate(&[10, 2], 12, false), [10, 2]);
        assert_eq!(allocate(&[3, 2], 100, false), [3, 2]);
        assert_eq!(allocate(&[], 5, false), Vec::<usize>::new());
    }

    #[test]
    fn at_least_one_keeps_small_groups_visible() {
        assert_eq!(allocate(&[1000, 3, 1], 10, true), [8, 1, 1]);
        // Not enough for everyone: plain proportion.
        assert_eq!(allocate(&[1000, 3, 1], 2, true), [2, 0, 0]);
        assert_eq!(allocate(&[0, 5], 3, true), [0, 3]);
    }

    #[test]
    fn draw_keys_depend_on_seed_and_id() {
        assert_eq!(draw_key(1, "E0000001"), draw_key(1, "E0000001"));
        assert_ne!(draw_key(1, "E0000001"), draw_key(2, "E0000001"));
        assert_ne!(draw_key(1, "E0000001"), draw_key(1, "E0000002"));
    }
}
