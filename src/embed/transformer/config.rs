//! The model folder's configuration: Hugging Face's `config.json` and
//! sentence-transformers' `modules.json` / `sentence_bert_config.json`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Arch {
    Bert,
    /// RoBERTa / XLM-RoBERTa: positions start after the padding id.
    Roberta,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Act {
    Gelu,
    GeluTanh,
    Relu,
}

#[derive(Debug, Deserialize)]
pub(super) struct HfConfig {
    pub(super) model_type: Option<String>,
    pub(super) vocab_size: usize,
    pub(super) hidden_size: usize,
    pub(super) num_hidden_layers: usize,
    pub(super) num_attention_heads: usize,
    pub(super) intermediate_size: usize,
    #[serde(default = "default_act")]
    pub(super) hidden_act: String,
    pub(super) max_position_embeddings: usize,
    #[serde(default = "default_type_vocab")]
    pub(super) type_vocab_size: usize,
    #[serde(default = "default_eps")]
    pub(super) layer_norm_eps: f64,
    #[serde(default)]
    pub(super) pad_token_id: Option<usize>,
    #[serde(default)]
    pub(super) position_embedding_type: Option<String>,
}

fn default_act() -> String {
    "gelu".into()
}
fn default_type_vocab() -> usize {
    2
}
fn default_eps() -> f64 {
    1e-12
}

#[derive(Debug, Deserialize)]
struct StModule {
    #[serde(default)]
    path: String,
    #[serde(rename = "type")]
    kind: String,
}

pub(super) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid for this model", path.display()))
}

/// Reads the sentence-transformers module list: returns the pooling config
/// path (if any) and whether a Normalize module follows.
pub(super) fn read_modules(dir: &Path) -> anyhow::Result<(Option<PathBuf>, bool)> {
    let modules_path = dir.join("modules.json");
    if !modules_path.is_file() {
        let p = dir.join("1_Pooling").join("config.json");
        return Ok((p.is_file().then_some(p), false));
    }
    let modules: Vec<StModule> = read_json(&modules_path)?;
    let mut pooling = None;
    let mut normalize = false;
    for m in &modules {
        let kind = m.kind.rsplit('.').next().unwrap_or(&m.kind);
        match kind {
            "Transformer" => {
                if !m.path.is_empty() {
                    bail!(
                        "{}: the Transformer module lives in sub-folder {:?}; only models with the transformer at the top level are supported",
                        modules_path.display(),
                        m.path
                    );
                }
            }
            "Pooling" => pooling = Some(dir.join(&m.path).join("config.json")),
            "Normalize" => normalize = true,
            other => bail!(
                "{}: module type {other:?} ({}) is not supported (Transformer, Pooling and Normalize are)",
                modules_path.display(),
                m.kind
            ),
        }
    }
    Ok((pooling, normalize))
}

pub(super) fn read_max_seq_length(dir: &Path) -> anyhow::Result<Option<usize>> {
    #[derive(Deserialize)]
    struct SbertConfig {
        max_seq_length: Option<usize>,
    }
    let p = dir.join("sentence_bert_config.json");
    if !p.is_file() {
        return Ok(None);
    }
    let c: SbertConfig = read_json(&p)?;
    Ok(c.max_seq_length)
}
