//! Choosing the embedder a run uses from the settings and what is on disk.

use std::path::Path;

use anyhow::{Context, Result};

use super::offload::SharedOffload;
use super::{CandleEmbedder, Embedder, LexicalEmbedder, LexicalOptions};
use crate::settings::{EmbedderChoice, Settings};

/// The lexical embedder with the run's seed.
pub fn lexical_embedder(settings: &Settings) -> LexicalEmbedder {
    LexicalEmbedder::new(LexicalOptions {
        seed: settings.seed,
        ..LexicalOptions::default()
    })
}

/// The embedder a run uses, and a warning when it had to fall back.
/// `offload`: where a model's encoder batches run (see `embed::offload`).
pub fn choose_embedder(
    settings: &Settings,
    offload: Option<&SharedOffload>,
) -> Result<(Box<dyn Embedder>, Option<String>)> {
    let dir = Path::new(&settings.model);
    match settings.embedder {
        EmbedderChoice::Lexical => Ok((Box::new(lexical_embedder(settings)), None)),
        EmbedderChoice::Candle => {
            let e = CandleEmbedder::load(dir).with_context(|| {
                format!("cannot load the embedding model from {}", dir.display())
            })?;
            Ok((Box::new(e.with_offload(offload.cloned())), None))
        }
        #[cfg(feature = "rust-bert")]
        EmbedderChoice::RustBert => {
            let e = super::load_rust_bert(dir)
                .with_context(|| format!("cannot load the rust-bert model from {}", dir.display()))?;
            Ok((e, None))
        }
        #[cfg(not(feature = "rust-bert"))]
        EmbedderChoice::RustBert => anyhow::bail!(
            "--embedder rust-bert needs a binary built with `--features rust-bert` (see docs/rust-bert.md)"
        ),
        EmbedderChoice::Auto => {
            if super::model_available(dir) {
                let e = CandleEmbedder::load(dir).with_context(|| {
                    format!("cannot load the embedding model from {}", dir.display())
                })?;
                Ok((Box::new(e.with_offload(offload.cloned())), None))
            } else {
                Ok((
                    Box::new(lexical_embedder(settings)),
                    Some(format!(
                        "no sentence-embedding model in {} — categories come from the lexical fallback (TF-IDF + SVD), which groups by shared words, not meaning. Run scripts/fetch-model.sh or pass --model DIR.",
                        dir.display()
                    )),
                ))
            }
        }
    }
}

/// Whether a model folder holds a multilingual model (XLM-R, or a vocabulary
/// far beyond English's 30k word pieces). An English-only model reads
/// Chinese and Hebrew badly, so those reasons go to the lexical embedder.
pub fn model_is_multilingual(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("config.json")) else {
        return false;
    };
    let Ok(cfg) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    let model_type = cfg.get("model_type").and_then(|v| v.as_str()).unwrap_or("");
    let vocab = cfg.get("vocab_size").and_then(|v| v.as_u64()).unwrap_or(0);
    model_type.contains("xlm") || vocab >= 100_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multilingual_by_config() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(!model_is_multilingual(tmp.path()));
        let cfg = tmp.path().join("config.json");
        std::fs::write(&cfg, r#"{"model_type":"bert","vocab_size":30522}"#).unwrap();
        assert!(!model_is_multilingual(tmp.path()));
        std::fs::write(&cfg, r#"{"model_type":"bert","vocab_size":250037}"#).unwrap();
        assert!(model_is_multilingual(tmp.path()));
        std::fs::write(&cfg, r#"{"model_type":"xlm-roberta"}"#).unwrap();
        assert!(model_is_multilingual(tmp.path()));
    }

    #[test]
    fn a_missing_model_falls_back_with_a_warning() {
        let tmp = tempfile::tempdir().unwrap();
        let s = Settings {
            model: tmp.path().to_string_lossy().into_owned(),
            ..Settings::default()
        };
        let (e, warning) = choose_embedder(&s, None).unwrap();
        assert!(e.transductive());
        assert!(warning.unwrap().contains("lexical fallback"));
        let s = Settings {
            embedder: EmbedderChoice::Candle,
            ..s
        };
        assert!(choose_embedder(&s, None).is_err());
    }

    /// Refuses every batch: an embed that reaches it fails with its words.
    struct Refuse;

    impl crate::embed::offload::Offload for Refuse {
        fn forward(&self, _: &Path, batches: &[&[Vec<u32>]]) -> Result<Vec<Vec<Vec<f32>>>> {
            anyhow::bail!("offloaded {} batches", batches.len())
        }
    }

    #[test]
    fn every_model_choice_sends_its_batches_to_the_offload() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(crate::embed::DEFAULT_MODEL_DIR);
        if !crate::embed::model_available(&dir) {
            assert!(
                std::env::var("RECONTACT_REQUIRE_MODEL").as_deref() != Ok("1"),
                "RECONTACT_REQUIRE_MODEL=1 but {} has no model",
                dir.display()
            );
            return;
        }
        let offload: SharedOffload = std::sync::Arc::new(Refuse);
        for choice in [EmbedderChoice::Auto, EmbedderChoice::Candle] {
            let s = Settings {
                model: dir.to_string_lossy().into_owned(),
                embedder: choice,
                ..Settings::default()
            };
            let (e, _) = choose_embedder(&s, Some(&offload)).unwrap();
            let err = e.embed(&["where is my refund".to_string()]).unwrap_err();
            assert!(
                err.to_string().contains("offloaded 1 batches"),
                "{choice:?}: {err}"
            );
            let (e, _) = choose_embedder(&s, None).unwrap();
            assert_eq!(
                e.embed(&["where is my refund".to_string()]).unwrap().len(),
                1
            );
        }
    }
}
