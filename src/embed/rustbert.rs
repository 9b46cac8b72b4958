//! A second transformer embedder on libtorch, through rust-bert 0.20's
//! sentence-embeddings pipeline (cargo feature `rust-bert`, off by default;
//! see `docs/rust-bert.md`).
//!
//! rust-bert cannot read a Hugging Face folder as it comes: it wants the
//! weights as a libtorch `rust_model.ot`. [`import_model`] (the
//! `recontact model import` subcommand) converts a sentence-transformers
//! folder into that layout, in Rust: safetensors → tch tensors →
//! `Tensor::save_multi`, plus the config, tokenizer and module files
//! rust-bert's local loader opens.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{anyhow, bail, ensure, Context, Result};
use rust_bert::pipelines::sentence_embeddings::{
    SentenceEmbeddingsBuilder, SentenceEmbeddingsModel,
};
use serde_json::Value;
use tch::{Device, Kind, Tensor};

use super::{l2_normalize, Embedder};

/// Texts per forward pass. Texts are sorted by length first, so a batch pads
/// little.
const BATCH_SIZE: usize = 32;

/// A sentence-transformers model (BERT, DistilBERT, RoBERTa, ALBERT or T5
/// family) run by rust-bert on the CPU. Load it from a folder that
/// [`import_model`] wrote.
///
/// Threads: libtorch's own pool is set from `$TCH_THREADS` when that is set;
/// Debian's libtorch does its matrix products in OpenBLAS, whose threads come
/// from `$OPENBLAS_NUM_THREADS`. On 2 cores `TCH_THREADS=1
/// OPENBLAS_NUM_THREADS=2` is fastest.
pub struct RustBertEmbedder {
    // libtorch tensors are `Send` but not `Sync`; one forward at a time.
    model: Mutex<SentenceEmbeddingsModel>,
    name: String,
    dim: usize,
}

impl RustBertEmbedder {
    /// Loads a rust-bert model folder (the DEST of `recontact model import`).
    /// Errors name the file that is missing or wrong.
    pub fn load(dir: &Path) -> Result<Self> {
        check_layout(dir)?;
        if let Some(n) = std::env::var("TCH_THREADS")
            .ok()
            .and_then(|s| s.trim().parse::<i32>().ok())
            .filter(|&n| n > 0)
        {
            tch::set_num_threads(n);
        }
        let owned = dir.to_path_buf();
        // rust-bert panics (rather than erring) on some unreadable config
        // files; `check_layout` catches the common cases, this the rest.
        let model = std::panic::catch_unwind(move || {
            SentenceEmbeddingsBuilder::local(owned)
                .with_device(Device::Cpu)
                .create_model()
        })
        .map_err(|_| {
            anyhow!(
                "rust-bert panicked loading {} (a config file is unreadable)",
                dir.display()
            )
        })?
        .with_context(|| format!("rust-bert cannot load the model in {}", dir.display()))?;
        let probe = model
            .encode(&["dimension probe"])
            .context("rust-bert test forward pass failed")?;
        let dim = probe.first().map_or(0, Vec::len);
        ensure!(
            dim > 0,
            "rust-bert model in {} gives empty vectors",
            dir.display()
        );
        let base = dir
            .canonicalize()
            .unwrap_or_else(|_| dir.to_path_buf())
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into());
        Ok(Self {
            model: Mutex::new(model),
            name: format!("rust-bert:{base}"),
            dim,
        })
    }
}

/// The feature's entry point for the pipeline: a boxed [`RustBertEmbedder`].
pub fn load_rust_bert(dir: &Path) -> Result<Box<dyn Embedder>> {
    Ok(Box::new(RustBertEmbedder::load(dir)?))
}

