//! Pooling: how a text's token vectors become one vector
//! (sentence-transformers' `Pooling` module), read from its config.

use std::path::Path;

use anyhow::bail;
use serde::Deserialize;

use super::config::read_json;
use crate::embed::{kernels, l2_normalize};

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

pub(super) fn read_pooling(path: Option<&Path>, hidden: usize) -> anyhow::Result<Vec<Pooling>> {
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

/// Pools `n` token rows (`hidden` wide, row-major in `x`) and L2-normalises.
#[inline(always)]
pub(super) fn pool(x: &[f32], n: usize, hidden: usize, modes: &[Pooling]) -> Vec<f32> {
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
