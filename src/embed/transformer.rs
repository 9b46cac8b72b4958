//! Sentence-transformers models (BERT family) from a local Hugging Face
//! folder: `config.json`, `tokenizer.json`, `model.safetensors`, and, when
//! present, `modules.json`, `sentence_bert_config.json` and the pooling
//! module's `config.json` (usually `1_Pooling/config.json`).
//!
//! Weights are read with candle. Two forward passes:
//!
//! * [`Backend::Fused`] (default): the whole encoder written out over the
//!   `gemm` crate. Texts are packed back to back (no padding tokens at all),
//!   so the linear layers see one tall matrix per batch and attention runs
//!   per text. Batches are cut by a token budget in input order and run one
//!   per rayon worker with single-threaded GEMMs; that beats threading inside
//!   each GEMM at these sizes.
//! * [`Backend::Candle`]: candle-transformers' `BertModel` /
//!   `XLMRobertaModel` on length-sorted, padded batches. Slower; kept as the
//!   reference the fused pass is tested against.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use candle_core::{DType, Device, Tensor};
use rayon::prelude::*;
use serde::Deserialize;
use tokenizers::{Tokenizer, TruncationParams};

use super::kernels;
use super::profile::ModelProfile;
use super::{l2_normalize, Embedder};

/// Which forward pass [`CandleEmbedder`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Hand-fused encoder over `gemm`, token-packed batches (fast).
    Fused,
    /// candle-transformers' model on padded batches (reference).
    Candle,
}

/// How token vectors become one text vector (sentence-transformers'
/// `Pooling` module). Several modes are concatenated in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooling {
    /// The first token (`[CLS]` / `<s>`).
    Cls,
    /// Element-wise maximum over tokens.
    Max,
    /// Mean over tokens.
    Mean,
    /// Sum over tokens divided by √(number of tokens).
    MeanSqrtLen,
}

/// Settings for [`CandleEmbedder::load_with`].
#[derive(Debug, Clone, PartialEq)]
pub struct CandleOptions {
    pub backend: Backend,
    /// Fused backend: most tokens packed into one batch (a longer text gets
    /// a batch of its own).
    pub batch_tokens: usize,
    /// Candle backend: texts per padded batch.
    pub batch_size: usize,
    /// Candle backend: run batches in parallel on rayon (candle single
    /// threaded per batch) instead of one at a time with candle's own
    /// threading.
    pub candle_parallel_batches: bool,
    /// Override of the model's maximum sequence length (tokens, including
    /// special tokens); longer texts are truncated.
    pub max_seq_length: Option<usize>,
}

impl Default for CandleOptions {
    fn default() -> Self {
        Self {
            backend: Backend::Fused,
            batch_tokens: 512,
            batch_size: 32,
            candle_parallel_batches: false,
            max_seq_length: None,
        }
    }
}

/// A transformer sentence-embedding model; see the module docs.
pub struct CandleEmbedder {
    name: String,
    tokenizer: Tokenizer,
    /// Where the candle backend computes (the fused one is always CPU).
    device: Device,
    pooling: Vec<Pooling>,
    hidden: usize,
    max_seq_length: usize,
    normalize_module: bool,
    opts: CandleOptions,
    model: Model,
    /// Text prefix and calibrated thresholds from the model folder.
    profile: ModelProfile,
}

