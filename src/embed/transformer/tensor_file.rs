//! A safetensors file read one tensor at a time.
//!
//! The `safetensors` crate parses a file only from a buffer holding all of
//! it (its header check compares the offsets with the buffer's length), so
//! loading a model meant the whole file in memory beside the copies made
//! from it: for multilingual-e5-small, 470 MB more at the run's start, the
//! peak of any month under ~50k contacts. Here the 8-byte length and the
//! JSON header are read by hand (the format is just that), each tensor's
//! bytes are read when it is asked for, and the crate's `TensorView`
//! checks each one's size as before.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use safetensors::tensor::TensorView;
use safetensors::Dtype;
use serde::Deserialize;

/// The header of a file larger than this is not believed (the crate's own
/// limit).
const MAX_HEADER: u64 = 100_000_000;

#[derive(Debug, Deserialize)]
struct Entry {
    dtype: Dtype,
    shape: Vec<usize>,
    data_offsets: (u64, u64),
}

pub(super) struct TensorFile {
    path: PathBuf,
    data_start: u64,
    entries: HashMap<String, Entry>,
}

impl TensorFile {
    pub(super) fn open(path: &Path) -> anyhow::Result<TensorFile> {
        let bad = |what: &str| anyhow!("{}: cannot read safetensors: {what}", path.display());
        let mut f = File::open(path).with_context(|| bad("cannot open"))?;
        let file_len = f.metadata().with_context(|| bad("cannot stat"))?.len();
        let mut len = [0u8; 8];
        f.read_exact(&mut len).map_err(|_| bad("too short"))?;
        let n = u64::from_le_bytes(len);
        if n > MAX_HEADER || 8 + n > file_len {
            return Err(bad("header length out of range"));
        }
        let mut header = vec![0u8; n as usize];
        f.read_exact(&mut header)
            .map_err(|_| bad("header cut short"))?;
        let raw: HashMap<String, serde_json::Value> =
            serde_json::from_slice(&header).map_err(|e| bad(&format!("header: {e}")))?;
        let data_start = 8 + n;
        let mut entries = HashMap::with_capacity(raw.len());
        for (name, v) in raw {
            if name == "__metadata__" {
                continue;
            }
            let e: Entry =
                serde_json::from_value(v).map_err(|e| bad(&format!("tensor {name}: {e}")))?;
            let (start, end) = e.data_offsets;
            if start > end || data_start + end > file_len {
                return Err(bad(&format!("tensor {name}: offsets outside the file")));
            }
            entries.insert(name, e);
        }
        Ok(TensorFile {
            path: path.to_path_buf(),
            data_start,
            entries,
        })
    }

    pub(super) fn contains(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    /// The tensor's dtype and shape, when the file has it.
    pub(super) fn describe(&self, name: &str) -> Option<(Dtype, &[usize])> {
        self.entries
            .get(name)
            .map(|e| (e.dtype, e.shape.as_slice()))
    }

    /// The tensor's bytes, as a reader positioned at its start, and their
    /// length.
    pub(super) fn reader(&self, name: &str) -> anyhow::Result<(impl Read, u64)> {
        let e = self.entry(name)?;
        let len = e.data_offsets.1 - e.data_offsets.0;
        let mut f = File::open(&self.path)
            .with_context(|| format!("{}: cannot open", self.path.display()))?;
        f.seek(SeekFrom::Start(self.data_start + e.data_offsets.0))
            .with_context(|| format!("{}: tensor {name}: cannot seek", self.path.display()))?;
        Ok((BufReader::with_capacity(1 << 20, f.take(len)), len))
    }

    /// Calls `use_view` with the tensor read into memory (and checked).
    pub(super) fn with_view<T>(
        &self,
        name: &str,
        use_view: impl FnOnce(&TensorView<'_>) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let e = self.entry(name)?;
        let (mut r, len) = self.reader(name)?;
        let mut bytes = vec![0u8; len as usize];
        r.read_exact(&mut bytes)
            .with_context(|| format!("{}: tensor {name}: cut short", self.path.display()))?;
        let view = TensorView::new(e.dtype, e.shape.clone(), &bytes)
            .map_err(|err| anyhow!("{}: tensor {name}: {err}", self.path.display()))?;
        use_view(&view)
    }

    fn entry(&self, name: &str) -> anyhow::Result<&Entry> {
        match self.entries.get(name) {
            Some(e) => Ok(e),
            None => bail!("{} lacks tensor {name}", self.path.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::safetensors::Load;
    use candle_core::{Device, Tensor};

    #[test]
    fn reads_each_tensor_as_the_crate_does_and_rejects_a_bad_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("m.safetensors");
        let a = Tensor::new(&[[1f32, 2., 3.], [4., 5., 6.]], &Device::Cpu).expect("a");
        let b = Tensor::new(&[7f32, 8.], &Device::Cpu).expect("b");
        candle_core::safetensors::save(
            &HashMap::from([("a".to_string(), a), ("b".to_string(), b)]),
            &path,
        )
        .expect("save");
        let f = TensorFile::open(&path).expect("open");
        assert!(f.contains("a") && !f.contains("c"));
        assert_eq!(f.describe("a"), Some((Dtype::F32, &[2usize, 3][..])));
        let got = f
            .with_view("a", |v| {
                Ok(v.load(&Device::Cpu)?.flatten_all()?.to_vec1::<f32>()?)
            })
            .expect("a");
        assert_eq!(got, vec![1., 2., 3., 4., 5., 6.]);
        let mut raw = Vec::new();
        f.reader("b")
            .expect("b")
            .0
            .read_to_end(&mut raw)
            .expect("read");
        assert_eq!(raw, [7f32.to_le_bytes(), 8f32.to_le_bytes()].concat());
        assert!(f.with_view("c", |_| Ok(())).is_err());

        // Cut short: the offsets point past the end.
        let bytes = std::fs::read(&path).expect("read");
        std::fs::write(&path, &bytes[..bytes.len() - 4]).expect("write");
        let e = TensorFile::open(&path)
            .err()
            .expect("a cut file is an error");
        assert!(e.to_string().contains("m.safetensors"), "{e}");
        std::fs::write(&path, b"\xff\xff\xff\xff\xff\xff\xff\xff{}").expect("write");
        assert!(TensorFile::open(&path).is_err());
    }
}
