//! Guided taxonomy (`recontact run --taxonomy FILE`): known categories given
//! up front with a name and a few example phrases in any language.
//!
//! A reason is assigned to the known category whose closest example phrase
//! (cosine of embeddings, the run's embedder) is the highest, when that is at
//! least `--taxonomy-threshold`; the other reasons are clustered as usual.
//! Known categories keep their name (not the c-TF-IDF label) and, through the
//! id registry (`category_ids.json`), their id from month to month; a known
//! category with no case this month is still listed, with zero.
//!
//! ```toml
//! [[category]]
//! id = "coupon-not-found"          # optional stable key (default: from the name)
//! name = "Coupon not found at checkout"
//! examples = ["can't find my coupon at checkout", "优惠券找不到"]
//! ```
//!
//! Example phrases are embedded with the reasons of their script group: with
//! the lexical embedder (transductive: its space depends on the texts it
//! sees) they are embedded *together* with the reasons, so they share one
//! space.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::embed::cosine;

/// Default `--taxonomy-threshold` in a model's space: the cosine of an
/// example phrase and a reason. With all-MiniLM-L6-v2 on BANKING77 intents
/// (`bench/taxonomy.sh`, BENCHMARKS.md) precision ≈ recall here (0.76 /
/// 0.75, F1 0.75 on two months), so a known category's count is close to
/// its true size; at 0.5 known categories swallowed their near-synonym
/// neighbours (precision 0.54).
pub const DEFAULT_THRESHOLD_MODEL: f32 = 0.65;
/// Default in a lexical (TF-IDF + SVD) space, whose cosines run lower: best
/// F1 for English with the lexical embedder (0.65 at 0.4 vs 0.60 at 0.5 and
/// 0.56 at 0.3).
pub const DEFAULT_THRESHOLD_LEXICAL: f32 = 0.4;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    category: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: Option<String>,
    name: String,
    examples: Vec<String>,
}

/// One known category.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownCategory {
    /// Stable key (`id` in the file, else the name in kebab case).
    pub key: String,
    pub name: String,
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    pub categories: Vec<KnownCategory>,
}

/// `Coupon not found!` → `coupon-not-found` (letters of any script kept).
pub fn slug(s: &str) -> String {
    let mut o = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            o.push(c);
        } else if !o.is_empty() && !o.ends_with('-') {
            o.push('-');
        }
    }
    while o.ends_with('-') {
        o.pop();
    }
    o
}

impl Taxonomy {
    /// Reads and checks a taxonomy file; errors name the file, and the line
    /// and column of a TOML syntax error.
    pub fn load(path: &Path) -> Result<Taxonomy> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read taxonomy file {}", path.display()))?;
        Taxonomy::parse(&text).with_context(|| format!("bad taxonomy file {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Taxonomy> {
        let f: File = toml::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))?;
        if f.category.is_empty() {
            bail!("no [[category]] entries (each needs a name and examples)");
        }
        let mut keys = BTreeSet::new();
        let mut categories = Vec::new();
        for (i, e) in f.category.into_iter().enumerate() {
            let name = e.name.trim().to_string();
            if name.is_empty() {
                bail!("category {} has an empty name", i + 1);
            }
            let key = match &e.id {
                Some(k) if !k.trim().is_empty() => k.trim().to_string(),
                Some(_) => bail!("category '{name}' has an empty id"),
                None => slug(&name),
            };
            if key.is_empty() {
                bail!("category '{name}' needs an id (its name makes no key)");
            }
            if !keys.insert(key.clone()) {
                bail!("two categories have the id '{key}'");
            }
            let examples: Vec<String> = e
                .examples
                .iter()
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect();
            if examples.is_empty() {
                bail!("category '{key}' has no example phrases");
            }
            categories.push(KnownCategory {
                key,
                name,
                examples,
            });
        }
        Ok(Taxonomy { categories })
    }

    /// Every example phrase with its category index, in file order.
    pub fn examples(&self) -> Vec<(usize, &str)> {
        self.categories
            .iter()
            .enumerate()
            .flat_map(|(k, c)| c.examples.iter().map(move |e| (k, e.as_str())))
            .collect()
    }
}

/// Per reason vector, the known category it is assigned to: the category of
/// the most similar example phrase when the cosine is at least `threshold`
/// (ties: the earlier phrase).
pub fn assign(
    reasons: &[Vec<f32>],
    examples: &[(usize, Vec<f32>)],
    threshold: f32,
) -> Vec<Option<usize>> {
    reasons
        .iter()
        .map(|r| {
            let mut best: Option<(usize, f32)> = None;
            for (k, e) in examples {
                let s = cosine(r, e);
                if s >= threshold && best.is_none_or(|(_, b)| s > b) {
                    best = Some((*k, s));
                }
            }
            best.map(|(k, _)| k)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys_names_and_examples() {
        let t = Taxonomy::parse(
            r#"
[[category]]
id = "coupon-not-found"
name = "Coupon not found at checkout"
examples = ["can't find my coupon at checkout", "优惠券找不到"]

[[category]]
name = "Card not arrived!"
examples = ["my card has not arrived", " "]
"#,
        )
        .unwrap();
        assert_eq!(t.categories.len(), 2);
        assert_eq!(t.categories[0].key, "coupon-not-found");
        assert_eq!(t.categories[1].key, "card-not-arrived");
        assert_eq!(t.categories[1].examples, vec!["my card has not arrived"]);
        assert_eq!(t.examples().len(), 3);
        assert_eq!(slug("优惠券 找不到"), "优惠券-找不到");
    }

    #[test]
    fn rejects_bad_files_with_the_place() {
        let e = Taxonomy::parse("[[category]]\nname = \"x\"\nexamples = [\"a\"\n").unwrap_err();
        assert!(format!("{e:#}").contains("line"), "{e:#}");
        for bad in [
            "",
            "[[category]]\nname = \"x\"\nexamples = []\n",
            "[[category]]\nname = \"x\"\nexamples = [\"a\"]\n[[category]]\nname = \"X\"\nexamples = [\"b\"]\n",
            "[[category]]\nname = \"x\"\nexamples = [\"a\"]\ncolour = 1\n",
        ] {
            assert!(Taxonomy::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn assigns_to_the_closest_example_above_the_threshold() {
        let ex = vec![
            (0, vec![1.0, 0.0]),
            (1, vec![0.0, 1.0]),
            (1, vec![0.7, 0.7]),
        ];
        let rs = vec![
            vec![1.0, 0.1],
            vec![0.1, 1.0],
            vec![-1.0, 0.0],
            vec![0.6, 0.8],
        ];
        assert_eq!(assign(&rs, &ex, 0.9), vec![Some(0), Some(1), None, Some(1)]);
    }
}