enum Model {
    Fused(Box<FusedModel>),
    CandleBert(Box<candle_transformers::models::bert::BertModel>),
    CandleXlmr(Box<candle_transformers::models::xlm_roberta::XLMRobertaModel>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arch {
    Bert,
    /// RoBERTa / XLM-RoBERTa: positions start after the padding id.
    Roberta,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Gelu,
    GeluTanh,
    Relu,
}

#[derive(Debug, Deserialize)]
struct HfConfig {
    model_type: Option<String>,
    vocab_size: usize,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    #[serde(default = "default_act")]
    hidden_act: String,
    max_position_embeddings: usize,
    #[serde(default = "default_type_vocab")]
    type_vocab_size: usize,
    #[serde(default = "default_eps")]
    layer_norm_eps: f64,
    #[serde(default)]
    pad_token_id: Option<usize>,
    #[serde(default)]
    position_embedding_type: Option<String>,
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

#[derive(Debug, Deserialize, Default)]
struct PoolingConfig {
    #[serde(default)]
    pooling_mode_cls_token: bool,
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
    #[serde(default)]
    pooling_mode_max_tokens: bool,
    #[serde(default)]
    pooling_mode_mean_sqrt_len_tokens: bool,
    #[serde(default)]
    pooling_mode_weightedmean_tokens: bool,
    #[serde(default)]
    pooling_mode_lasttoken: bool,
    #[serde(default)]
    word_embedding_dimension: Option<usize>,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid for this model", path.display()))
}

/// Reads the sentence-transformers module list: returns the pooling config
/// path (if any) and whether a Normalize module follows.
fn read_modules(dir: &Path) -> anyhow::Result<(Option<PathBuf>, bool)> {
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

fn read_pooling(path: Option<&Path>, hidden: usize) -> anyhow::Result<Vec<Pooling>> {
    let Some(path) = path else {
        return Ok(vec![Pooling::Mean]);
    };
    if !path.is_file() {
        bail!("{} is listed in modules.json but missing", path.display());
    }
    let c: PoolingConfig = read_json(path)?;
    if c.pooling_mode_weightedmean_tokens || c.pooling_mode_lasttoken {
        bail!(
            "{}: weighted-mean and last-token pooling are not supported (cls, mean, max and mean_sqrt_len are)",
            path.display()
        );
    }
    if let Some(d) = c.word_embedding_dimension {
        if d != hidden {
            bail!(
                "{}: word_embedding_dimension {d} differs from config.json hidden_size {hidden}",
                path.display()
            );
        }
    }
    let mut modes = Vec::new();
    if c.pooling_mode_cls_token {
        modes.push(Pooling::Cls);
    }
    if c.pooling_mode_max_tokens {
        modes.push(Pooling::Max);
    }
    if c.pooling_mode_mean_tokens {
        modes.push(Pooling::Mean);
    }
    if c.pooling_mode_mean_sqrt_len_tokens {
        modes.push(Pooling::MeanSqrtLen);
    }
    if modes.is_empty() {
        bail!("{}: no pooling mode is switched on", path.display());
    }
    Ok(modes)
}

fn read_max_seq_length(dir: &Path) -> anyhow::Result<Option<usize>> {
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

impl CandleEmbedder {
    /// Loads a model folder with default options (fused backend).
    /// Loads a model folder with the default options: the fused CPU
    /// encoder, or, in a build with `--features cuda` on a machine with a
    /// CUDA GPU, candle's encoder on GPU 0 with large padded batches.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let opts = if candle_core::utils::cuda_is_available() {
            CandleOptions {
                backend: Backend::Candle,
                batch_size: 512,
                ..CandleOptions::default()
            }
        } else {
            CandleOptions::default()
        };
        Self::load_with(dir, opts)
    }

    /// Loads a model folder. Errors name the file that is missing or wrong.
    pub fn load_with(dir: &Path, opts: CandleOptions) -> anyhow::Result<Self> {
        anyhow::ensure!(
            opts.batch_tokens > 0 && opts.batch_size > 0,
            "batch sizes must be positive"
        );
        if !dir.is_dir() {
            bail!(
                "model folder {} does not exist (run scripts/fetch-model.sh to fetch the default model)",
                dir.display()
            );
        }
        let config_path = dir.join("config.json");
        let cfg: HfConfig = read_json(&config_path)?;
        let model_type = cfg.model_type.clone().unwrap_or_else(|| "bert".into());
        let arch = match model_type.as_str() {
            "bert" => Arch::Bert,
            "xlm-roberta" | "roberta" => Arch::Roberta,
            other => bail!(
                "{}: model_type {other:?} is not supported (bert, roberta and xlm-roberta are)",
                config_path.display()
            ),
        };
        let act = match cfg.hidden_act.as_str() {
            "gelu" => Act::Gelu,
            "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast" => Act::GeluTanh,
            "relu" => Act::Relu,
            other => bail!(
                "{}: hidden_act {other:?} is not supported",
                config_path.display()
            ),
        };
        if let Some(p) = &cfg.position_embedding_type {
            if p != "absolute" {
                bail!(
                    "{}: position_embedding_type {p:?} is not supported (absolute is)",
                    config_path.display()
                );
            }
        }
        if cfg.num_attention_heads == 0 || cfg.hidden_size % cfg.num_attention_heads != 0 {
            bail!(
                "{}: hidden_size {} is not a multiple of num_attention_heads {}",
                config_path.display(),
                cfg.hidden_size,
                cfg.num_attention_heads
            );
        }
        let pad_id = cfg
            .pad_token_id
            .unwrap_or(if arch == Arch::Roberta { 1 } else { 0 });
        let pos_offset = if arch == Arch::Roberta { pad_id + 1 } else { 0 };
        let max_positions = cfg.max_position_embeddings.saturating_sub(pos_offset);
        if max_positions < 3 {
            bail!(
                "{}: max_position_embeddings is too small",
                config_path.display()
            );
        }

        let profile = ModelProfile::read(dir)?;
        let (pooling_path, normalize_module) = read_modules(dir)?;
        let pooling = read_pooling(pooling_path.as_deref(), cfg.hidden_size)?;
        let max_seq_length = opts
            .max_seq_length
            .or(read_max_seq_length(dir)?)
            .unwrap_or(512)
            .min(max_positions)
            .max(3);

        let tok_path = dir.join("tokenizer.json");
        if !tok_path.is_file() {
            bail!("{} is missing", tok_path.display());
        }
        let mut tokenizer = Tokenizer::from_file(&tok_path)
            .map_err(|e| anyhow!("{}: cannot load tokenizer: {e}", tok_path.display()))?;
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_seq_length,
                ..Default::default()
            }))
            .map_err(|e| anyhow!("{}: cannot set truncation: {e}", tok_path.display()))?;
        let tok_vocab = tokenizer.get_vocab_size(true);
        if tok_vocab > cfg.vocab_size {
            bail!(
                "{} has {tok_vocab} tokens but config.json vocab_size is {}: tokenizer and model do not match",
                tok_path.display(),
                cfg.vocab_size
            );
        }

        let weights_path = dir.join("model.safetensors");
        if !weights_path.is_file() {
            bail!(
                "{} is missing (only safetensors weights are read; run scripts/fetch-model.sh for the default model)",
                weights_path.display()
            );
        }
        // Only the candle backend can run on a GPU (`--features cuda`); the
        // fused encoder is CPU code.
        let device = match opts.backend {
            Backend::Candle if candle_core::utils::cuda_is_available() => {
                Device::new_cuda(0).map_err(|e| anyhow!("cannot open CUDA device 0: {e}"))?
            }
            _ => Device::Cpu,
        };
        let tensors = candle_core::safetensors::load(&weights_path, &Device::Cpu)
            .map_err(|e| anyhow!("{}: cannot read safetensors: {e}", weights_path.display()))?;

        let model = match opts.backend {
            Backend::Fused => Model::Fused(Box::new(FusedModel::from_tensors(
                &tensors,
                &cfg,
                act,
                pos_offset,
                &weights_path,
            )?)),
            Backend::Candle => {
                load_candle_model(tensors, &config_path, &weights_path, arch, &device)?
            }
        };
        let name = format!(
            "candle:{}{}",
            dir.file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "model".into()),
            if device.is_cuda() { " (cuda)" } else { "" }
        );
        Ok(Self {
            name,
            tokenizer,
            device,
            hidden: cfg.hidden_size,
            pooling,
            max_seq_length,
            normalize_module,
            opts,
            model,
            profile,
        })
    }

    /// What the model folder says beyond Hugging Face's files (prefix,
    /// calibrated thresholds).
    pub fn profile(&self) -> &ModelProfile {
        &self.profile
    }

    /// Pooling modes read from the model folder (concatenated in order).
    pub fn pooling(&self) -> &[Pooling] {
        &self.pooling
    }

    /// Maximum tokens per text (longer texts are truncated).
    pub fn max_seq_length(&self) -> usize {
        self.max_seq_length
    }

    /// Whether modules.json lists a Normalize module. Output is always
    /// L2-normalised (the [`Embedder`] contract); this is informational.
    pub fn has_normalize_module(&self) -> bool {
        self.normalize_module
    }

    pub fn options(&self) -> &CandleOptions {
        &self.opts
    }

    /// Token ids per text (the model's prefix and special tokens added,
    /// truncated), in input order.
    pub fn tokenize(&self, texts: &[String]) -> anyhow::Result<Vec<Vec<u32>>> {
        // E5-style models were trained with a prefix on every input; without
        // it their vectors are off. Models without one borrow the text as is.
        let inputs: Vec<std::borrow::Cow<'_, str>> =
            texts.iter().map(|t| self.profile.apply(t)).collect();
        let enc = self
            .tokenizer
            .encode_batch(inputs, true)
            .map_err(|e| anyhow!("tokenizer failed: {e}"))?;
        Ok(enc.into_iter().map(|e| e.get_ids().to_vec()).collect())
    }

    fn embed_ids(&self, ids: &[Vec<u32>]) -> anyhow::Result<Vec<Vec<f32>>> {
        match &self.model {
            Model::Fused(m) => {
                // Cut batches by token budget, in input order.
                let mut batches: Vec<std::ops::Range<usize>> = Vec::new();
                let mut start = 0;
                let mut tokens = 0;
                for (i, t) in ids.iter().enumerate() {
                    if i > start && tokens + t.len() > self.opts.batch_tokens {
                        batches.push(start..i);
                        start = i;
                        tokens = 0;
                    }
                    tokens += t.len();
                }
                if start < ids.len() {
                    batches.push(start..ids.len());
                }
                let out: Vec<Vec<Vec<f32>>> = batches
                    .par_iter()
                    .map(|r| m.forward(&ids[r.clone()], &self.pooling))
                    .collect::<anyhow::Result<_>>()?;
                Ok(out.into_iter().flatten().collect())
            }
            Model::CandleBert(_) | Model::CandleXlmr(_) => self.embed_ids_candle(ids),
        }
    }

    fn embed_ids_candle(&self, ids: &[Vec<u32>]) -> anyhow::Result<Vec<Vec<f32>>> {
        // Longest first, so each batch pads little; results go back in input order.
        let mut order: Vec<usize> = (0..ids.len()).collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(ids[i].len()), i));
        let batches: Vec<&[usize]> = order.chunks(self.opts.batch_size).collect();
        let run = |b: &&[usize]| self.candle_batch(ids, b);
        let results: Vec<Vec<Vec<f32>>> = if self.opts.candle_parallel_batches {
            batches.par_iter().map(run).collect::<anyhow::Result<_>>()?
        } else {
            batches.iter().map(run).collect::<anyhow::Result<_>>()?
        };
        let mut out = vec![Vec::new(); ids.len()];
        for (b, r) in batches.iter().zip(results) {
            for (&i, v) in b.iter().zip(r) {
                out[i] = v;
            }
        }
        Ok(out)
    }

    fn candle_batch(&self, ids: &[Vec<u32>], batch: &[usize]) -> anyhow::Result<Vec<Vec<f32>>> {
        let len = batch
            .iter()
            .map(|&i| ids[i].len())
            .max()
            .unwrap_or(0)
            .max(1);
        let pad = match &self.model {
            Model::CandleXlmr(_) => 1u32,
            _ => 0u32,
        };
        let mut flat = Vec::with_capacity(batch.len() * len);
        let mut mask = Vec::with_capacity(batch.len() * len);
        for &i in batch {
            let t = &ids[i];
            flat.extend_from_slice(t);
            flat.extend(std::iter::repeat(pad).take(len - t.len()));
            mask.extend(std::iter::repeat(1u32).take(t.len()));
            mask.extend(std::iter::repeat(0u32).take(len - t.len()));
        }
        let dev = &self.device;
        let input = Tensor::from_vec(flat, (batch.len(), len), dev)?;
        let mask_t = Tensor::from_vec(mask, (batch.len(), len), dev)?;
        let types = input.zeros_like()?;
        let hidden = match &self.model {
            Model::CandleBert(m) => m.forward(&input, &types, Some(&mask_t))?,
            Model::CandleXlmr(m) => m.forward(&input, &mask_t, &types, None, None, None)?,
            Model::Fused(_) => bail!("internal: candle batch on fused model"),
        };
        let hidden: Vec<Vec<Vec<f32>>> = hidden.to_dtype(DType::F32)?.to_vec3()?;
        Ok(batch
            .iter()
            .zip(hidden)
            .map(|(&i, rows)| {
                let n = ids[i].len();
                let flat: Vec<f32> = rows.into_iter().take(n).flatten().collect();
                pool(&flat, n, self.hidden, &self.pooling)
            })
            .collect())
    }
}