impl Embedder for RustBertEmbedder {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
        // Longest first, ties by position: deterministic, little padding.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by(|&a, &b| texts[b].len().cmp(&texts[a].len()).then(a.cmp(&b)));
        let mut out = vec![Vec::new(); texts.len()];
        let model = self
            .model
            .lock()
            .map_err(|_| anyhow!("rust-bert model lock poisoned"))?;
        for chunk in order.chunks(BATCH_SIZE) {
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i].as_str()).collect();
            let vecs = model.encode(&batch).context("rust-bert forward pass")?;
            ensure!(
                vecs.len() == chunk.len(),
                "rust-bert returned {} vectors for {} texts",
                vecs.len(),
                chunk.len()
            );
            for (&i, mut v) in chunk.iter().zip(vecs) {
                ensure!(
                    v.len() == self.dim,
                    "rust-bert returned a vector of length {}, expected {}",
                    v.len(),
                    self.dim
                );
                l2_normalize(&mut v);
                out[i] = v;
            }
        }
        Ok(out)
    }
}

/// What [`import_model`] wrote.
#[derive(Debug)]
pub struct ImportReport {
    pub model_type: String,
    /// Tensors written to `rust_model.ot` (integer buffers such as
    /// `position_ids` are left out: rust-bert does not load them).
    pub tensors: usize,
    /// Every file written under DEST, relative to it.
    pub files: Vec<PathBuf>,
}

/// Converts a Hugging Face sentence-transformers folder (`config.json`,
/// `model.safetensors`, `modules.json`, the pooling folder,
/// `sentence_bert_config.json`, tokenizer files) into the layout rust-bert's
/// `SentenceEmbeddingsBuilder::local` reads, in `dest` (created if needed).
pub fn import_model(src: &Path, dest: &Path) -> Result<ImportReport> {
    ensure!(src.is_dir(), "{} is not a folder", src.display());
    let config = read_json(&src.join("config.json"))?;
    let model_type = config
        .get("model_type")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("{}: no \"model_type\"", src.join("config.json").display()))?
        .to_string();
    let tokenizer_files: &[&str] = match model_type.as_str() {
        "bert" | "distilbert" => &["vocab.txt"],
        "roberta" => &["vocab.json", "merges.txt"],
        "albert" | "t5" => &["spiece.model"],
        other => bail!(
            "model_type \"{other}\" is not supported by rust-bert 0.20's sentence embeddings \
             (bert, distilbert, roberta, albert, t5 are)"
        ),
    };
    fs::create_dir_all(dest).with_context(|| format!("cannot create {}", dest.display()))?;
    let mut files = Vec::new();

    // The module list; a plain Hugging Face folder without one gets
    // sentence-transformers' default: transformer, mean pooling, normalize.
    let modules_path = src.join("modules.json");
    let modules = if modules_path.is_file() {
        copy(src, dest, Path::new("modules.json"), &mut files)?;
        read_json(&modules_path)?
    } else {
        let value = serde_json::json!([
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}
        ]);
        write_json(dest, "modules.json", &value, &mut files)?;
        value
    };
    let modules = modules
        .as_array()
        .ok_or_else(|| anyhow!("{}: not a JSON array", modules_path.display()))?;

    // Transformer weights.
    let weights = src.join("model.safetensors");
    if !weights.is_file() {
        bail!(
            "{} not found (only safetensors weights can be imported; pytorch_model.bin is not)",
            weights.display()
        );
    }
    let tensors = convert_safetensors(&weights, &dest.join("rust_model.ot"), strip_model_prefix)?;
    files.push(PathBuf::from("rust_model.ot"));

    // Config, module list and tokenizer files.
    copy(src, dest, Path::new("config.json"), &mut files)?;
    for f in tokenizer_files {
        if src.join(f).is_file() {
            copy(src, dest, Path::new(f), &mut files)?;
        } else if *f == "vocab.txt" && src.join("tokenizer.json").is_file() {
            vocab_from_tokenizer_json(&src.join("tokenizer.json"), &dest.join(f))?;
            files.push(PathBuf::from(f));
        } else {
            bail!(
                "{} not found (rust-bert's tokenizer needs it)",
                src.join(f).display()
            );
        }
    }
    // rust-bert opens both, and panics when either is missing: write
    // neutral ones when the source has none.
    if src.join("tokenizer_config.json").is_file() {
        copy(src, dest, Path::new("tokenizer_config.json"), &mut files)?;
    } else {
        let value = tokenizer_config_from_json(&src.join("tokenizer.json"));
        write_json(dest, "tokenizer_config.json", &value, &mut files)?;
    }
    if src.join("sentence_bert_config.json").is_file() {
        copy(
            src,
            dest,
            Path::new("sentence_bert_config.json"),
            &mut files,
        )?;
    } else {
        let max = config
            .get("max_position_embeddings")
            .and_then(Value::as_u64)
            .unwrap_or(512);
        let value = serde_json::json!({ "max_seq_length": max, "do_lower_case": false });
        write_json(dest, "sentence_bert_config.json", &value, &mut files)?;
    }

    // Pooling and dense modules (Normalize has no files).
    for m in modules {
        let kind = m.get("type").and_then(Value::as_str).unwrap_or_default();
        let path = m.get("path").and_then(Value::as_str).unwrap_or_default();
        if path.is_empty() {
            continue;
        }
        let conf = Path::new(path).join("config.json");
        if kind.ends_with(".Pooling") && src.join(&conf).is_file() {
            copy(src, dest, &conf, &mut files)?;
        } else if kind.ends_with(".Pooling") {
            // Mean pooling over the hidden size, sentence-transformers' default.
            let hidden = config
                .get("hidden_size")
                .or_else(|| config.get("dim"))
                .or_else(|| config.get("d_model"))
                .and_then(Value::as_u64)
                .ok_or_else(|| anyhow!("{}: no hidden_size", src.join("config.json").display()))?;
            let value = serde_json::json!({
                "word_embedding_dimension": hidden,
                "pooling_mode_cls_token": false,
                "pooling_mode_mean_tokens": true,
                "pooling_mode_max_tokens": false,
                "pooling_mode_mean_sqrt_len_tokens": false
            });
            fs::create_dir_all(dest.join(path))
                .with_context(|| format!("cannot create {}", dest.join(path).display()))?;
            write_json(dest, &conf.to_string_lossy(), &value, &mut files)?;
        } else if kind.ends_with(".Dense") {
            copy(src, dest, &conf, &mut files)?;
            let w = src.join(path).join("model.safetensors");
            ensure!(w.is_file(), "{} not found", w.display());
            // HF: `linear.weight`; rust-bert's Dense: `weight`.
            convert_safetensors(&w, &dest.join(path).join("rust_model.ot"), |k, _| {
                k.strip_prefix("linear.").unwrap_or(k).to_string()
            })?;
            files.push(Path::new(path).join("rust_model.ot"));
        }
    }
    Ok(ImportReport {
        model_type,
        tensors,
        files,
    })
}

