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
//!
//! Submodules, by concept: `config` (the model folder's JSON files),
//! `pooling`, `weights` (the fused encoder's weights), `fused` (its
//! forward pass) and `reference` (the candle backend). This file loads a
//! model folder, tokenises, and cuts the fused backend's batches.

mod config;
mod fused;
mod pooling;
mod reference;
mod tensor_file;
mod weights;
mod word_table;

use std::path::Path;

use anyhow::{anyhow, bail};
use candle_core::Device;
use rayon::prelude::*;
use tokenizers::{Tokenizer, TruncationParams};

use super::offload::{Offload, SharedOffload};
use super::profile::ModelProfile;
use super::Embedder;
use config::{read_json, read_max_seq_length, read_modules, Act, Arch, HfConfig};
use pooling::read_pooling;
pub use pooling::Pooling;
use reference::load_candle_model;
use weights::FusedModel;

/// Texts per offload call when the vectors are streamed
/// ([`Embedder::embed_each`]): Spark's default job size
/// (`RECONTACT_SPARK_TEXTS_PER_JOB`), so the driver holds one job's vectors
/// at a time.
const OFFLOAD_TEXTS: usize = 65_536;

/// Texts tokenised at a time when the vectors are streamed: their token
/// ids (≈ 200 bytes a text) held for one chunk, not the month.
const TOKENIZE_TEXTS: usize = 16_384;

/// `batches` (consecutive ranges of texts) grouped into offload calls of
/// whole batches, at most `max_texts` texts each unless one batch is more:
/// ranges of batch indices.
fn offload_calls(
    batches: &[std::ops::Range<usize>],
    max_texts: usize,
) -> Vec<std::ops::Range<usize>> {
    let mut calls = Vec::new();
    let mut from = 0;
    while from < batches.len() {
        let first = batches[from].start;
        let mut to = from + 1;
        while to < batches.len() && batches[to].end - first <= max_texts {
            to += 1;
        }
        calls.push(from..to);
        from = to;
    }
    calls
}

/// Which forward pass [`CandleEmbedder`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Hand-fused encoder over `gemm`, token-packed batches (fast).
    Fused,
    /// candle-transformers' model on padded batches (reference).
    Candle,
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
    /// Fused backend: the linear projections in int8 (AVX-512
    /// VNNI, `embed::quant`). Ignored on a CPU without VNNI. Default: on,
    /// unless `RECONTACT_EMBED_PRECISION=f32`.
    pub int8: bool,
}

impl Default for CandleOptions {
    fn default() -> Self {
        Self {
            backend: Backend::Fused,
            batch_tokens: 512,
            batch_size: 32,
            candle_parallel_batches: false,
            max_seq_length: None,
            int8: std::env::var("RECONTACT_EMBED_PRECISION").map_or(true, |p| p.trim() != "f32"),
        }
    }
}

