//! What a model folder says about how to use it, beyond Hugging Face's own
//! files: the text prefix the model was trained with, and thresholds
//! calibrated for its similarity scale.
//!
//! Models differ in how they spread cosines: all-MiniLM-L6-v2 puts unrelated
//! sentences near 0.1, multilingual-e5 near 0.75. A threshold calibrated for
//! one is meaningless for the other, so a model folder may carry its own
//! (measured, see `scripts/fetch-multilingual-model.sh`); a flag or the
//! config file still wins.
//!
//! Sources, first wins:
//! * `recontact-model.json` (written by our fetch scripts):
//!   `{"prefix": "query: ", "embedding_threshold": 0.9, "centroid_threshold": 0.95,
//!   "taxonomy_threshold": 0.9}`;
//! * sentence-transformers' `config_sentence_transformers.json` `prompts`
//!   (prefix only): the `default_prompt_name`'s prompt, else the `query`
//!   prompt — contact reasons are queries, and E5's model card asks for
//!   "query: " on both sides of symmetric tasks such as clustering.
//!
//! A folder with neither (e.g. all-MiniLM-L6-v2) has no prefix and no
//! thresholds, so the built-in defaults apply unchanged.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

/// The marker file our fetch scripts write into a model folder.
pub const PROFILE_FILE: &str = "recontact-model.json";

/// Per-model settings read from a model folder; `None` = the built-in default.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ModelProfile {
    /// Prepended to every text before tokenising (E5: "query: ").
    #[serde(default)]
    pub prefix: Option<String>,
    /// Default `--embedding-threshold` (same-issue linking) for this model.
    #[serde(default)]
    pub embedding_threshold: Option<f32>,
    /// The same-issue threshold when this model reads only the reasons the
    /// run's English model cannot (`--other-scripts-model`): measured on
    /// realistic Chinese and Hebrew months, where repeats are reworded
    /// more than in the months `embedding_threshold` was set on.
    /// `embedding_threshold` when absent.
    #[serde(default)]
    pub other_scripts_embedding_threshold: Option<f32>,
    /// Centroid cosine for "the same category" month over month (matching
    /// and anchoring) in this model's space; `trend::CENTROID_THRESHOLD`
    /// otherwise.
    #[serde(default)]
    pub centroid_threshold: Option<f64>,
    /// Default `--taxonomy-threshold` (a reason's cosine to a known
    /// category's example phrase) in this model's space.
    #[serde(default)]
    pub taxonomy_threshold: Option<f32>,
}

#[derive(Debug, Default, Deserialize)]
struct StConfig {
    #[serde(default)]
    prompts: BTreeMap<String, String>,
    #[serde(default)]
    default_prompt_name: Option<String>,
}

impl ModelProfile {
    /// Reads `dir`'s profile. Missing files mean "nothing special"; a file
    /// that is there but malformed is an error naming it, so a typo in a
    /// calibrated threshold is not silently replaced by another model's.
    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(PROFILE_FILE);
        let mut profile = if path.is_file() {
            Self::parse(&read(&path)?)
                .with_context(|| format!("{} is not valid", path.display()))?
        } else {
            Self::default()
        };
        if profile.prefix.is_none() {
            let st = dir.join("config_sentence_transformers.json");
            if st.is_file() {
                profile.prefix = st_prefix(&read(&st)?)
                    .with_context(|| format!("{} is not valid", st.display()))?;
            }
        }
        Ok(profile)
    }

    /// Parses a `recontact-model.json` and checks its thresholds are cosines.
    pub fn parse(text: &str) -> Result<Self> {
        let p: Self = serde_json::from_str(text)?;
        for (name, t) in [
            ("embedding_threshold", p.embedding_threshold),
            (
                "other_scripts_embedding_threshold",
                p.other_scripts_embedding_threshold,
            ),
        ] {
            if let Some(t) = t {
                anyhow::ensure!((0.0..=1.0).contains(&t), "{name} {t} is not in 0..1");
            }
        }
        if let Some(t) = p.centroid_threshold {
            anyhow::ensure!(
                (0.0..=1.0).contains(&t),
                "centroid_threshold {t} is not in 0..1"
            );
        }
        if let Some(t) = p.taxonomy_threshold {
            anyhow::ensure!(
                (0.0..=1.0).contains(&t),
                "taxonomy_threshold {t} is not in 0..1"
            );
        }
        Ok(p)
    }

    /// `text` with the model's prefix (borrowed when there is none, so the
    /// common case copies nothing).
    pub fn apply<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        match &self.prefix {
            Some(p) if !p.is_empty() => format!("{p}{text}").into(),
            _ => text.into(),
        }
    }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// The prefix a sentence-transformers config asks for, if any.