fn load_candle_model(
    tensors: HashMap<String, Tensor>,
    config_path: &Path,
    weights_path: &Path,
    arch: Arch,
    device: &Device,
) -> anyhow::Result<Model> {
    let mut json: serde_json::Value = read_json(config_path)?;
    // Newer transformers versions leave out fields candle requires.
    if let Some(obj) = json.as_object_mut() {
        for (key, value) in [
            ("position_embedding_type", serde_json::json!("absolute")),
            ("attention_probs_dropout_prob", serde_json::json!(0.0)),
            ("hidden_dropout_prob", serde_json::json!(0.0)),
            ("initializer_range", serde_json::json!(0.02)),
            ("type_vocab_size", serde_json::json!(2)),
            ("layer_norm_eps", serde_json::json!(1e-12)),
            (
                "pad_token_id",
                serde_json::json!(if arch == Arch::Roberta { 1 } else { 0 }),
            ),
        ] {
            obj.entry(key).or_insert(value);
        }
    }
    let vb = candle_nn::VarBuilder::from_tensors(tensors, DType::F32, device);
    Ok(match arch {
        Arch::Bert => {
            let c: candle_transformers::models::bert::Config = serde_json::from_value(json)
                .with_context(|| {
                    format!(
                        "{} is not a BERT config candle can read",
                        config_path.display()
                    )
                })?;
            let m = candle_transformers::models::bert::BertModel::load(vb, &c)
                .map_err(|e| anyhow!("{}: {e}", weights_path.display()))?;
            Model::CandleBert(Box::new(m))
        }
        Arch::Roberta => {
            let c: candle_transformers::models::xlm_roberta::Config = serde_json::from_value(json)
                .with_context(|| {
                    format!(
                        "{} is not an XLM-RoBERTa config candle can read",
                        config_path.display()
                    )
                })?;
            let vb = if vb.contains_tensor("roberta.embeddings.word_embeddings.weight") {
                vb.pp("roberta")
            } else {
                vb
            };
            let m = candle_transformers::models::xlm_roberta::XLMRobertaModel::new(&c, vb)
                .map_err(|e| anyhow!("{}: {e}", weights_path.display()))?;
            Model::CandleXlmr(Box::new(m))
        }
    })
}

