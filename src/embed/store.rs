//! The month's vectors of one kind (the repeat candidates' for the
//! same-issue test), held in memory or, past a size, in an unnamed file.
//!
//! A default-model month of 1M contacts embeds ≈ 700k repeat candidates:
//! ≈ 1 GB of f32 held through linking, metrics and the reasons stage, the
//! largest thing in a run that grows with the month. Linking reads them a
//! pair at a time, so they need not be in memory: past
//! `memory_limit` bytes they are written to an unnamed file as the
//! embedder hands them over (batch by batch, [`Embedder::embed_each`]) and
//! read back a row at a time with positioned reads — kept out of the
//! process's memory, unlike a memory map whose touched pages count in it.
//! The vectors are the embedder's, bit for bit, either way: the batches
//! are cut as they always were and f32s round-trip through their bytes.
//!
//! Each distinct text is one row; texts repeated map to it (`slot`).

use std::borrow::Cow;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};

use super::{cosine, Embedder};

/// Rows written to the file at a time.
const WRITE_ROWS: usize = 4096;

/// Vectors by text index: one row per distinct text.
#[derive(Debug, Default)]
pub struct VectorStore {
    dim: usize,
    /// Per text, its row.
    slot: Vec<u32>,
    rows: Rows,
    /// The first failed read, if any.
    failed: std::sync::Mutex<Option<String>>,
}

#[derive(Debug)]
enum Rows {
    Memory(Vec<Vec<f32>>),
    /// `count` rows of `dim` little-endian f32s, row after row.
    Disk {
        file: File,
        count: usize,
    },
}

impl Default for Rows {
    fn default() -> Self {
        Rows::Memory(Vec::new())
    }
}

impl VectorStore {
    /// Vectors already made, one per text.
    pub fn from_rows(rows: Vec<Vec<f32>>) -> VectorStore {
        VectorStore {
            dim: rows.first().map_or(0, Vec::len),
            slot: (0..rows.len() as u32).collect(),
            rows: Rows::Memory(rows),
            failed: Default::default(),
        }
    }

    /// `texts` embedded, each distinct text once: in memory while their
    /// vectors take at most `memory_limit` bytes, otherwise in an unnamed
    /// file in `spill_dir` (gone when the store is dropped, or the process
    /// ends, whatever way it ends).
    pub fn embed(
        embedder: &dyn Embedder,
        texts: &[String],
        memory_limit: usize,
        spill_dir: &Path,
    ) -> Result<VectorStore> {
        let dim = embedder.dim();
        if embedder.transductive() {
            // Its space is fitted to the texts as given, repeats included.
            let mut s = VectorStore::from_rows(embedder.embed(texts)?);
            s.dim = dim;
            return Ok(s);
        }
        let (distinct, slot) = super::distinct_texts(texts);
        let bytes = distinct.len().saturating_mul(dim).saturating_mul(4);
        let rows = if bytes <= memory_limit || dim == 0 {
            Rows::Memory(super::embed_each(embedder, &distinct)?)
        } else {
            let file = tempfile::tempfile_in(spill_dir).with_context(|| {
                format!(
                    "cannot make a file for {} vectors in {}",
                    distinct.len(),
                    spill_dir.display()
                )
            })?;
            let row_bytes = dim * 4;
            let written = AtomicUsize::new(0);
            embedder.embed_each(&distinct, &|_| {}, &|first_row, vectors| {
                anyhow::ensure!(
                    first_row + vectors.len() <= distinct.len(),
                    "vectors handed over past the texts' end"
                );
                // In pieces: an embedder that hands over the whole month at
                // once (the fallback) must not be copied whole again here.
                for (k, piece) in vectors.chunks(WRITE_ROWS).enumerate() {
                    let mut buf = Vec::with_capacity(piece.len() * row_bytes);
                    for v in piece {
                        anyhow::ensure!(
                            v.len() == dim,
                            "a vector of {} values, not {dim}",
                            v.len()
                        );
                        buf.extend(v.iter().flat_map(|x| x.to_le_bytes()));
                    }
                    let at = (first_row + k * WRITE_ROWS) * row_bytes;
                    file.write_all_at(&buf, at as u64)
                        .context("cannot write vectors to disk")?;
                }
                written.fetch_add(vectors.len(), Ordering::Relaxed);
                Ok(())
            })?;
            // Every row once: a gap would read back as zeros, unnoticed.
            anyhow::ensure!(
                written.into_inner() == distinct.len(),
                "the embedder handed over vectors for some texts twice or not at all"
            );
            Rows::Disk {
                file,
                count: distinct.len(),
            }
        };
        Ok(VectorStore {
            dim,
            slot,
            rows,
            failed: Default::default(),
        })
    }

    /// How many texts.
    pub fn len(&self) -> usize {
        self.slot.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slot.is_empty()
    }

    /// Whether the vectors are on disk.
    pub fn spilled(&self) -> bool {
        matches!(self.rows, Rows::Disk { .. })
    }