fn st_prefix(text: &str) -> Result<Option<String>> {
    let c: StConfig = serde_json::from_str(text)?;
    let name = c.default_prompt_name.as_deref().unwrap_or("query");
    Ok(c.prompts.get(name).filter(|p| !p.is_empty()).cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_is_parsed_and_checked() {
        let p = ModelProfile::parse(
            r#"{"prefix": "query: ", "embedding_threshold": 0.9, "centroid_threshold": 0.95, "source": "x"}"#,
        )
        .unwrap();
        assert_eq!(p.prefix.as_deref(), Some("query: "));
        assert_eq!(p.embedding_threshold, Some(0.9));
        assert_eq!(p.centroid_threshold, Some(0.95));
        assert_eq!(p.apply("退款"), "query: 退款");
        let t = ModelProfile::parse(r#"{"taxonomy_threshold": 0.9}"#).unwrap();
        assert_eq!(t.taxonomy_threshold, Some(0.9));
        assert!(ModelProfile::parse(r#"{"taxonomy_threshold": -0.2}"#).is_err());
        assert!(ModelProfile::parse(r#"{"embedding_threshold": 1.5}"#).is_err());
        assert!(ModelProfile::parse(r#"{"other_scripts_embedding_threshold": -0.1}"#).is_err());
        assert!(ModelProfile::parse(r#"{"prefix": 3}"#).is_err());
        assert_eq!(ModelProfile::parse("{}").unwrap(), ModelProfile::default());
        assert_eq!(ModelProfile::default().apply("refund"), "refund");
    }

    #[test]
    fn sentence_transformers_prompts() {
        // all-MiniLM-L6-v2's file: no prompts, no prefix.
        assert_eq!(
            st_prefix(r#"{"__version__": {"sentence_transformers": "2.0.0"}}"#).unwrap(),
            None
        );
        // E5 as published: query and passage prompts, no default.
        let e5 = r#"{"prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": null}"#;
        assert_eq!(st_prefix(e5).unwrap().as_deref(), Some("query: "));
        let d = r#"{"prompts": {"query": "query: ", "clustering": "Cluster: "}, "default_prompt_name": "clustering"}"#;
        assert_eq!(st_prefix(d).unwrap().as_deref(), Some("Cluster: "));
    }

    #[test]
    fn folder_without_marker_has_no_profile() {
        let dir = std::env::temp_dir().join(format!("recontact-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(ModelProfile::read(&dir).unwrap(), ModelProfile::default());
        std::fs::write(dir.join(PROFILE_FILE), r#"{"prefix": "query: "}"#).unwrap();
        std::fs::write(
            dir.join("config_sentence_transformers.json"),
            r#"{"prompts": {"query": "other: "}}"#,
        )
        .unwrap();
        // The marker wins over sentence-transformers' prompts.
        assert_eq!(
            ModelProfile::read(&dir).unwrap().prefix.as_deref(),
            Some("query: ")
        );
        std::fs::write(dir.join(PROFILE_FILE), "{not json").unwrap();
        let err = format!("{:#}", ModelProfile::read(&dir).unwrap_err());
        assert!(err.contains(PROFILE_FILE), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
