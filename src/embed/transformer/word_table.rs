//! The token embedding table, held as compactly as its values allow.
//!
//! A multilingual vocabulary makes this the largest tensor by far
//! (multilingual-e5-small: 250,037 × 384, 384 MB as f32), yet a run reads
//! only the rows of the tokens it meets. The e5 weights reachable here come
//! 4-bit quantised (Q4_0: blocks of 32 values, each `k · d` with an integer
//! `k` in −8..=7 and one scale `d` per block) and are dequantised to f32 by
//! the converter, so every value is exactly such a product. Where every
//! block is, the table is kept as the integers (4 bits each) and the block
//! scales, 60 MB instead of 384, and a row is rebuilt by the same f32
//! products: bit for bit the values the file holds. Any other table (a
//! model trained in f32, such as all-MiniLM) stays f32.
//!
//! No crate does this: candle's quantised tensors store Q4_0 but rebuild
//! rows through their own dequantisation, not from an f32 file whose values
//! must come back bit for bit.

use std::io::Read;

/// Values per block of one scale, as in Q4_0.
const BLOCK: usize = 32;

pub(super) enum WordTable {
    F32(Vec<f32>),
    /// Two 4-bit `k + 8` per byte (low nibble first) and one scale per
    /// block of [`BLOCK`] values.
    Blocks {
        nibbles: Vec<u8>,
        scales: Vec<f32>,
    },
}

impl WordTable {
    /// Packs `values` (rows of `hidden`) into blocks when every block is
    /// exactly `k · d`; otherwise keeps them as they are.
    pub(super) fn new(values: Vec<f32>, hidden: usize) -> WordTable {
        let blocks = values.chunks(BLOCK).map(|b| {
            let mut out = [0f32; BLOCK];
            out[..b.len()].copy_from_slice(b);
            out
        });
        pack(blocks, values.len(), hidden).unwrap_or(WordTable::F32(values))
    }

    /// Packs a table of `len` little-endian f32 bytes read from `bytes`
    /// (rows of `hidden`) into blocks, or `None` when it is not made of
    /// `k · d` blocks or cannot be read.
    pub(super) fn from_le_reader(
        mut bytes: impl Read,
        len: u64,
        hidden: usize,
    ) -> Option<WordTable> {
        if !len.is_multiple_of(4 * BLOCK as u64) {
            return None;
        }
        let mut raw = [0u8; 4 * BLOCK];
        // A read that fails ends the blocks early, and `pack` refuses a
        // table short of blocks.
        let blocks = std::iter::from_fn(|| {
            bytes.read_exact(&mut raw).ok()?;
            let mut out = [0f32; BLOCK];
            for (o, x) in out.iter_mut().zip(raw.chunks_exact(4)) {
                *o = f32::from_le_bytes([x[0], x[1], x[2], x[3]]);
            }
            Some(out)
        })
        .take((len / (4 * BLOCK as u64)) as usize);
        pack(blocks, (len / 4) as usize, hidden)
    }

    /// Row `id` (of `hidden` values) into `out`.
    #[inline(always)]
    pub(super) fn row(&self, id: usize, hidden: usize, out: &mut [f32]) {
        match self {
            WordTable::F32(v) => out.copy_from_slice(&v[id * hidden..(id + 1) * hidden]),
            WordTable::Blocks { nibbles, scales } => {
                let start = id * hidden;
                for (c, o) in out.iter_mut().enumerate() {
                    let i = start + c;
                    let byte = nibbles[i / 2];
                    let q = if i.is_multiple_of(2) {
                        byte & 0x0F
                    } else {
                        byte >> 4
                    };
                    *o = (q as i32 - 8) as f32 * scales[i / BLOCK];
                }
            }
        }
    }

    /// Bytes held, for the tests and the curious.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        match self {
            WordTable::F32(v) => v.len() * 4,
            WordTable::Blocks { nibbles, scales } => nibbles.len() + scales.len() * 4,
        }
    }
}