    /// Text `k`'s vector. Panics when `k` is out of range, as a slice does.
    /// A failed read of the store's own file gives the zero vector and is
    /// kept for [`VectorStore::check`], which the caller asks after the
    /// reads (the scorers that read return a similarity, not an error).
    pub fn get(&self, k: usize) -> Cow<'_, [f32]> {
        let row = self.slot[k] as usize;
        match &self.rows {
            Rows::Memory(v) => Cow::Borrowed(&v[row]),
            Rows::Disk { file, count } => {
                debug_assert!(row < *count);
                let mut buf = vec![0u8; self.dim * 4];
                match file.read_exact_at(&mut buf, (row * self.dim * 4) as u64) {
                    Ok(()) => Cow::Owned(
                        buf.chunks_exact(4)
                            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                            .collect(),
                    ),
                    Err(e) => {
                        if let Ok(mut first) = self.failed.lock() {
                            first.get_or_insert_with(|| e.to_string());
                        }
                        Cow::Owned(vec![0.0; self.dim])
                    }
                }
            }
        }
    }

    /// An error when a read of the file failed (a disk error): whatever was
    /// decided from the vectors since is not to be trusted.
    pub fn check(&self) -> Result<()> {
        match self.failed.lock().ok().and_then(|f| f.clone()) {
            Some(e) => anyhow::bail!("cannot read the link vectors back from disk: {e}"),
            None => Ok(()),
        }
    }

    /// The cosine of texts `i` and `j`.
    pub fn cosine(&self, i: usize, j: usize) -> f32 {
        cosine(&self.get(i), &self.get(j))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in model: batches of three, handed over out of order, each
    /// vector a function of its text alone.
    struct Batches;
    impl Embedder for Batches {
        fn name(&self) -> String {
            "batches".into()
        }
        fn dim(&self) -> usize {
            3
        }
        fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
            Ok(texts.iter().map(|t| vector(t)).collect())
        }
        fn embed_each(
            &self,
            texts: &[String],
            done: &(dyn Fn(usize) + Sync),
            sink: &(dyn Fn(usize, Vec<Vec<f32>>) -> Result<()> + Sync),
        ) -> Result<()> {
            let starts: Vec<usize> = (0..texts.len()).step_by(3).collect();
            for &s in starts.iter().rev() {
                let end = (s + 3).min(texts.len());
                sink(s, self.embed(&texts[s..end])?)?;
                done(end - s);
            }
            Ok(())
        }
    }

    fn vector(t: &str) -> Vec<f32> {
        let n = t.len() as f32;
        vec![n.sin(), -0.0, 1.0 / (n + 0.3)]
    }

    fn texts() -> Vec<String> {
        ["a", "bb", "a", "cccc", "ddd", "bb", "eeeee", "ffffff", "g"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn on_disk_the_vectors_are_the_embedders_bit_for_bit() {
        let dir = tempfile::tempdir().unwrap();
        let t = texts();
        let memory = VectorStore::embed(&Batches, &t, usize::MAX, dir.path()).unwrap();
        let disk = VectorStore::embed(&Batches, &t, 0, dir.path()).unwrap();
        assert!(!memory.spilled());
        assert!(disk.spilled());
        assert_eq!(disk.len(), t.len());
        for (k, text) in t.iter().enumerate() {
            let want: Vec<u32> = vector(text).iter().map(|x| x.to_bits()).collect();
            let m: Vec<u32> = memory.get(k).iter().map(|x| x.to_bits()).collect();
            let d: Vec<u32> = disk.get(k).iter().map(|x| x.to_bits()).collect();
            assert_eq!(m, want, "text {k} in memory");
            assert_eq!(d, want, "text {k} on disk");
        }
        assert_eq!(memory.cosine(1, 5).to_bits(), disk.cosine(1, 5).to_bits());
        // The unnamed file leaves nothing behind in the folder.
        drop(disk);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn repeated_texts_share_one_row() {
        let dir = tempfile::tempdir().unwrap();
        let s = VectorStore::embed(&Batches, &texts(), usize::MAX, dir.path()).unwrap();
        assert_eq!(s.slot, vec![0, 1, 0, 2, 3, 1, 4, 5, 6]);
        match &s.rows {
            Rows::Memory(v) => assert_eq!(v.len(), 7),
            Rows::Disk { .. } => panic!("in memory"),
        }
    }

    /// Hands over every text but the last.
    struct Short;
    impl Embedder for Short {
        fn name(&self) -> String {
            "short".into()
        }
        fn dim(&self) -> usize {
            3
        }
        fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
            Ok(texts.iter().skip(1).map(|t| vector(t)).collect())
        }
        fn embed_each(
            &self,
            texts: &[String],
            _done: &(dyn Fn(usize) + Sync),
            sink: &(dyn Fn(usize, Vec<Vec<f32>>) -> Result<()> + Sync),
        ) -> Result<()> {
            sink(0, self.embed(texts)?)
        }
    }

    #[test]
    fn missing_vectors_are_an_error_not_zeros() {
        let dir = tempfile::tempdir().unwrap();
        for limit in [0, usize::MAX] {
            let e = VectorStore::embed(&Short, &texts(), limit, dir.path()).unwrap_err();
            assert!(e.to_string().contains("vectors"), "{e}");
        }
    }

    #[test]
    fn a_failed_read_is_kept_for_the_check() {
        let s = VectorStore {
            dim: 2,
            slot: vec![0],
            // A file cut short: its one row is not there.
            rows: Rows::Disk {
                file: tempfile::tempfile().unwrap(),
                count: 1,
            },
            failed: Default::default(),
        };
        s.check().unwrap();
        assert_eq!(&*s.get(0), &[0.0, 0.0]);
        let e = s.check().unwrap_err().to_string();
        assert!(e.contains("cannot read the link vectors back"), "{e}");
    }

    #[test]
    fn from_rows_keeps_each_row() {
        let s = VectorStore::from_rows(vec![vec![1.0, 0.0], vec![0.0, 1.0]]);
        assert_eq!(s.len(), 2);
        assert_eq!(s.cosine(0, 1), 0.0);
        assert_eq!(&*s.get(1), &[0.0, 1.0]);
        assert!(VectorStore::default().is_empty());
    }
}