/// A transformer sentence-embedding model; see the module docs.
pub struct CandleEmbedder {
    name: String,
    /// The folder it was loaded from (an offload's workers read it too).
    dir: std::path::PathBuf,
    /// Where the fused batches run when not here (the Spark driver).
    offload: Option<SharedOffload>,
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
        if cfg.num_attention_heads == 0 || !cfg.hidden_size.is_multiple_of(cfg.num_attention_heads)
        {
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
        let model = match opts.backend {
            Backend::Fused => {
                // Each tensor read from the file as it is needed: never the
                // whole model in memory beside its copies.
                let tensors = tensor_file::TensorFile::open(&weights_path)?;
                Model::Fused(Box::new(FusedModel::from_tensors(
                    &tensors,
                    &cfg,
                    act,
                    pos_offset,
                    &weights_path,
                    opts.int8 && crate::embed::quant::available(),
                )?))
            }
            Backend::Candle => {
                let tensors =
                    candle_core::safetensors::load(&weights_path, &Device::Cpu).map_err(|e| {
                        anyhow!("{}: cannot read safetensors: {e}", weights_path.display())
                    })?;
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
            dir: dir.to_path_buf(),
            offload: None,
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

    /// Runs this model's fused batches through `offload` (cut here as
    /// always, so the vectors are a local run's; see `embed::offload`).
    /// The candle backend (a GPU) keeps its batches.
    pub fn with_offload(mut self, offload: Option<SharedOffload>) -> Self {
        self.offload = offload;
        self
    }

    /// One batch's vectors, computed here as one batch: what an offload's
    /// worker runs for each batch it is given.
    pub fn forward_batch(&self, ids: &[Vec<u32>]) -> anyhow::Result<Vec<Vec<f32>>> {
        match &self.model {
            Model::Fused(m) => m.forward(ids, &self.pooling),
            Model::CandleBert(_) | Model::CandleXlmr(_) => self.embed_ids_candle(ids, &|_| {}),
        }
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

    /// The fused backend's batches: cut by token budget, in input order.
    fn batches(&self, ids: &[Vec<u32>]) -> Vec<std::ops::Range<usize>> {
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
        batches
    }

    /// [`Embedder::embed_each`]'s work on `batches` of `ids`, whose first
    /// text is text `first` of the call.
    fn each_batch(
        &self,
        ids: &[Vec<u32>],
        first: usize,
        batches: &[std::ops::Range<usize>],
        done: &(dyn Fn(usize) + Sync),
        sink: &(dyn Fn(usize, Vec<Vec<f32>>) -> anyhow::Result<()> + Sync),
    ) -> anyhow::Result<()> {
        if let Some(offload) = &self.offload {
            // Each call's vectors handed over before the next.
            for call in offload_calls(batches, OFFLOAD_TEXTS) {
                let start = batches[call.start].start;
                let v = self.offloaded(offload.as_ref(), ids, &batches[call])?;
                done(v.len());
                sink(first + start, v)?;
            }
            return Ok(());
        }
        batches.par_iter().try_for_each(|r| {
            let v = self.forward_batch(&ids[r.clone()])?;
            done(r.len());
            sink(first + r.start, v)
        })
    }

    /// `batches` of `ids` run by the offload (Spark's executors), their
    /// vectors in order.
    fn offloaded(
        &self,
        offload: &dyn Offload,
        ids: &[Vec<u32>],
        batches: &[std::ops::Range<usize>],
    ) -> anyhow::Result<Vec<Vec<f32>>> {
        let parts: Vec<&[Vec<u32>]> = batches.iter().map(|r| &ids[r.clone()]).collect();
        let out = offload.forward(&self.dir, &parts)?;
        anyhow::ensure!(
            out.len() == parts.len()
                && out
                    .iter()
                    .zip(&parts)
                    .all(|(v, p)| v.len() == p.len() && v.iter().all(|x| x.len() == self.dim())),
            "the offloaded encoder returned vectors that do not match the batches sent"
        );
        Ok(out.into_iter().flatten().collect())
    }

    /// Vectors of token ids in input order; `done(n)` as each batch ends.
    fn embed_ids(
        &self,
        ids: &[Vec<u32>],
        done: &(dyn Fn(usize) + Sync),
    ) -> anyhow::Result<Vec<Vec<f32>>> {
        match &self.model {
            Model::Fused(_) => {
                let batches = self.batches(ids);
                if let Some(offload) = &self.offload {
                    let out = self.offloaded(offload.as_ref(), ids, &batches)?;
                    done(ids.len());
                    return Ok(out);
                }
                let out: Vec<Vec<Vec<f32>>> = batches
                    .par_iter()
                    .map(|r| {
                        // What an offload's worker runs, too.
                        let v = self.forward_batch(&ids[r.clone()])?;
                        done(r.len());
                        Ok(v)
                    })
                    .collect::<anyhow::Result<_>>()?;
                Ok(out.into_iter().flatten().collect())
            }
            Model::CandleBert(_) | Model::CandleXlmr(_) => self.embed_ids_candle(ids, done),
        }
    }
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
        self.embed_counted(texts, &|_| {})
    }

    /// Counts per batch; repeated texts (embedded once) count at the end.
    fn embed_counted(
        &self,
        texts: &[String],
        done: &(dyn Fn(usize) + Sync),
    ) -> anyhow::Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let (distinct, slot) = super::distinct_texts(texts);
        let ids = self.tokenize(&distinct)?;
        let vectors = self.embed_ids(&ids, done)?;
        if distinct.len() == texts.len() {
            return Ok(vectors);
        }
        done(texts.len() - distinct.len());
        Ok(slot
            .into_iter()
            .map(|k| vectors[k as usize].clone())
            .collect())
    }

    /// Batch by batch on the fused backend, the batches `embed` cuts, when
    /// the texts are distinct (as [`super::VectorStore`] gives them);
    /// otherwise all at once.
    fn embed_each(
        &self,
        texts: &[String],
        done: &(dyn Fn(usize) + Sync),
        sink: &(dyn Fn(usize, Vec<Vec<f32>>) -> anyhow::Result<()> + Sync),
    ) -> anyhow::Result<()> {
        let distinct = {
            let mut seen = std::collections::HashSet::with_capacity(texts.len());
            texts.iter().all(|t| seen.insert(t.as_str()))
        };
        if !distinct || !matches!(self.model, Model::Fused(_)) {
            return sink(0, self.embed_counted(texts, done)?);
        }
        let chunk = if self.offload.is_some() {
            OFFLOAD_TEXTS
        } else {
            TOKENIZE_TEXTS
        };
        self.stream(texts, chunk, done, sink)
    }
}

impl CandleEmbedder {
    /// [`Embedder::embed_each`] on the fused backend, tokenising `chunk`
    /// texts at a time, so the month's token ids are not held either.
    /// Batches are cut greedily from a batch's first text, so cutting what
    /// is pending (from the first text of the batch still open) gives the
    /// cuts of the whole; the open batch waits for the next chunk, which
    /// may add to it.
    fn stream(
        &self,
        texts: &[String],
        chunk: usize,
        done: &(dyn Fn(usize) + Sync),
        sink: &(dyn Fn(usize, Vec<Vec<f32>>) -> anyhow::Result<()> + Sync),
    ) -> anyhow::Result<()> {
        let chunk = chunk.max(1);
        let mut pending: Vec<Vec<u32>> = Vec::new();
        let mut pending_first = 0;
        let mut from = 0;
        while from < texts.len() {
            // What is pending and new together make a chunk: one offload
            // call (one Spark job) per chunk, not a full one and a scrap.
            let to = (from + chunk.saturating_sub(pending.len()).max(1)).min(texts.len());
            pending.extend(self.tokenize(&texts[from..to])?);
            from = to;
            let mut batches = self.batches(&pending);
            if from < texts.len() {
                batches.pop();
            }
            let ready = batches.last().map_or(0, |r| r.end);
            self.each_batch(&pending, pending_first, &batches, done, sink)?;
            pending.drain(..ready);
            pending_first += ready;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::pooling::pool;
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

    /// The multilingual model's 4-bit-derived token table is held packed
    /// (60 MB, not 384); its rows are checked bit for bit in `word_table`.
    #[test]
    fn the_multilingual_models_token_table_is_held_in_blocks() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(crate::settings::DEFAULT_OTHER_SCRIPTS_MODEL_DIR);
        if !super::super::model_available(&dir) {
            assert!(
                !std::env::var("RECONTACT_REQUIRE_MODEL").is_ok_and(|v| v == "1"),
                "RECONTACT_REQUIRE_MODEL=1 but {} has no model",
                dir.display()
            );
            eprintln!("note: skipping: no model at {}", dir.display());
            return;
        }
        let e = CandleEmbedder::load(&dir).expect("load");
        let Model::Fused(m) = &e.model else {
            panic!("the default backend is the fused encoder")
        };
        assert!(matches!(
            m.word,
            super::word_table::WordTable::Blocks { .. }
        ));
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

    /// What a Spark executor does, in process: each batch through the byte
    /// codec and `forward_batch` of a second load of the model.
    struct Executor {
        model: CandleEmbedder,
        batches: std::sync::Mutex<Vec<usize>>,
    }

    impl crate::embed::offload::Offload for Executor {
        fn forward(
            &self,
            model_dir: &Path,
            batches: &[&[Vec<u32>]],
        ) -> anyhow::Result<Vec<Vec<Vec<f32>>>> {
            use crate::embed::offload::{decode_ids, decode_vectors, encode_ids, encode_vectors};
            assert_eq!(model_dir, self.model.dir);
            let mut out = Vec::new();
            for b in batches {
                self.batches.lock().unwrap().push(b.len());
                let (l, i) = encode_ids(b);
                let v = self.model.forward_batch(&decode_ids(&l, &i)?)?;
                out.push(decode_vectors(
                    &encode_vectors(&v),
                    b.len(),
                    self.model.dim(),
                )?);
            }
            Ok(out)
        }
    }

    #[test]
    fn offloaded_batches_give_the_local_vectors_bit_for_bit() {
        let Some(dir) = model_or_skip() else { return };
        let texts: Vec<String> = (0..300)
            .map(|i| {
                format!(
                    "where is my refund for order {i}, it has been {} days",
                    i % 17
                )
            })
            .chain(s(&["", "the app crashes at checkout", "退款还没到账"]))
            .collect();
        let local = CandleEmbedder::load(&dir).unwrap();
        let want = local.embed(&texts).unwrap();
        let executor = Arc::new(Executor {
            model: CandleEmbedder::load(&dir).unwrap(),
            batches: Default::default(),
        });
        let offloaded = CandleEmbedder::load(&dir)
            .unwrap()
            .with_offload(Some(executor.clone()));
        let got = offloaded.embed(&texts).unwrap();
        let sent = executor.batches.lock().unwrap().clone();
        assert!(
            sent.len() > 1,
            "the texts went as several batches: {sent:?}"
        );
        assert_eq!(sent.iter().sum::<usize>(), texts.len());
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            let g: Vec<u32> = g.iter().map(|x| x.to_bits()).collect();
            let w: Vec<u32> = w.iter().map(|x| x.to_bits()).collect();
            assert_eq!(g, w);
        }
        // Streamed, locally and offloaded, tokenised in chunks of 7 texts
        // or all at once: the same vectors, each text once.
        for (e, chunk) in [(&local, 7), (&offloaded, 7), (&local, 1 << 20)] {
            let slots = std::sync::Mutex::new(vec![None; texts.len()]);
            let counted = std::sync::atomic::AtomicUsize::new(0);
            e.stream(
                &texts,
                chunk,
                &|n| {
                    counted.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                },
                &|first, v| {
                    let mut s = slots.lock().unwrap();
                    for (k, x) in v.into_iter().enumerate() {
                        assert!(
                            s[first + k].replace(x).is_none(),
                            "text {} twice",
                            first + k
                        );
                    }
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(counted.into_inner(), texts.len());
            for (g, w) in slots.into_inner().unwrap().iter().zip(&want) {
                let g: Vec<u32> = g.as_ref().unwrap().iter().map(|x| x.to_bits()).collect();
                let w: Vec<u32> = w.iter().map(|x| x.to_bits()).collect();
                assert_eq!(g, w);
            }
        }
    }

    #[test]
    fn offload_calls_take_whole_batches_up_to_the_size() {
        let b = [0..3, 3..5, 5..9, 9..10, 10..30, 30..31];
        assert_eq!(offload_calls(&b, 5), vec![0..2, 2..4, 4..5, 5..6]);
        assert_eq!(offload_calls(&b, 1000), vec![0..6]);
        assert_eq!(offload_calls(&b, 1).len(), 6);
        assert!(offload_calls(&[], 5).is_empty());
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
    fn batches_are_counted_and_repeats_once_at_the_end() {
        let Some(dir) = model_or_skip() else { return };
        for backend in [Backend::Fused, Backend::Candle] {
            let e = CandleEmbedder::load_with(
                &dir,
                CandleOptions {
                    backend,
                    // A batch per text or two: several counts.
                    batch_tokens: 8,
                    batch_size: 2,
                    ..Default::default()
                },
            )
            .expect("load");
            let texts = s(&["card lost", "pin blocked", "card lost", "refund late", "hi"]);
            let counts = std::sync::Mutex::new(Vec::new());
            let v = e
                .embed_counted(&texts, &|n| counts.lock().unwrap().push(n))
                .expect("embed");
            let counts = counts.into_inner().unwrap();
            assert!(counts.len() > 2, "{backend:?}: {counts:?}");
            assert_eq!(counts.iter().sum::<usize>(), texts.len(), "{backend:?}");
            // The repeated text counts last, after the batches.
            assert_eq!(counts.last(), Some(&1), "{backend:?}");
            assert_eq!(v, e.embed(&texts).expect("embed"), "{backend:?}");
        }
    }

    #[test]
    fn fused_matches_candle_reference() {
        let Some(dir) = model_or_skip() else { return };
        let fused = CandleEmbedder::load_with(
            &dir,
            CandleOptions {
                int8: false,
                ..Default::default()
            },
        )
        .expect("load fused");
        let int8 = CandleEmbedder::load_with(
            &dir,
            CandleOptions {
                int8: true,
                ..Default::default()
            },
        )
        .expect("load fused int8");
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
        // Int8 (where the CPU has VNNI; f32 elsewhere): issue 18.2's bar,
        // 0.995, on every text.
        let q = int8.embed(&texts).expect("int8");
        for (i, (x, y)) in q.iter().zip(&b).enumerate() {
            let c = crate::embed::cosine(x, y);
            assert!(c > 0.995, "text {i}: int8 cosine {c}");
        }
        // Int8 is decided per row and every product is exact, so a text's
        // vector does not depend on its batch at all.
        let int8_single = CandleEmbedder::load_with(
            &dir,
            CandleOptions {
                batch_tokens: 1,
                int8: true,
                ..Default::default()
            },
        )
        .expect("load");
        if crate::embed::quant::available() {
            assert_eq!(q, int8_single.embed(&texts).expect("single"));
        }
        // Batching must not change results beyond rounding.
        let single = CandleEmbedder::load_with(
            &dir,
            CandleOptions {
                batch_tokens: 1,
                int8: false,
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
