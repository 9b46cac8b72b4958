//! The fused encoder's weights: read from the safetensors by name, shapes
//! checked against config.json, linear layers transposed and the query,
//! key and value projections packed side by side for the forward pass.

use std::path::Path;

use anyhow::{anyhow, bail};
use candle_core::safetensors::Load;
use candle_core::{DType, Device};
use safetensors::Dtype;

use super::config::{Act, HfConfig};
use super::tensor_file::TensorFile;
use super::word_table::WordTable;
use crate::embed::kernels;
use crate::embed::quant::QuantMatrix;

pub(super) struct FusedLayer {
    /// Query, key and value projections side by side: `[hidden, 3·hidden]`.
    pub(super) w_qkv: Linear,
    pub(super) b_qkv: Vec<f32>,
    pub(super) w_o: Linear,
    pub(super) b_o: Vec<f32>,
    pub(super) ln1_g: Vec<f32>,
    pub(super) ln1_b: Vec<f32>,
    /// `[hidden, intermediate]`.
    pub(super) w_i: Linear,
    pub(super) b_i: Vec<f32>,
    /// `[intermediate, hidden]`.
    pub(super) w_out: Linear,
    pub(super) b_out: Vec<f32>,
    pub(super) ln2_g: Vec<f32>,
    pub(super) ln2_b: Vec<f32>,
}

/// A linear layer's weights, `[in, out]`: f32 for the `gemm` kernels, or
/// int8 for the VNNI kernel (`embed::quant`) when the run uses it.
pub(super) enum Linear {
    F32 { w: Vec<f32>, k: usize, n: usize },
    Int8(QuantMatrix),
}

/// A channel of a projection's input above this many times its row's root
/// mean square is computed in f32 (`QuantMatrix::with_outliers`), for the
/// inputs that are layer-normalised or attention's output: in
/// all-MiniLM-L6-v2 about two of 384 channels per row pass it, the
/// residual stream's known outlier channels.
const OUTLIER_RATIO: f32 = 4.0;

/// The same for the feed-forward's output projection, whose input (after
/// GELU) is heavy-tailed: at 4, 15 of 1,536 channels per row pass, at 8
/// about two, for nearly the same accuracy (BENCHMARKS.md, issue 18.2).
const OUTLIER_RATIO_FFN_OUT: f32 = 8.0;

impl Linear {
    /// `w` (`[k, n]`) in int8 with outlier channels past `ratio`, when
    /// asked and the kernel takes its width; else as it is.
    fn new(w: Vec<f32>, k: usize, n: usize, int8: bool, ratio: f32) -> Linear {
        match int8.then(|| QuantMatrix::new(&w, k, n)).flatten() {
            Some(q) => Linear::Int8(q.with_outliers(w, ratio)),
            None => Linear::F32 { w, k, n },
        }
    }

    /// `dst[m, n] (+)= a[m, k] · W`.
    pub(super) fn matmul(&self, dst: &mut [f32], a: &[f32], m: usize, accumulate: bool) {
        match self {
            Linear::F32 { w, k, n } => kernels::matmul(dst, a, w, m, *k, *n, accumulate),
            Linear::Int8(q) => q.matmul(dst, a, m, accumulate),
        }
    }
}

pub(super) struct FusedModel {
    pub(super) hidden: usize,
    pub(super) heads: usize,
    pub(super) inter: usize,
    pub(super) eps: f32,
    pub(super) act: Act,
    pub(super) vocab: usize,
    pub(super) max_pos: usize,
    pub(super) pos_offset: usize,
    pub(super) word: WordTable,
    pub(super) pos: Vec<f32>,
    pub(super) type0: Vec<f32>,
    pub(super) emb_ln_g: Vec<f32>,
    pub(super) emb_ln_b: Vec<f32>,
    pub(super) layers: Vec<FusedLayer>,
}

