//! Known categories (`--taxonomy`): reasons close to a known category's
//! examples are taken out of clustering; each known category becomes one
//! cluster after the automatic ones, keeps its name and key, and is listed
//! at 0 when it has no case this month.

use std::collections::BTreeMap;

use crate::model::{Category, Clusters};
use crate::rank::{self, RankedCategory};
use crate::taxonomy::{self, Taxonomy};
use crate::text::Script;

type Vectors = Vec<Vec<f32>>;

/// A reason a known category took.
pub struct Assigned {
    pub reason: usize,
    pub known: usize,
    pub vector: Vec<f32>,
    pub script: Script,
}

/// Splits one script group: reasons whose closest example is within
/// `threshold` go to `assigned`; the rest (with their vectors, and their
/// second-fit vectors when there is a second fit) stay to be clustered.
pub fn split(
    members: Vec<usize>,
    vecs: Vectors,
    anchor_vecs: Option<Vectors>,
    examples: &[(usize, Vec<f32>)],
    threshold: f32,
    script: Script,
    assigned: &mut Vec<Assigned>,
) -> (Vec<usize>, Vectors, Option<Vectors>) {
    let to = taxonomy::assign(&vecs, examples, threshold);
    let has_anchor = anchor_vecs.is_some();
    let mut anchor_iter = anchor_vecs.map(Vec::into_iter);
    let mut kept = (Vec::new(), Vec::new(), Vec::new());
    for ((m, v), t) in members.into_iter().zip(vecs).zip(to) {
        // The second fit's vector follows its reason.
        let a = anchor_iter.as_mut().and_then(Iterator::next);
        match t {
            Some(known) => assigned.push(Assigned {
                reason: m,
                known,
                vector: v,
                script,
            }),
            None => {
                kept.0.push(m);
                kept.1.push(v);
                kept.2.extend(a);
            }
        }
    }
    (kept.0, kept.1, has_anchor.then_some(kept.2))
}

/// Adds one cluster per known category with cases, after the automatic
/// ones, centred in the space of its Latin-script (model) reasons when
/// there are any. `model_space` (per cluster: its centre is in the model's
/// space) and `continues` grow with the clusters. Returns cluster → known
/// category.
pub fn add_clusters(
    clusters: &mut Clusters,
    vectors: &mut [Vec<f32>],
    continues: &mut Vec<Option<usize>>,
    model_space: &mut Vec<bool>,
    assigned: Vec<Assigned>,
    is_model: bool,
) -> BTreeMap<usize, usize> {
    let mut known_of_cluster: BTreeMap<usize, usize> = BTreeMap::new();
    let mut by_known: BTreeMap<usize, Vec<Assigned>> = BTreeMap::new();
    for a in assigned {
        by_known.entry(a.known).or_default().push(a);
    }
    for (known, items) in by_known {
        let c = clusters.centroids.len();
        let main = items
            .iter()
            .map(|x| x.script)
            .min_by_key(|s| (*s != Script::Latin, *s))
            .unwrap_or(Script::Latin);
        // Summed in member order, then scaled: this order is part of the
        // output (not `embed::centroids`, which sums the same way but over
        // every member).
        let mut centre: Vec<f32> = Vec::new();
        for a in items {
            if a.script == main {
                if centre.is_empty() {
                    centre = vec![0.0; a.vector.len()];
                }
                for (x, y) in centre.iter_mut().zip(&a.vector) {
                    *x += y;
                }
            }
            clusters.cluster_of[a.reason] = Some(c);
            vectors[a.reason] = a.vector;
        }
        let norm = centre.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            centre.iter_mut().for_each(|x| *x /= norm);
        }
        clusters.centroids.push(centre);
        continues.push(None);
        model_space.push(is_model && main == Script::Latin);
        known_of_cluster.insert(c, known);
    }
    known_of_cluster
}

/// Known categories keep the taxonomy's name.
pub fn name(
    categories: &mut [Category],
    known_of_cluster: &BTreeMap<usize, usize>,
    tax: &Taxonomy,
) {
    for (&c, &known) in known_of_cluster {
        categories[c].label = tax.categories[known].name.clone();
    }
}

