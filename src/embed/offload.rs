//! The encoder's batches run elsewhere: the Spark driver (`python/`) hands
//! a run's batches to the cluster's executors, which run each through the
//! same [`CandleEmbedder::forward_batch`](super::CandleEmbedder::forward_batch).
//!
//! The batches are cut here, exactly as a local run cuts them, and a batch
//! is never split or merged on its way: a text's vector depends on which
//! texts share its batch (GEMM blocking), so only whole batches give the
//! vectors, and so the outputs, of a local run bit for bit.
//!
//! Token ids and vectors cross as little-endian bytes (`encode_*` /
//! `decode_*`): one binary cell each in an Arrow record batch, no per-token
//! Python objects.

use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, ensure, Result};

/// Runs encoder batches somewhere else and gives back their vectors.
pub trait Offload: Send + Sync {
    /// One result per batch, in order; each batch's vectors in its texts'
    /// order. `model_dir` is the folder the run loaded: every worker reads
    /// the same model from it.
    fn forward(&self, model_dir: &Path, batches: &[&[Vec<u32>]]) -> Result<Vec<Vec<Vec<f32>>>>;
}

/// What a run carries: one offload shared by every model it loads.
pub type SharedOffload = Arc<dyn Offload>;

/// A batch's token ids as two byte strings: each text's length (u32 LE),
/// then every id back to back (u32 LE).
pub fn encode_ids(batch: &[Vec<u32>]) -> (Vec<u8>, Vec<u8>) {
    let mut lengths = Vec::with_capacity(batch.len() * 4);
    let mut ids = Vec::with_capacity(batch.iter().map(Vec::len).sum::<usize>() * 4);
    for text in batch {
        let n = u32::try_from(text.len()).unwrap_or(u32::MAX);
        lengths.extend_from_slice(&n.to_le_bytes());
        for id in text {
            ids.extend_from_slice(&id.to_le_bytes());
        }
    }
    (lengths, ids)
}

/// [`encode_ids`] read back; an error if the two strings disagree.
pub fn decode_ids(lengths: &[u8], ids: &[u8]) -> Result<Vec<Vec<u32>>> {
    ensure!(
        lengths.len().is_multiple_of(4) && ids.len().is_multiple_of(4),
        "token ids: byte lengths {} and {} are not whole u32s",
        lengths.len(),
        ids.len()
    );
    let words = |b: &[u8]| -> Vec<u32> {
        b.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    };
    let all = words(ids);
    let mut out = Vec::with_capacity(lengths.len() / 4);
    let mut at = 0usize;
    for n in words(lengths) {
        let end = at + n as usize;
        if end > all.len() {
            bail!(
                "token ids: the lengths add up to more than the {} ids given",
                all.len()
            );
        }
        out.push(all[at..end].to_vec());
        at = end;
    }
    ensure!(
        at == all.len(),
        "token ids: {} ids given, the lengths account for {at}",
        all.len()
    );
    Ok(out)
}

/// Vectors as one byte string (f32 LE, row after row).
pub fn encode_vectors(vectors: &[Vec<f32>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(vectors.iter().map(Vec::len).sum::<usize>() * 4);
    for v in vectors {
        for x in v {
            out.extend_from_slice(&x.to_le_bytes());
        }
    }
    out
}

/// [`encode_vectors`] read back as `n` vectors of `dim` values.
pub fn decode_vectors(bytes: &[u8], n: usize, dim: usize) -> Result<Vec<Vec<f32>>> {
    ensure!(
        bytes.len() == n * dim * 4,
        "vectors: {} bytes given, {n} vectors of {dim} need {}",
        bytes.len(),
        n * dim * 4
    );
    Ok(bytes
        .chunks_exact(dim.max(1) * 4)
        .take(n)
        .map(|row| {
            row.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_including_an_empty_text() {
        let batch = vec![vec![101, 7592, 102], vec![], vec![u32::MAX]];
        let (l, i) = encode_ids(&batch);
        assert_eq!(l.len(), 12);
        assert_eq!(i.len(), 16);
        assert_eq!(decode_ids(&l, &i).unwrap(), batch);
    }

    #[test]
    fn ids_that_do_not_add_up_are_an_error() {
        let (l, i) = encode_ids(&[vec![1, 2, 3]]);
        assert!(decode_ids(&l, &i[..8]).is_err());
        assert!(decode_ids(&l[..3], &i).is_err());
        let (l2, _) = encode_ids(&[vec![1]]);
        assert!(decode_ids(&l2, &i)
            .unwrap_err()
            .to_string()
            .contains("account for 1"));
    }

    #[test]
    fn vectors_round_trip_bit_for_bit() {
        let v = vec![vec![0.1f32, -0.0, f32::MIN_POSITIVE], vec![1.0, 2.5, -3.25]];
        let b = encode_vectors(&v);
        let back = decode_vectors(&b, 2, 3).unwrap();
        for (x, y) in v.iter().flatten().zip(back.iter().flatten()) {
            assert_eq!(x.to_bits(), y.to_bits());
        }
        assert!(decode_vectors(&b, 3, 3).is_err());
    }
}