/// `len` values (rows of `hidden`) as blocks, or `None` when a block is
/// not exactly `k · d` or there are fewer than `len` values.
fn pack(
    blocks: impl Iterator<Item = [f32; BLOCK]>,
    len: usize,
    hidden: usize,
) -> Option<WordTable> {
    if hidden == 0 || !hidden.is_multiple_of(BLOCK) || len == 0 || !len.is_multiple_of(hidden) {
        return None;
    }
    let mut nibbles = vec![0u8; len / 2];
    let mut scales = Vec::with_capacity(len / BLOCK);
    for (b, block) in blocks.enumerate() {
        let (d, ks) = factor(&block)?;
        scales.push(d);
        for (j, pair) in ks.chunks_exact(2).enumerate() {
            nibbles[b * BLOCK / 2 + j] = (pair[0] + 8) as u8 | (((pair[1] + 8) as u8) << 4);
        }
    }
    (scales.len() * BLOCK == len).then_some(WordTable::Blocks { nibbles, scales })
}

/// A scale `d` and integers `k` in −8..=7 with `k · d` equal, bit for bit,
/// to every value of `block`; `None` when there are none.
fn factor(block: &[f32]) -> Option<(f32, [i8; BLOCK])> {
    let top = block
        .iter()
        .copied()
        .fold(0f32, |a, v| if v.abs() > a.abs() { v } else { a });
    // Q4_0 makes the value of largest magnitude k = −8; try that first.
    let candidates: Vec<f32> = if top == 0.0 {
        vec![0.0, -0.0]
    } else {
        [-8i32, 7, -7, 6, -6, 5, -5, 4, -4, 3, -3, 2, -2, 1, -1, 8]
            .iter()
            .map(|&k| top / k as f32)
            .collect()
    };
    'next: for d in candidates {
        let mut ks = [0i8; BLOCK];
        for (k, &v) in ks.iter_mut().zip(block) {
            let q = if d == 0.0 { 0.0 } else { (v / d).round() };
            // Checked as `row` rebuilds it (an integer k: no −0 · d).
            if !(-8.0..=7.0).contains(&q) || ((q as i32) as f32 * d).to_bits() != v.to_bits() {
                continue 'next;
            }
            *k = q as i8;
        }
        return Some((d, ks));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::linalg::SplitMix64;

    fn rows(t: &WordTable, n: usize, h: usize) -> Vec<f32> {
        let mut out = vec![0f32; n * h];
        for (id, r) in out.chunks_exact_mut(h).enumerate() {
            t.row(id, h, r);
        }
        out
    }

    #[test]
    fn a_quantised_table_packs_and_gives_its_values_back_bit_for_bit() {
        let (n, h) = (50, 64);
        let mut rng = SplitMix64::new(9);
        let mut values = Vec::with_capacity(n * h);
        for _ in 0..n * h / BLOCK {
            // As the converter dequantises: an f16 scale (11 significant
            // bits) times k − 8, in f32; signed zeros included.
            let d = f32::from_bits(((rng.next_gaussian() * 0.01) as f32).to_bits() & 0xFFFF_E000);
            for _ in 0..BLOCK {
                let k = (rng.next_u64() % 16) as i32 - 8;
                values.push(k as f32 * d);
            }
        }
        values[5 * BLOCK..6 * BLOCK].fill(-0.0);
        let t = WordTable::new(values.clone(), h);
        assert!(matches!(t, WordTable::Blocks { .. }));
        assert!(t.bytes() * 6 < values.len() * 4);
        // Read from the file's little-endian bytes: the same table; cut
        // short, none.
        let le: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let read = WordTable::from_le_reader(&le[..], le.len() as u64, h).expect("blocks");
        assert_eq!(rows(&read, n, h), rows(&t, n, h));
        let cut = &le[..le.len() - 4 * BLOCK];
        assert!(WordTable::from_le_reader(cut, le.len() as u64, h).is_none());
        let back = rows(&t, n, h);
        assert!(back
            .iter()
            .zip(&values)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
    }

    #[test]
    fn a_table_trained_in_f32_stays_f32() {
        let (n, h) = (10, 32);
        let mut rng = SplitMix64::new(4);
        let values: Vec<f32> = (0..n * h).map(|_| rng.next_gaussian() as f32).collect();
        let t = WordTable::new(values.clone(), h);
        assert!(matches!(t, WordTable::F32(_)));
        assert_eq!(rows(&t, n, h), values);
        // Rows that do not split into blocks stay f32 too.
        assert!(matches!(
            WordTable::new(vec![0.5; 3 * 20], 20),
            WordTable::F32(_)
        ));
    }
}