/// Pools `n` token rows (`hidden` wide, row-major in `x`) and L2-normalises.
#[inline(always)]
fn pool(x: &[f32], n: usize, hidden: usize, modes: &[Pooling]) -> Vec<f32> {
    if n == 0 || x.len() < n * hidden {
        return vec![0.0; hidden * modes.len()];
    }
    let mut out = Vec::with_capacity(hidden * modes.len());
    for mode in modes {
        let start = out.len();
        match mode {
            Pooling::Cls => out.extend_from_slice(&x[..hidden]),
            Pooling::Max => {
                out.extend_from_slice(&x[..hidden]);
                for r in 1..n {
                    for (o, v) in out[start..]
                        .iter_mut()
                        .zip(&x[r * hidden..(r + 1) * hidden])
                    {
                        *o = o.max(*v);
                    }
                }
            }
            Pooling::Mean | Pooling::MeanSqrtLen => {
                out.resize(start + hidden, 0.0);
                for r in 0..n {
                    kernels::axpy(&mut out[start..], 1.0, &x[r * hidden..(r + 1) * hidden]);
                }
                let div = if *mode == Pooling::Mean {
                    n as f32
                } else {
                    (n as f32).sqrt()
                };
                out[start..].iter_mut().for_each(|v| *v /= div.max(1.0));
            }
        }
    }
    l2_normalize(&mut out);
    out
}

