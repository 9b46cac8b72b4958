//! The candle reference backend ([`Backend::Candle`](super::Backend)):
//! candle-transformers' `BertModel` / `XLMRobertaModel` on length-sorted,
//! padded batches. Slower than the fused pass, which is tested against it.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{anyhow, bail, Context};
use candle_core::{DType, Device, Tensor};
use rayon::prelude::*;

use super::config::{read_json, Arch};
use super::pooling::pool;
use super::{CandleEmbedder, Model};

impl CandleEmbedder {
    pub(super) fn embed_ids_candle(
        &self,
        ids: &[Vec<u32>],
        done: &(dyn Fn(usize) + Sync),
    ) -> anyhow::Result<Vec<Vec<f32>>> {
        // Longest first, so each batch pads little; results go back in input order.
        let mut order: Vec<usize> = (0..ids.len()).collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(ids[i].len()), i));
        let batches: Vec<&[usize]> = order.chunks(self.opts.batch_size).collect();
        let run = |b: &&[usize]| {
            let v = self.candle_batch(ids, b)?;
            done(b.len());
            Ok(v)
        };
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
            flat.extend(std::iter::repeat_n(pad, len - t.len()));
            mask.extend(std::iter::repeat_n(1u32, t.len()));
            mask.extend(std::iter::repeat_n(0u32, len - t.len()));
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

pub(super) fn load_candle_model(
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
