//! Stable category ids: a category continuing last month's keeps its id
//! (and name), a known category its taxonomy key's, anything else gets a
//! fresh one; ids no longer in use are retired and never issued again.

use std::collections::BTreeSet;

use super::files::{IdRegistry, Previous, SavedCategory};
use super::matching::Matching;
use crate::rank::RankedCategory;

/// Without `--previous`: the ids stay by rank; the registry starts here.
pub(super) fn first_registry(ranked: &[RankedCategory]) -> IdRegistry {
    let mut registry = IdRegistry::new();
    for c in ranked.iter() {
        registry.see(&c.category_id);
        if let Some(k) = &c.taxonomy_key {
            registry.taxonomy.insert(k.clone(), c.category_id.clone());
        }
    }
    registry
}

/// Gives `ranked` and `cur` (its saved form) their ids by the matching
/// `m` against `prev`, and returns the registry carried forward.
pub(super) fn continue_ids(
    ranked: &mut [RankedCategory],
    cur: &mut [SavedCategory],
    m: &Matching,
    prev: &Previous,
) -> IdRegistry {
    let pc = &prev.centroids;
    let mut registry = prev.registry.clone();
    // Ids: continued, else the taxonomy key's, else fresh (in rank order).
    for (i, c) in ranked.iter_mut().enumerate() {
        let id = match (m.matched[i], &c.taxonomy_key) {
            (Some((j, _)), _) => pc.categories[j].category_id.clone(),
            (None, Some(k)) => match registry.taxonomy.get(k) {
                Some(id) => id.clone(),
                None => registry.issue(),
            },
            (None, None) => registry.issue(),
        };
        if let Some(k) = &c.taxonomy_key {
            registry.taxonomy.insert(k.clone(), id.clone());
        }
        c.category_id = id.clone();
        cur[i].category_id = id;
        // The same issue keeps its name too (a known category's is its
        // taxonomy name already); this month's keywords stay as found.
        if let (Some((j, _)), None) = (m.matched[i], &c.taxonomy_key) {
            c.label = pc.categories[j].label.clone();
            cur[i].label = c.label.clone();
        }
    }
    // Last month's ids no longer in use are retired (never issued again).
    let active: BTreeSet<String> = ranked.iter().map(|c| c.category_id.clone()).collect();
    let mut retired: BTreeSet<String> = registry.retired.iter().cloned().collect();
    for p in &pc.categories {
        if !active.contains(&p.category_id) {
            retired.insert(p.category_id.clone());
        }
    }
    retired.retain(|id| !active.contains(id));
    registry.retired = retired.into_iter().collect();
    registry
}