impl Embedder for CandleEmbedder {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn dim(&self) -> usize {
        self.hidden * self.pooling.len()
    }

    /// Tokenises in parallel, then embeds. With the fused backend the result
    /// for a text can differ in the last bits depending on which texts share
    /// its batch (GEMM blocking), but the same input list always gives the
    /// same output.
    ///
    /// Each distinct text is embedded once: contact centres repeat
    /// themselves (templated notes, "where is my refund"), and a text's
    /// vector does not depend on how often it occurs.
    fn embed(&self, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let mut first: std::collections::HashMap<&str, usize> =
            std::collections::HashMap::with_capacity(texts.len());
        let mut distinct: Vec<String> = Vec::new();
        let slot: Vec<usize> = texts
            .iter()
            .map(|t| {
                *first.entry(t.as_str()).or_insert_with(|| {
                    distinct.push(t.clone());
                    distinct.len() - 1
                })
            })
            .collect();
        let ids = self.tokenize(&distinct)?;
        let vectors = self.embed_ids(&ids)?;
        if distinct.len() == texts.len() {
            return Ok(vectors);
        }
        Ok(slot.into_iter().map(|k| vectors[k].clone()).collect())
    }
}

struct FusedLayer {
    /// Query, key and value projections side by side: `[hidden, 3·hidden]`.
    w_qkv: Vec<f32>,
    b_qkv: Vec<f32>,
    w_o: Vec<f32>,
    b_o: Vec<f32>,
    ln1_g: Vec<f32>,
    ln1_b: Vec<f32>,
    /// `[hidden, intermediate]`.
    w_i: Vec<f32>,
    b_i: Vec<f32>,
    /// `[intermediate, hidden]`.
    w_out: Vec<f32>,
    b_out: Vec<f32>,
    ln2_g: Vec<f32>,
    ln2_b: Vec<f32>,
}

struct FusedModel {
    hidden: usize,
    heads: usize,
    inter: usize,
    eps: f32,
    act: Act,
    vocab: usize,
    max_pos: usize,
    pos_offset: usize,
    word: Vec<f32>,
    pos: Vec<f32>,
    type0: Vec<f32>,
    emb_ln_g: Vec<f32>,
    emb_ln_b: Vec<f32>,
    layers: Vec<FusedLayer>,
}

/// Reads tensors by name (under an optional `bert.` / `roberta.` prefix),
/// checking shapes, as f32.
struct WeightReader<'a> {
    tensors: &'a HashMap<String, Tensor>,
    prefix: String,
    file: &'a Path,
}

impl WeightReader<'_> {
    fn get(&self, name: &str, shape: &[usize]) -> anyhow::Result<Vec<f32>> {
        let full = format!("{}{name}", self.prefix);
        let t = self
            .tensors
            .get(&full)
            .ok_or_else(|| anyhow!("{} lacks tensor {full}", self.file.display()))?;
        if t.dims() != shape {
            bail!(
                "{}: tensor {full} has shape {:?}, expected {:?} from config.json",
                self.file.display(),
                t.dims(),
                shape
            );
        }
        let v = t
            .to_dtype(DType::F32)
            .and_then(|t| t.flatten_all())
            .and_then(|t| t.to_vec1::<f32>())
            .map_err(|e| anyhow!("{}: tensor {full}: {e}", self.file.display()))?;
        if v.iter().any(|x| !x.is_finite()) {
            bail!(
                "{}: tensor {full} holds NaN or infinite values",
                self.file.display()
            );
        }
        Ok(v)
    }

    /// A PyTorch `Linear` weight `[out, in]`, returned transposed `[in, out]`.
    fn linear_t(&self, name: &str, out_dim: usize, in_dim: usize) -> anyhow::Result<Vec<f32>> {
        let w = self.get(name, &[out_dim, in_dim])?;
        let mut t = vec![0f32; w.len()];
        for o in 0..out_dim {
            for i in 0..in_dim {
                t[i * out_dim + o] = w[o * in_dim + i];
            }
        }
        Ok(t)
    }
}