/// HF key → rust-bert variable name for the transformer. rust-bert builds
/// the model at the var-store root (`embeddings.…`, `encoder.…`,
/// `pooler.…`), the same names a sentence-transformers `model.safetensors`
/// has; a checkpoint saved with its head (`bert.embeddings.…`) loses the
/// prefix. Old TF-style `gamma`/`beta` become `weight`/`bias`, as in
/// rust-bert's `utils/convert_model.py`.
fn strip_model_prefix(key: &str, prefix: &str) -> String {
    let k = if prefix.is_empty() {
        key
    } else {
        key.strip_prefix(prefix).unwrap_or(key)
    };
    let mut parts: Vec<&str> = k.split('.').collect();
    if let Some(last) = parts.last_mut() {
        match *last {
            "gamma" => *last = "weight",
            "beta" => *last = "bias",
            _ => {}
        }
    }
    parts.join(".")
}

/// Reads `src` (safetensors), renames each floating-point tensor with
/// `rename(key, prefix)` (prefix: a `bert.`-style head prefix to drop, or
/// ""), converts it to f32 and writes all of them to `dest` with
/// `Tensor::save_multi`. Returns how many were written.
fn convert_safetensors(
    src: &Path,
    dest: &Path,
    rename: impl Fn(&str, &str) -> String,
) -> Result<usize> {
    use safetensors::{Dtype, SafeTensors};
    let bytes = fs::read(src).with_context(|| format!("cannot read {}", src.display()))?;
    let st = SafeTensors::deserialize(&bytes)
        .map_err(|e| anyhow!("{}: not a safetensors file: {e}", src.display()))?;
    let mut views = st.tensors();
    views.sort_by(|a, b| a.0.cmp(&b.0));
    // A head prefix (e.g. `bert.`) is dropped when no key is at the root.
    let prefix = if views.iter().any(|(k, _)| k.starts_with("embeddings.")) {
        String::new()
    } else {
        views
            .iter()
            .find_map(|(k, _)| k.find(".embeddings.").map(|i| k[..=i].to_string()))
            .unwrap_or_default()
    };
    let mut out: Vec<(String, Tensor)> = Vec::with_capacity(views.len());
    for (key, view) in &views {
        let kind = match view.dtype() {
            Dtype::F32 => Kind::Float,
            Dtype::F16 => Kind::Half,
            Dtype::BF16 => Kind::BFloat16,
            Dtype::F64 => Kind::Double,
            // Integer buffers (`position_ids`) are not model variables.
            _ => continue,
        };
        let shape: Vec<i64> = view.shape().iter().map(|&d| d as i64).collect();
        let t = Tensor::f_of_data_size(view.data(), &shape, kind)
            .with_context(|| format!("{}: tensor {key}", src.display()))?
            .to_kind(Kind::Float);
        out.push((rename(key, &prefix), t));
    }
    ensure!(
        !out.is_empty(),
        "{}: no floating-point tensors",
        src.display()
    );
    if let Some(parent) = dest.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    Tensor::save_multi(&out, dest).with_context(|| format!("cannot write {}", dest.display()))?;
    Ok(out.len())
}