/// Known categories keep their key; those with no case are listed at 0,
/// after the ranked ones.
pub fn key_and_list(
    ranked: &mut Vec<RankedCategory>,
    known_of_cluster: &BTreeMap<usize, usize>,
    tax: &Taxonomy,
) {
    for c in ranked.iter_mut() {
        if let Some(known) = c.category_index.and_then(|i| known_of_cluster.get(&i)) {
            c.taxonomy_key = Some(tax.categories[*known].key.clone());
        }
    }
    let width = (ranked.len() + tax.categories.len())
        .to_string()
        .len()
        .max(4);
    for k in &tax.categories {
        if ranked
            .iter()
            .any(|c| c.taxonomy_key.as_deref() == Some(k.key.as_str()))
        {
            continue;
        }
        let rank = ranked.len() + 1;
        ranked.push(rank::zero_case(
            rank,
            crate::model::category_id(rank as u64, width),
            &k.name,
            &k.key,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taxonomy::KnownCategory;

    fn known(key: &str) -> KnownCategory {
        KnownCategory {
            key: key.into(),
            name: key.to_uppercase(),
            examples: vec![key.into()],
        }
    }

    #[test]
    fn split_keeps_second_fit_vectors_with_their_reasons() {
        let vecs = vec![vec![1.0, 0.0], vec![0.0, 1.0], vec![0.6, 0.8]];
        let second = vec![vec![1.0], vec![2.0], vec![3.0]];
        let mut assigned = Vec::new();
        let (m, v, a) = split(
            vec![10, 11, 12],
            vecs,
            Some(second),
            &[(0, vec![0.0, 1.0])],
            0.9,
            Script::Han,
            &mut assigned,
        );
        assert_eq!(m, vec![10, 12]);
        assert_eq!(v, vec![vec![1.0, 0.0], vec![0.6, 0.8]]);
        assert_eq!(a, Some(vec![vec![1.0], vec![3.0]]));
        assert_eq!(assigned.len(), 1);
        assert_eq!((assigned[0].reason, assigned[0].known), (11, 0));
        assert_eq!(assigned[0].script, Script::Han);
    }

    #[test]
    fn a_known_cluster_is_centred_on_its_main_script() {
        let mut clusters = Clusters {
            cluster_of: vec![Some(0), None, None, None],
            centroids: vec![vec![1.0, 0.0]],
        };
        let mut vectors = vec![vec![1.0, 0.0], vec![], vec![], vec![]];
        let mut continues = vec![Some(3)];
        let mut model_space = vec![true];
        let assigned = vec![
            Assigned {
                reason: 1,
                known: 5,
                vector: vec![0.0, 1.0],
                script: Script::Han,
            },
            Assigned {
                reason: 2,
                known: 5,
                vector: vec![0.0, 1.0],
                script: Script::Latin,
            },
            Assigned {
                reason: 3,
                known: 5,
                vector: vec![1.0, 1.0],
                script: Script::Latin,
            },
        ];
        let of = add_clusters(
            &mut clusters,
            &mut vectors,
            &mut continues,
            &mut model_space,
            assigned,
            true,
        );
        assert_eq!(of, BTreeMap::from([(1, 5)]));
        assert_eq!(
            clusters.cluster_of,
            vec![Some(0), Some(1), Some(1), Some(1)]
        );
        // Latin members only: (0,1) + (1,1), normalised.
        let c = &clusters.centroids[1];
        assert!((c[0] - 1.0 / 5f32.sqrt()).abs() < 1e-6 && (c[1] - 2.0 / 5f32.sqrt()).abs() < 1e-6);
        assert_eq!(continues, vec![Some(3), None]);
        assert_eq!(model_space, vec![true, true]);
        assert_eq!(vectors[3], vec![1.0, 1.0]);
    }

    #[test]
    fn known_categories_without_cases_are_listed_at_zero() {
        let tax = Taxonomy {
            categories: vec![known("coupon"), known("refund")],
        };
        let mut ranked = vec![RankedCategory {
            rank: 1,
            category_id: "CAT-0001".into(),
            category_index: Some(2),
            ..Default::default()
        }];
        key_and_list(&mut ranked, &BTreeMap::from([(2, 1)]), &tax);
        assert_eq!(ranked.len(), 2);
        assert_eq!(ranked[0].taxonomy_key.as_deref(), Some("refund"));
        assert_eq!(ranked[1].category_id, "CAT-0002");
        assert_eq!(ranked[1].taxonomy_key.as_deref(), Some("coupon"));
        assert_eq!(ranked[1].episodes, 0);
    }
}