impl FusedModel {
    fn from_tensors(
        tensors: &HashMap<String, Tensor>,
        cfg: &HfConfig,
        act: Act,
        pos_offset: usize,
        file: &Path,
    ) -> anyhow::Result<Self> {
        let prefix = ["", "bert.", "roberta.", "model."]
            .into_iter()
            .find(|p| tensors.contains_key(&format!("{p}embeddings.word_embeddings.weight")))
            .ok_or_else(|| {
                anyhow!(
                    "{} lacks tensor embeddings.word_embeddings.weight",
                    file.display()
                )
            })?;
        let r = WeightReader {
            tensors,
            prefix: prefix.to_string(),
            file,
        };
        let (h, i, v) = (cfg.hidden_size, cfg.intermediate_size, cfg.vocab_size);
        let types = r.get(
            "embeddings.token_type_embeddings.weight",
            &[cfg.type_vocab_size, h],
        )?;
        let mut layers = Vec::with_capacity(cfg.num_hidden_layers);
        for l in 0..cfg.num_hidden_layers {
            let p = format!("encoder.layer.{l}.");
            let q = r.linear_t(&format!("{p}attention.self.query.weight"), h, h)?;
            let k = r.linear_t(&format!("{p}attention.self.key.weight"), h, h)?;
            let vv = r.linear_t(&format!("{p}attention.self.value.weight"), h, h)?;
            let mut w_qkv = vec![0f32; h * 3 * h];
            for row in 0..h {
                let dst = &mut w_qkv[row * 3 * h..(row + 1) * 3 * h];
                dst[..h].copy_from_slice(&q[row * h..(row + 1) * h]);
                dst[h..2 * h].copy_from_slice(&k[row * h..(row + 1) * h]);
                dst[2 * h..].copy_from_slice(&vv[row * h..(row + 1) * h]);
            }
            let mut b_qkv = r.get(&format!("{p}attention.self.query.bias"), &[h])?;
            b_qkv.extend(r.get(&format!("{p}attention.self.key.bias"), &[h])?);
            b_qkv.extend(r.get(&format!("{p}attention.self.value.bias"), &[h])?);
            layers.push(FusedLayer {
                w_qkv,
                b_qkv,
                w_o: r.linear_t(&format!("{p}attention.output.dense.weight"), h, h)?,
                b_o: r.get(&format!("{p}attention.output.dense.bias"), &[h])?,
                ln1_g: r.get(&format!("{p}attention.output.LayerNorm.weight"), &[h])?,
                ln1_b: r.get(&format!("{p}attention.output.LayerNorm.bias"), &[h])?,
                w_i: r.linear_t(&format!("{p}intermediate.dense.weight"), i, h)?,
                b_i: r.get(&format!("{p}intermediate.dense.bias"), &[i])?,
                w_out: r.linear_t(&format!("{p}output.dense.weight"), h, i)?,
                b_out: r.get(&format!("{p}output.dense.bias"), &[h])?,
                ln2_g: r.get(&format!("{p}output.LayerNorm.weight"), &[h])?,
                ln2_b: r.get(&format!("{p}output.LayerNorm.bias"), &[h])?,
            });
        }
        Ok(Self {
            hidden: h,
            heads: cfg.num_attention_heads,
            inter: i,
            eps: cfg.layer_norm_eps as f32,
            act,
            vocab: v,
            max_pos: cfg.max_position_embeddings,
            pos_offset,
            word: r.get("embeddings.word_embeddings.weight", &[v, h])?,
            pos: r.get(
                "embeddings.position_embeddings.weight",
                &[cfg.max_position_embeddings, h],
            )?,
            type0: types[..h].to_vec(),
            emb_ln_g: r.get("embeddings.LayerNorm.weight", &[h])?,
            emb_ln_b: r.get("embeddings.LayerNorm.bias", &[h])?,
            layers,
        })
    }

    /// Embeds one packed batch of token-id sequences. The element-wise
    /// parts are compiled twice, for AVX2+FMA and for the baseline, and the
    /// variant is picked at run time (the GEMMs dispatch on their own).
    fn forward(&self, seqs: &[Vec<u32>], pooling: &[Pooling]) -> anyhow::Result<Vec<Vec<f32>>> {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports the features the variant is built for.
            return unsafe { self.forward_avx2(seqs, pooling) };
        }
        self.forward_impl(seqs, pooling)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn forward_avx2(
        &self,
        seqs: &[Vec<u32>],
        pooling: &[Pooling],
    ) -> anyhow::Result<Vec<Vec<f32>>> {
        self.forward_impl(seqs, pooling)
    }

