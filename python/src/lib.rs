//! recontact's Python package, `recontact._native` (built by maturin from
//! this workspace): the same `recontact run`, with the model's encoder
//! batches handed to a Python callable (the Spark driver sends them to
//! its executors), and the encoder those executors call.
//!
//! No stage is written twice: everything here calls the `recontact`
//! crate; this file only carries bytes across the language boundary.

use std::path::Path;
use std::sync::Arc;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use recontact::embed::offload::{self, Offload, SharedOffload};
use recontact::embed::{CandleEmbedder, Embedder};

/// A Python callable `forward(model_dir: str, batches: list[tuple[bytes,
/// bytes]]) -> list[bytes]`: each batch's token ids (`offload::encode_ids`)
/// in, its vectors (`offload::encode_vectors`) out, in order.
struct PyOffload {
    forward: Py<PyAny>,
}

impl Offload for PyOffload {
    fn forward(
        &self,
        model_dir: &Path,
        batches: &[&[Vec<u32>]],
    ) -> anyhow::Result<Vec<Vec<Vec<f32>>>> {
        let encoded: Vec<(Vec<u8>, Vec<u8>)> =
            batches.iter().map(|b| offload::encode_ids(b)).collect();
        let dir = model_dir.to_string_lossy().into_owned();
        let results: Vec<Vec<u8>> = Python::attach(|py| -> PyResult<Vec<Vec<u8>>> {
            let args: Vec<(Bound<'_, PyBytes>, Bound<'_, PyBytes>)> = encoded
                .iter()
                .map(|(l, i)| (PyBytes::new(py, l), PyBytes::new(py, i)))
                .collect();
            let out = self.forward.call1(py, (dir, args))?;
            let out: Vec<Bound<'_, PyBytes>> = out.extract(py)?;
            Ok(out.iter().map(|b| b.as_bytes().to_vec()).collect())
        })
        .map_err(|e| anyhow::anyhow!("the offloaded encoder failed: {e}"))?;
        // How many came back, and their sizes, the embedder checks for
        // every offload.
        results
            .iter()
            .zip(batches)
            .map(|(bytes, batch)| {
                let n = batch.len();
                let dim = (bytes.len() / 4).checked_div(n).unwrap_or(0);
                offload::decode_vectors(bytes, n, dim)
            })
            .collect()
    }
}

/// `None` when `argv` are flags `recontact run` takes; else what it says
/// (help, version, a usage error) is printed and its exit code returned.
/// The Spark driver asks before it starts a JVM.
#[pyfunction]
fn check_args(argv: Vec<String>) -> Option<i32> {
    parse(&argv).err()
}

/// `run`'s flags, or the exit code of what clap printed instead: --help
/// and --version succeed, a usage error is 2.
fn parse(argv: &[String]) -> Result<recontact::cmd::run::Args, i32> {
    recontact::cmd::run::parse_args(argv).map_err(|e| {
        let _ = e.print();
        e.exit_code()
    })
}

/// `recontact run` with these arguments (`argv[0]` is the program's name);
/// with `forward`, the model's encoder batches go to it (see
/// [`PyOffload`]). Returns the exit code the `recontact` binary would:
/// 0, 2 (usage, configuration, or a failed offload), 3, 4, 5, or 101 for
/// a bug (a panic).
#[pyfunction]
#[pyo3(signature = (argv, forward=None))]
fn run(py: Python<'_>, argv: Vec<String>, forward: Option<Py<PyAny>>) -> PyResult<i32> {
    let args = match parse(&argv) {
        Ok(a) => a,
        Err(code) => return Ok(code),
    };
    let offload = forward.map(|f| Arc::new(PyOffload { forward: f }) as SharedOffload);
    // The run calls back into Python from its own threads: let go of the
    // interpreter meanwhile. A panic is a bug, 101 as the binary's (the
    // panic hook has printed it).
    let result = py.detach(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            recontact::cmd::run::run_with(args, offload)
        }))
    });
    match result {
        Err(_) => Ok(101),
        Ok(Ok(())) => Ok(0),
        Ok(Err(e)) => Ok(recontact::cmd::report_error(&e)),
    }
}

/// A sentence-embedding model folder loaded for an executor: runs the
/// batches a driver cut, one at a time, each exactly as given.
#[pyclass(frozen)]
struct Encoder {
    inner: CandleEmbedder,
}

#[pymethods]
impl Encoder {
    #[new]
    fn new(model_dir: &str) -> PyResult<Self> {
        let inner = CandleEmbedder::load(Path::new(model_dir))
            .map_err(|e| PyValueError::new_err(format!("{e:#}")))?;
        Ok(Self { inner })
    }

    /// Length of each vector.
    fn dim(&self) -> usize {
        self.inner.dim()
    }

    /// One batch's vectors (f32 little-endian, row after row) from its
    /// token ids as the driver encoded them.
    fn forward<'py>(
        &self,
        py: Python<'py>,
        lengths: &[u8],
        ids: &[u8],
    ) -> PyResult<Bound<'py, PyBytes>> {
        let ids = offload::decode_ids(lengths, ids)
            .map_err(|e| PyValueError::new_err(format!("{e:#}")))?;
        let vectors = py
            .detach(|| self.inner.forward_batch(&ids))
            .map_err(|e| PyRuntimeError::new_err(format!("{e:#}")))?;
        Ok(PyBytes::new(py, &offload::encode_vectors(&vectors)))
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(check_args, m)?)?;
    m.add_class::<Encoder>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