/// Writes a WordPiece `vocab.txt` (one token a line, in id order) from a
/// `tokenizer.json`, for BERT folders that ship only the latter.
fn vocab_from_tokenizer_json(src: &Path, dest: &Path) -> Result<()> {
    let tok = read_json(src)?;
    let vocab = tok
        .pointer("/model/vocab")
        .and_then(Value::as_object)
        .ok_or_else(|| anyhow!("{}: no WordPiece model.vocab", src.display()))?;
    let mut by_id: Vec<Option<&str>> = vec![None; vocab.len()];
    for (token, id) in vocab {
        let id = id
            .as_u64()
            .ok_or_else(|| anyhow!("{}: bad id", src.display()))? as usize;
        ensure!(
            id < by_id.len(),
            "{}: vocab ids are not 0..n",
            src.display()
        );
        by_id[id] = Some(token);
    }
    let mut text = String::new();
    for (id, t) in by_id.iter().enumerate() {
        let t = t.ok_or_else(|| anyhow!("{}: vocab id {id} missing", src.display()))?;
        text.push_str(t);
        text.push('\n');
    }
    fs::write(dest, text).with_context(|| format!("cannot write {}", dest.display()))
}

/// A `tokenizer_config.json` for rust-bert from a `tokenizer.json`'s
/// normalizer: lower-casing and accent stripping (`{}` when unknown).
fn tokenizer_config_from_json(path: &Path) -> Value {
    let mut out = serde_json::Map::new();
    let Ok(tok) = read_json(path) else {
        return Value::Object(out);
    };
    let norm = tok.get("normalizer").cloned().unwrap_or(Value::Null);
    let mut parts = vec![norm.clone()];
    if let Some(list) = norm.get("normalizers").and_then(Value::as_array) {
        parts.extend(list.iter().cloned());
    }
    for n in &parts {
        match n.get("type").and_then(Value::as_str) {
            Some("BertNormalizer") => {
                if let Some(b) = n.get("lowercase").and_then(Value::as_bool) {
                    out.insert("do_lower_case".into(), b.into());
                }
                if let Some(b) = n.get("strip_accents").and_then(Value::as_bool) {
                    out.insert("strip_accents".into(), b.into());
                }
            }
            Some("Lowercase") => {
                out.insert("do_lower_case".into(), true.into());
            }
            Some("StripAccents") => {
                out.insert("strip_accents".into(), true.into());
            }
            _ => {}
        }
    }
    Value::Object(out)
}