    #[inline(always)]
    fn forward_impl(
        &self,
        seqs: &[Vec<u32>],
        pooling: &[Pooling],
    ) -> anyhow::Result<Vec<Vec<f32>>> {
        let h = self.hidden;
        let h3 = 3 * h;
        let inter = self.inter;
        let d = h / self.heads;
        let scale = 1.0 / (d as f32).sqrt();
        // Empty encodings cannot happen with special tokens, but stay safe.
        let lens: Vec<usize> = seqs.iter().map(|s| s.len()).collect();
        let total: usize = lens.iter().sum();
        let max_len = lens.iter().copied().max().unwrap_or(0);
        if total == 0 {
            return Ok(vec![vec![0.0; h * pooling.len()]; seqs.len()]);
        }
        let mut x = vec![0f32; total * h];
        let mut row = 0;
        for s in seqs {
            for (p, &id) in s.iter().enumerate() {
                let id = id as usize;
                if id >= self.vocab {
                    bail!("token id {id} is outside the model's vocabulary ({}): tokenizer.json and model.safetensors do not match", self.vocab);
                }
                let pos = self.pos_offset + p;
                if pos >= self.max_pos {
                    bail!(
                        "text of {} tokens is longer than the model's {} positions",
                        s.len(),
                        self.max_pos
                    );
                }
                let dst = &mut x[row * h..(row + 1) * h];
                let w = &self.word[id * h..(id + 1) * h];
                let pe = &self.pos[pos * h..(pos + 1) * h];
                for c in 0..h {
                    dst[c] = w[c] + pe[c] + self.type0[c];
                }
                kernels::layer_norm(dst, &self.emb_ln_g, &self.emb_ln_b, self.eps);
                row += 1;
            }
        }
        let mut qkv = vec![0f32; total * h3];
        let mut ctx = vec![0f32; total * h];
        let mut h1 = vec![0f32; total * h];
        let mut mid = vec![0f32; total * inter];
        let mut scores = vec![0f32; max_len * max_len];
        for layer in &self.layers {
            for r in qkv.chunks_exact_mut(h3) {
                r.copy_from_slice(&layer.b_qkv);
            }
            kernels::matmul(&mut qkv, &x, &layer.w_qkv, total, h, h3, true);
            let mut start = 0;
            for &len in &lens {
                attention(
                    &qkv[start * h3..(start + len) * h3],
                    &mut ctx[start * h..(start + len) * h],
                    len,
                    h,
                    self.heads,
                    scale,
                    &mut scores,
                );
                start += len;
            }
            h1.copy_from_slice(&x);
            kernels::matmul(&mut h1, &ctx, &layer.w_o, total, h, h, true);
            for r in h1.chunks_exact_mut(h) {
                kernels::bias_layer_norm(r, &layer.b_o, &layer.ln1_g, &layer.ln1_b, self.eps);
            }
            kernels::matmul(&mut mid, &h1, &layer.w_i, total, h, inter, false);
            for r in mid.chunks_exact_mut(inter) {
                match self.act {
                    Act::Gelu => kernels::bias_gelu(r, &layer.b_i),
                    Act::GeluTanh => kernels::bias_gelu_tanh(r, &layer.b_i),
                    Act::Relu => kernels::bias_relu(r, &layer.b_i),
                }
            }
            x.copy_from_slice(&h1);
            kernels::matmul(&mut x, &mid, &layer.w_out, total, inter, h, true);
            for r in x.chunks_exact_mut(h) {
                kernels::bias_layer_norm(r, &layer.b_out, &layer.ln2_g, &layer.ln2_b, self.eps);
            }
        }
        let mut out = Vec::with_capacity(seqs.len());
        let mut start = 0;
        for &len in &lens {
            if len == 0 {
                out.push(vec![0.0; h * pooling.len()]);
                continue;
            }
            out.push(pool(&x[start * h..(start + len) * h], len, h, pooling));
            start += len;
        }
        Ok(out)
    }
}

