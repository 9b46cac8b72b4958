//! The fused encoder forward ([`Backend::Fused`](super::Backend)): the whole
//! BERT encoder over the `gemm` kernels on token-packed batches (no padding),
//! attention run per text.

use anyhow::bail;

use super::config::Act;
use super::pooling::{pool, Pooling};
use super::weights::FusedModel;
use crate::embed::kernels;

impl FusedModel {
    /// Embeds one packed batch of token-id sequences. The element-wise
    /// parts are compiled three times, for AVX-512, AVX2+FMA and the
    /// baseline, and the variant is picked at run time (the GEMMs dispatch
    /// on their own). Their lanes and summation order are written out in
    /// `kernels`, not left to the vector width; that the AVX-512 and AVX2
    /// variants agree bit for bit is not tested (a CPU runs one of them).
    pub(super) fn forward(
        &self,
        seqs: &[Vec<u32>],
        pooling: &[Pooling],
    ) -> anyhow::Result<Vec<Vec<f32>>> {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports the features the variant is built for.
            return unsafe { self.forward_avx512(seqs, pooling) };
        }
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports the features the variant is built for.
            return unsafe { self.forward_avx2(seqs, pooling) };
        }
        self.forward_impl(seqs, pooling)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx2,fma")]
    unsafe fn forward_avx512(
        &self,
        seqs: &[Vec<u32>],
        pooling: &[Pooling],
    ) -> anyhow::Result<Vec<Vec<f32>>> {
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
        let mut w = vec![0f32; h];
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
                self.word.row(id, h, &mut w);
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
        let mut mid = vec![0f32; total * inter];
        let mut scores = vec![0f32; max_len * max_len];
        for layer in &self.layers {
            for r in qkv.chunks_exact_mut(h3) {
                r.copy_from_slice(&layer.b_qkv);
            }
            layer.w_qkv.matmul(&mut qkv, &x, total, true);
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
            // The residual stream is updated in place: `x` was read by the
            // projections above and is needed only as the residual now.
            layer.w_o.matmul(&mut x, &ctx, total, true);
            for r in x.chunks_exact_mut(h) {
                kernels::bias_layer_norm(r, &layer.b_o, &layer.ln1_g, &layer.ln1_b, self.eps);
            }
            layer.w_i.matmul(&mut mid, &x, total, false);
            for r in mid.chunks_exact_mut(inter) {
                match self.act {
                    Act::Gelu => kernels::bias_gelu(r, &layer.b_i),
                    Act::GeluTanh => kernels::bias_gelu_tanh(r, &layer.b_i),
                    Act::Relu => kernels::bias_relu(r, &layer.b_i),
                }
            }
            layer.w_out.matmul(&mut x, &mid, total, true);
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