/// The files `SentenceEmbeddingsBuilder::local` opens, checked up front so
/// that a wrong folder is an error naming the file, not a panic.
fn check_layout(dir: &Path) -> Result<()> {
    ensure!(dir.is_dir(), "{} is not a folder", dir.display());
    let weights = dir.join("rust_model.ot");
    if !weights.is_file() {
        bail!(
            "{} not found: convert the Hugging Face folder first with \
             `recontact model import SRC {}`",
            weights.display(),
            dir.display()
        );
    }
    for f in [
        "config.json",
        "tokenizer_config.json",
        "sentence_bert_config.json",
    ] {
        read_json(&dir.join(f))?;
    }
    let modules = read_json(&dir.join("modules.json"))?;
    for m in modules.as_array().into_iter().flatten() {
        let kind = m.get("type").and_then(Value::as_str).unwrap_or_default();
        let path = m.get("path").and_then(Value::as_str).unwrap_or_default();
        if kind.ends_with(".Pooling") || kind.ends_with(".Dense") {
            read_json(&dir.join(path).join("config.json"))?;
        }
    }
    Ok(())
}

fn read_json(path: &Path) -> Result<Value> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}: not valid JSON", path.display()))
}

fn copy(src: &Path, dest: &Path, rel: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let from = src.join(rel);
    let to = dest.join(rel);
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    fs::copy(&from, &to)
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    files.push(rel.to_path_buf());
    Ok(())
}

