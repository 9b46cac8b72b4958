//! The files month over month: `categories.centroids.json` (what each
//! category was, for matching next month), `category_ids.json` (the id
//! registry), and reading last month's output folder for `--previous`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use super::{CENTROIDS_FILE, CENTROIDS_FORMAT, CENTROIDS_VERSION, REGISTRY_FILE, REGISTRY_FORMAT};
use crate::metrics::Metrics;

/// Which embedder made the centroids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbedderIdentity {
    /// As in the report (`embedder` setting).
    pub name: String,
    /// The model's identity (name, dimension, a hash of its config and
    /// weights' size); `lexical` for the transductive lexical embedder,
    /// whose centroids are never comparable across runs.
    pub identity: String,
    pub dim: usize,
}

impl EmbedderIdentity {
    pub fn comparable(&self, other: &EmbedderIdentity) -> bool {
        self.identity != "lexical" && self == other
    }
}

/// One category as saved for next month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedCategory {
    pub category_id: String,
    pub label: String,
    pub taxonomy_key: Option<String>,
    pub keywords: Vec<String>,
    pub episodes: usize,
    pub extra_contacts: usize,
    /// `model` (the centroid is in the model's space, comparable with
    /// another run of the same model) or `lexical` (this run only).
    pub space: String,
    /// Share of the category's reasons containing each word (its top
    /// words): a profile that needs no embedder to compare.
    pub terms: BTreeMap<String, f32>,
    /// L2-normalised centre; empty for a known category with no case.
    pub centroid: Vec<f32>,
    /// Up to [`super::EXAMPLES`] distinct masked reasons, closest to the centre
    /// first: next month embeds them to place the category in its own
    /// space (a lexical space, or another model). Absent in version 1.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Its theme's id and name (empty for a known category with no case;
    /// absent before themes).
    #[serde(default)]
    pub theme_id: String,
    #[serde(default)]
    pub theme: String,
    /// This run only: the last-month category (index) the anchoring stage
    /// continued into this category.
    #[serde(skip)]
    pub continues: Option<usize>,
}

/// `categories.centroids.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CentroidsFile {
    pub format: String,
    pub version: u32,
    pub embedder: EmbedderIdentity,
    pub data_start: String,
    pub data_end: String,
    /// Non-FCR episodes whose reasons were clustered (the share
    /// denominator).
    pub reasons: usize,
    pub extra_contacts: usize,
    pub categories: Vec<SavedCategory>,
}

/// `category_ids.json`: carried forward month to month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdRegistry {
    pub format: String,
    pub version: u32,
    /// The highest `CAT-` number ever issued; new ids count up from it.
    pub highest_id: u64,
    /// Ids no longer in use (vanished or merged away): never issued again.
    pub retired: Vec<String>,
    /// Taxonomy key → its id.
    pub taxonomy: BTreeMap<String, String>,
    /// The highest `THM-` number ever issued (absent before themes).
    #[serde(default)]
    pub highest_theme_id: u64,
}

impl IdRegistry {
    pub(super) fn new() -> IdRegistry {
        IdRegistry {
            format: REGISTRY_FORMAT.into(),
            version: 1,
            highest_id: 0,
            retired: Vec::new(),
            taxonomy: BTreeMap::new(),
            highest_theme_id: 0,
        }
    }

    pub(super) fn issue(&mut self) -> String {
        self.highest_id += 1;
        format_id(self.highest_id)
    }

    pub(super) fn see(&mut self, id: &str) {
        if let Some(n) = id_number(id) {
            self.highest_id = self.highest_id.max(n);
        }
    }
}

pub fn format_id(n: u64) -> String {
    crate::model::category_id(n, 4)
}

fn id_number(id: &str) -> Option<u64> {
    crate::model::category_id_number(id)
}

/// Last month's output folder, read for `--previous`.
#[derive(Debug, Clone)]
pub struct Previous {
    pub dir: PathBuf,
    pub centroids: CentroidsFile,
    pub registry: IdRegistry,
    pub metrics: PrevMetrics,
}

/// The part of last month's metrics.json the FCR deltas need, and its
/// period and data's end (to refuse a later month as `--previous`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PrevMetrics {
    /// Empty from versions before the period label.
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub data_end: String,
    pub fcr_rate: Option<f64>,
    pub measured_episodes: usize,
    pub fcr_episodes: usize,
    pub by_channel: BTreeMap<String, PrevGroup>,
    pub by_team: BTreeMap<String, PrevGroup>,
    /// Absent before the report had a language.
    #[serde(default)]
    pub settings: PrevSettings,
}