/// Reads tensors by name (under an optional `bert.` / `roberta.` prefix),
/// checking shapes, as f32, one at a time from the file.
struct WeightReader<'a> {
    tensors: &'a TensorFile,
    prefix: String,
    file: &'a Path,
}

impl WeightReader<'_> {
    fn get(&self, name: &str, shape: &[usize]) -> anyhow::Result<Vec<f32>> {
        let full = format!("{}{name}", self.prefix);
        let t = self.tensors.with_view(&full, |v| {
            v.load(&Device::Cpu)
                .map_err(|e| anyhow!("{}: tensor {full}: {e}", self.file.display()))
        })?;
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

    /// The token embedding table: packed as it is read when it is
    /// quantised (see `word_table`), without an f32 copy.
    fn word_table(&self, name: &str, shape: &[usize]) -> anyhow::Result<WordTable> {
        let full = format!("{}{name}", self.prefix);
        if self.tensors.describe(&full) == Some((Dtype::F32, shape)) {
            let (reader, len) = self.tensors.reader(&full)?;
            if let Some(t) = WordTable::from_le_reader(reader, len, shape[1]) {
                return Ok(t);
            }
        }
        Ok(WordTable::new(self.get(name, shape)?, shape[1]))
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
    pub(super) fn from_tensors(
        tensors: &TensorFile,
        cfg: &HfConfig,
        act: Act,
        pos_offset: usize,
        file: &Path,
        int8: bool,
    ) -> anyhow::Result<Self> {
        let prefix = ["", "bert.", "roberta.", "model."]
            .into_iter()
            .find(|p| tensors.contains(&format!("{p}embeddings.word_embeddings.weight")))
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
        let emb_ln_g = r.get("embeddings.LayerNorm.weight", &[h])?;
        let emb_ln_b = r.get("embeddings.LayerNorm.bias", &[h])?;
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
            let w_o = r.linear_t(&format!("{p}attention.output.dense.weight"), h, h)?;
            let w_i = r.linear_t(&format!("{p}intermediate.dense.weight"), i, h)?;
            let w_out = r.linear_t(&format!("{p}output.dense.weight"), h, i)?;
            let ln1_g = r.get(&format!("{p}attention.output.LayerNorm.weight"), &[h])?;
            let ln1_b = r.get(&format!("{p}attention.output.LayerNorm.bias"), &[h])?;
            let ln2_g = r.get(&format!("{p}output.LayerNorm.weight"), &[h])?;
            let ln2_b = r.get(&format!("{p}output.LayerNorm.bias"), &[h])?;
            let mut b_qkv = r.get(&format!("{p}attention.self.query.bias"), &[h])?;
            b_qkv.extend(r.get(&format!("{p}attention.self.key.bias"), &[h])?);
            b_qkv.extend(r.get(&format!("{p}attention.self.value.bias"), &[h])?);
            layers.push(FusedLayer {
                w_qkv: Linear::new(w_qkv, h, 3 * h, int8, OUTLIER_RATIO),
                b_qkv,
                w_o: Linear::new(w_o, h, h, int8, OUTLIER_RATIO),
                b_o: r.get(&format!("{p}attention.output.dense.bias"), &[h])?,
                ln1_g,
                ln1_b,
                w_i: Linear::new(w_i, h, i, int8, OUTLIER_RATIO),
                b_i: r.get(&format!("{p}intermediate.dense.bias"), &[i])?,
                w_out: Linear::new(w_out, i, h, int8, OUTLIER_RATIO_FFN_OUT),
                b_out: r.get(&format!("{p}output.dense.bias"), &[h])?,
                ln2_g,
                ln2_b,
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
            word: r.word_table("embeddings.word_embeddings.weight", &[v, h])?,
            pos: r.get(
                "embeddings.position_embeddings.weight",
                &[cfg.max_position_embeddings, h],
            )?,
            type0: types[..h].to_vec(),
            emb_ln_g,
            emb_ln_b,
            layers,
        })
    }
}