/// Self-attention of one text: `qkv` is `[len, 3·hidden]` (query, key,
/// value side by side, heads contiguous inside each), `ctx` is `[len, hidden]`.
#[inline(always)]
fn attention(
    qkv: &[f32],
    ctx: &mut [f32],
    len: usize,
    h: usize,
    heads: usize,
    scale: f32,
    scores: &mut [f32],
) {
    let h3 = 3 * h;
    let d = h / heads;
    if len >= kernels::ATTENTION_GEMM_MIN_LEN {
        for head in 0..heads {
            let q = &qkv[head * d..];
            let k = &qkv[h + head * d..];
            let v = &qkv[2 * h + head * d..];
            let s = &mut scores[..len * len];
            // S = Q Kᵀ (scaled), softmax by row, C = S V.
            kernels::matmul_strided(s, len, 1, q, h3, 1, k, 1, h3, len, d, len, false, scale);
            for r in s.chunks_exact_mut(len) {
                kernels::softmax(r);
            }
            kernels::matmul_strided(
                &mut ctx[head * d..],
                h,
                1,
                s,
                len,
                1,
                v,
                h3,
                1,
                len,
                len,
                d,
                false,
                1.0,
            );
        }
        return;
    }
    for head in 0..heads {
        let s = &mut scores[..len];
        for i in 0..len {
            let q = &qkv[i * h3 + head * d..i * h3 + head * d + d];
            for (j, sj) in s.iter_mut().enumerate() {
                let k = &qkv[j * h3 + h + head * d..j * h3 + h + head * d + d];
                *sj = kernels::dot(q, k) * scale;
            }
            kernels::softmax(s);
            let c = &mut ctx[i * h + head * d..i * h + head * d + d];
            c.fill(0.0);
            for (j, &p) in s.iter().enumerate() {
                let v = &qkv[j * h3 + 2 * h + head * d..j * h3 + 2 * h + head * d + d];
                kernels::axpy(c, p, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(super::super::DEFAULT_MODEL_DIR)
    }

    /// The model folder, or `None` (with a note) when it is absent and not
    /// required. `RECONTACT_REQUIRE_MODEL=1` turns absence into a failure.
    fn model_or_skip() -> Option<PathBuf> {
        let dir = model_dir();
        if super::super::model_available(&dir) {
            return Some(dir);
        }
        if std::env::var("RECONTACT_REQUIRE_MODEL").is_ok_and(|v| v == "1") {
            panic!(
                "RECONTACT_REQUIRE_MODEL=1 but {} has no model (run scripts/fetch-model.sh)",
                dir.display()
            );
        }
        eprintln!(
            "note: skipping: no model at {} (run scripts/fetch-model.sh)",
            dir.display()
        );
        None
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn pooling_modes() {
        // Two tokens, hidden 2.
        let x = [1.0, 0.0, 3.0, 4.0];
        let mean = pool(&x, 2, 2, &[Pooling::Mean]);
        assert!((mean[0] - 2.0 / 8f32.sqrt()).abs() < 1e-6);
        let cls = pool(&x, 2, 2, &[Pooling::Cls]);
        assert_eq!(cls, vec![1.0, 0.0]);
        let max = pool(&x, 2, 2, &[Pooling::Max, Pooling::Cls]);
        assert_eq!(max.len(), 4);
    }

    #[test]
    fn missing_files_are_named() {
        let tmp = std::env::temp_dir().join(format!("recontact-embed-test-{}", std::process::id()));
        std::fs::create_dir_all(&tmp).expect("tmp dir");
        let err = CandleEmbedder::load(&tmp)
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(err.contains("config.json"), "{err}");
        std::fs::write(tmp.join("config.json"), "{not json").expect("write");
        let err = CandleEmbedder::load(&tmp)
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(err.contains("config.json"), "{err}");
        let _ = std::fs::remove_dir_all(&tmp);
        let err = CandleEmbedder::load(Path::new("/nonexistent/model"))
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(err.contains("fetch-model.sh"), "{err}");
    }

    #[test]
    fn minilm_paraphrases_closer() {
        let Some(dir) = model_or_skip() else { return };
        let e = CandleEmbedder::load(&dir).expect("load model");
        assert_eq!(e.dim(), 384);
        assert_eq!(e.name(), "candle:all-MiniLM-L6-v2");
        assert_eq!(e.pooling(), &[Pooling::Mean]);
        assert_eq!(e.max_seq_length(), 256);
        let texts = s(&[
            "My card has not arrived yet.",
            "I am still waiting for my new card to be delivered.",
            "How do I reset my online banking password?",
            "I forgot my password and cannot log in.",
            "What is the exchange rate for euros?",
        ]);
        let v = e.embed(&texts).expect("embed");
        assert_eq!(v.len(), 5);
        for x in &v {
            assert_eq!(x.len(), 384);
            let norm: f32 = x.iter().map(|a| a * a).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-4);
        }
        let c = |a: usize, b: usize| crate::embed::cosine(&v[a], &v[b]);
        assert!(
            c(0, 1) > c(0, 2) + 0.2 && c(0, 1) > c(0, 4) + 0.2,
            "{} {} {}",
            c(0, 1),
            c(0, 2),
            c(0, 4)
        );
        assert!(c(2, 3) > c(2, 0) + 0.2 && c(2, 3) > c(2, 4) + 0.2);
        assert_eq!(v, e.embed(&texts).expect("again"), "deterministic");
    }

    #[test]
    fn fused_matches_candle_reference() {
        let Some(dir) = model_or_skip() else { return };
        let fused = CandleEmbedder::load(&dir).expect("load fused");
        let reference = CandleEmbedder::load_with(
            &dir,
            CandleOptions {
                backend: Backend::Candle,
                ..Default::default()
            },
        )
        .expect("load candle");
        // Mixed lengths, one past max_seq_length (truncated), one empty, and
        // one long enough for the GEMM attention path.
        let long = "please help me with my account ".repeat(80);
        let medium = "my card was charged twice for the same purchase at the shop ".repeat(3);
        let texts = vec![
            "hi".to_string(),
            String::new(),
            "Why was I charged a fee for a transfer?".to_string(),
            long,
            medium,
            "我的银行卡还没有到".to_string(),
        ];
        let a = fused.embed(&texts).expect("fused");
        let b = reference.embed(&texts).expect("candle");
        for (i, (x, y)) in a.iter().zip(&b).enumerate() {
            let c = crate::embed::cosine(x, y);
            assert!(c > 0.9999, "text {i}: cosine {c}");
        }
        // Batching must not change results beyond rounding.
        let single = CandleEmbedder::load_with(
            &dir,
            CandleOptions {
                batch_tokens: 1,
                ..Default::default()
            },
        )
        .expect("load");
        let one_by_one = single.embed(&texts).expect("single");
        for (x, y) in a.iter().zip(&one_by_one) {
            assert!(crate::embed::cosine(x, y) > 0.99999);
        }
    }
}