/// Last month's settings this month reuses.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PrevSettings {
    /// As written (a tag this version may not know is ignored).
    #[serde(default)]
    pub report_language: Option<String>,
}

impl PrevMetrics {
    /// Last month's report language, when it had one this version knows.
    pub fn report_language(&self) -> Option<crate::settings::ReportLanguage> {
        let tag = self.settings.report_language.as_deref()?;
        crate::settings::ReportLanguage::ALL
            .into_iter()
            .find(|l| l.tag() == tag)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct PrevGroup {
    pub measured_episodes: usize,
    pub fcr_episodes: usize,
    pub fcr_rate: Option<f64>,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: not a file this version of recontact can read ({e})",
            path.display()
        )
    })
}

/// Reads `--previous DIR`: a recontact output folder.
pub fn load_previous(dir: &Path) -> Result<Previous> {
    if !dir.is_dir() {
        bail!("--previous {}: no such folder", dir.display());
    }
    for f in [crate::layout::METRICS, CENTROIDS_FILE] {
        if !dir.join(f).is_file() {
            bail!(
                "--previous {}: not a recontact output folder of this version (no {f}; run last month again with this version to write it)",
                dir.display()
            );
        }
    }
    let centroids: CentroidsFile = read_json(&dir.join(CENTROIDS_FILE))?;
    if centroids.format != CENTROIDS_FORMAT || !(1..=CENTROIDS_VERSION).contains(&centroids.version)
    {
        bail!(
            "{}: format {} version {}, expected {CENTROIDS_FORMAT} version 1 to {CENTROIDS_VERSION}",
            dir.join(CENTROIDS_FILE).display(),
            centroids.format,
            centroids.version
        );
    }
    let reg_path = dir.join(REGISTRY_FILE);
    let mut registry: IdRegistry = if reg_path.is_file() {
        read_json(&reg_path)?
    } else {
        IdRegistry::new()
    };
    for c in &centroids.categories {
        registry.see(&c.category_id);
    }
    let metrics: PrevMetrics = read_json(&dir.join(crate::layout::METRICS))?;
    Ok(Previous {
        dir: dir.to_path_buf(),
        centroids,
        registry,
        metrics,
    })
}

/// The identity of a model folder: its name, dimension, and an FNV hash of
/// config.json and the weights' size (cheap, and changes with the model).
pub fn model_identity(name: &str, dir: &Path, dim: usize) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    if let Ok(b) = std::fs::read(dir.join("config.json")) {
        eat(&b);
    }
    if let Ok(m) = std::fs::metadata(dir.join("model.safetensors")) {
        eat(&m.len().to_le_bytes());
    }
    format!("{name}; dim {dim}; {h:016x}")
}

/// The centroids file's content.
pub fn centroids_file(
    identity: &EmbedderIdentity,
    metrics: &Metrics,
    reasons: usize,
    extra_contacts: usize,
    categories: Vec<SavedCategory>,
) -> CentroidsFile {
    CentroidsFile {
        format: CENTROIDS_FORMAT.into(),
        version: CENTROIDS_VERSION,
        embedder: identity.clone(),
        data_start: metrics.data_start.clone(),
        data_end: metrics.data_end.clone(),
        reasons,
        extra_contacts,
        categories,
    }
}

/// Writes `categories.centroids.json` and `category_ids.json`.
pub fn write_files(
    centroids_path: &Path,
    registry_path: &Path,
    centroids: &CentroidsFile,
    registry: &IdRegistry,
) -> Result<()> {
    for (path, text) in [
        (centroids_path, serde_json::to_string(centroids)?),
        (registry_path, serde_json::to_string_pretty(registry)?),
    ] {
        std::fs::write(path, format!("{text}\n"))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_never_reuses_ids() {
        let mut r = IdRegistry::new();
        r.see("CAT-0012");
        assert_eq!(r.issue(), "CAT-0013");
        r.see("CAT-0003");
        assert_eq!(r.issue(), "CAT-0014");
        assert_eq!(id_number("CAT-0100"), Some(100));
        assert_eq!(id_number("x"), None);
    }
}