fn write_json(dest: &Path, name: &str, value: &Value, files: &mut Vec<PathBuf>) -> Result<()> {
    let path = dest.join(name);
    fs::write(&path, serde_json::to_string_pretty(value)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    files.push(PathBuf::from(name));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::{cosine, CandleEmbedder, DEFAULT_MODEL_DIR};

    fn model_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_MODEL_DIR)
    }

    fn texts(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn key_renames() {
        assert_eq!(
            strip_model_prefix("bert.embeddings.LayerNorm.gamma", "bert."),
            "embeddings.LayerNorm.weight"
        );
        assert_eq!(
            strip_model_prefix("encoder.layer.0.output.dense.bias", ""),
            "encoder.layer.0.output.dense.bias"
        );
        assert_eq!(strip_model_prefix("x.beta", ""), "x.bias");
    }

    #[test]
    fn load_without_import_names_the_command() {
        let tmp = tempfile::tempdir().unwrap();
        let err = RustBertEmbedder::load(tmp.path()).err().unwrap();
        assert!(
            format!("{err:#}").contains("recontact model import"),
            "{err:#}"
        );
    }

    /// Import the default model, then compare with the candle embedder.
    #[test]
    fn imported_model_matches_candle() {
        let src = model_dir();
        assert!(
            crate::embed::model_available(&src),
            "{} missing: run scripts/fetch-model.sh",
            src.display()
        );
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("minilm");
        let report = import_model(&src, &dest).unwrap();
        assert_eq!(report.model_type, "bert");
        assert!(report.tensors > 90, "{report:?}");
        for f in [
            "rust_model.ot",
            "config.json",
            "modules.json",
            "vocab.txt",
            "tokenizer_config.json",
            "sentence_bert_config.json",
            "1_Pooling/config.json",
        ] {
            assert!(dest.join(f).is_file(), "{f} not written");
        }

        let rb = RustBertEmbedder::load(&dest).unwrap();
        assert_eq!(rb.dim(), 384);
        assert_eq!(rb.name(), "rust-bert:minilm");
        // The f32 path: two f32 implementations of one model agree to
        // rounding (the int8 one is held to 0.995 in `transformer`).
        let candle = CandleEmbedder::load_with(
            &src,
            crate::embed::CandleOptions {
                int8: false,
                ..Default::default()
            },
        )
        .unwrap();

        let sentences = texts(&[
            "I was charged twice for my card payment",
            "My card payment went through two times",
            "How do I change my PIN?",
            "The weather in Lisbon is lovely in spring",
            "",
            "Transfer not arrived yet, it has been three days and nobody answers",
        ]);
        let a = rb.embed(&sentences).unwrap();
        let b = candle.embed(&sentences).unwrap();
        assert_eq!(a.len(), sentences.len());
        let mut min_cos = f32::INFINITY;
        for (i, (x, y)) in a.iter().zip(&b).enumerate() {
            let n: f32 = x.iter().map(|v| v * v).sum::<f32>().sqrt();
            assert!((n - 1.0).abs() < 1e-4, "text {i}: norm {n}");
            let c = cosine(x, y);
            assert!(c >= 0.999, "text {i} {:?}: cosine {c}", sentences[i]);
            min_cos = min_cos.min(c);
        }
        println!("rust-bert vs candle: lowest cosine {min_cos:.6}");
        // Paraphrases closer than unrelated sentences.
        assert!(cosine(&a[0], &a[1]) > cosine(&a[0], &a[3]) + 0.2);
        assert!(cosine(&a[0], &a[1]) > cosine(&a[0], &a[2]));

        // Input order and determinism: one text alone gives the same vector.
        let again = rb.embed(&sentences).unwrap();
        assert_eq!(a, again);
        let alone = rb.embed(&sentences[2..3]).unwrap();
        assert!(cosine(&alone[0], &a[2]) > 0.9999);
    }

    /// A bare Hugging Face folder (config, weights, tokenizer.json only):
    /// the import fills in vocab.txt, modules.json, mean pooling and the
    /// configs, and gives the same vectors as the full folder.
    #[test]
    fn import_fills_in_missing_files() {
        let full = model_dir();
        let tmp = tempfile::tempdir().unwrap();
        let bare = tmp.path().join("bare");
        fs::create_dir_all(&bare).unwrap();
        for f in ["config.json", "model.safetensors", "tokenizer.json"] {
            std::os::unix::fs::symlink(full.join(f), bare.join(f)).unwrap();
        }
        let dest = tmp.path().join("out");
        import_model(&bare, &dest).unwrap();
        let from_bare = RustBertEmbedder::load(&dest).unwrap();
        let dest_full = tmp.path().join("full");
        import_model(&full, &dest_full).unwrap();
        let from_full = RustBertEmbedder::load(&dest_full).unwrap();
        let s = texts(&["Where is my refund?", "I lost my card abroad"]);
        let (a, b) = (from_bare.embed(&s).unwrap(), from_full.embed(&s).unwrap());
        for (x, y) in a.iter().zip(&b) {
            assert!(cosine(x, y) > 0.9999);
        }
    }

    /// Throughput on the first 2,000 BANKING77 training texts (the number in
    /// docs/rust-bert.md). Run with
    /// `TCH_THREADS=1 OPENBLAS_NUM_THREADS=2 cargo test --features rust-bert
    /// --lib embed::rustbert -- --ignored --nocapture`.
    #[test]
    #[ignore = "benchmark; needs ../shared/data/banking77/train.csv"]
    fn throughput_banking77() {
        let csv_path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/banking77/train.csv");
        let mut rdr = csv::Reader::from_path(&csv_path).unwrap();
        let col = rdr
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "text")
            .unwrap();
        let texts: Vec<String> = rdr
            .records()
            .take(2000)
            .map(|r| r.unwrap()[col].to_string())
            .collect();
        let tmp = tempfile::tempdir().unwrap();
        import_model(&model_dir(), tmp.path()).unwrap();
        let rb = RustBertEmbedder::load(tmp.path()).unwrap();
        for run in 0..2 {
            let t = std::time::Instant::now();
            let v = rb.embed(&texts).unwrap();
            let secs = t.elapsed().as_secs_f64();
            assert_eq!(v.len(), texts.len());
            println!(
                "run {run}: {} texts in {secs:.2}s = {:.1} texts/s (torch threads {})",
                texts.len(),
                texts.len() as f64 / secs,
                tch::get_num_threads()
            );
        }
    }
}
