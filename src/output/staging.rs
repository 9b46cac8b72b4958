//! The output folder's life: a staging folder beside `--out`, swapped into
//! place at the end, so a failed or killed run never leaves half an output
//! folder, and a run never deletes what it did not make.
//!
//! - Only a folder recontact made may be replaced: one holding [`MARKER`],
//!   an empty folder, or (outputs of versions before the marker) a folder
//!   holding `metrics.json` and nothing but recontact's own file names.
//! - `--out` may not be, contain, or sit inside an input path.
//! - Staging folders (`.NAME.tmp-PID`) and moved-aside outputs
//!   (`.NAME.old-PID`) of processes that are gone are cleaned up by the next
//!   run; an output moved aside by a run that died before the new one took
//!   its place is put back.
//! - On Linux the old and new folders swap in one `renameat2(RENAME_EXCHANGE)`,
//!   so `--out` is never missing; elsewhere two renames, recovered as above.

use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};

pub use crate::layout::MARKER;

/// What the marker says; the same for every run so outputs stay
/// byte-identical.
const MARKER_TEXT: &str =
    "This folder is a recontact output. recontact replaces it when a run writes to it again.\n";

/// The names a recontact output folder holds, for folders written before
/// the marker existed.
const OUTPUT_NAMES: &[&str] = crate::layout::ALL;

/// A staging folder beside the final one.
pub struct Staging {
    pub dir: PathBuf,
    target: PathBuf,
}

impl Staging {
    /// Creates `.NAME.tmp-PID` beside `target`, after cleaning up what dead
    /// runs left. Refuses to later replace a folder recontact did not make.
    pub fn new(target: &Path) -> Result<Staging> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .context("--out needs a folder name")?
            .to_string_lossy()
            .to_string();
        if parent.is_dir() {
            recover_dead_runs(&parent, &name);
        }
        if let Ok(meta) = fs::symlink_metadata(target) {
            if meta.file_type().is_symlink() {
                bail!(
                    "refusing to write to {}: it is a symbolic link; pass the folder it points to",
                    target.display()
                );
            }
            if !is_replaceable(target)? {
                bail!(
                    "refusing to replace {}: it exists and is not a recontact output folder (recontact only replaces folders it made, marked by {MARKER}); choose a new --out folder",
                    target.display()
                );
            }
        }
        fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let dir = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).ok();
        }
        fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        fs::write(dir.join(MARKER), MARKER_TEXT)
            .with_context(|| format!("cannot write {}", dir.join(MARKER).display()))?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
        })
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// Moves the staged folder into place, replacing an earlier output.
    pub fn commit(self) -> Result<()> {
        let old = self.dir.with_file_name(
            self.dir
                .file_name()
                .map(|n| n.to_string_lossy().replace(".tmp-", ".old-"))
                .unwrap_or_else(|| "old".into()),
        );
        if self.target.exists() {
            if exchange(&self.dir, &self.target)? {
                // The old output is now at the staging path.
                fs::remove_dir_all(&self.dir).ok();
            } else {
                fs::rename(&self.target, &old)
                    .with_context(|| format!("cannot move aside {}", self.target.display()))?;
                fs::rename(&self.dir, &self.target).with_context(|| {
                    format!("cannot move output into {}", self.target.display())
                })?;
                fs::remove_dir_all(&old).ok();
            }
        } else {
            fs::rename(&self.dir, &self.target)
                .with_context(|| format!("cannot move output into {}", self.target.display()))?;
        }
        // Disarm Drop: the staging folder is now the output.
        std::mem::forget(self);
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // A run that failed leaves nothing half-written behind.
        fs::remove_dir_all(&self.dir).ok();
    }
}

/// Swaps two folders atomically; `Ok(false)` where the system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes()).context("path with a NUL byte")?;
    let cb = CString::new(b.as_os_str().as_bytes()).context("path with a NUL byte")?;
    // SAFETY: two valid NUL-terminated paths relative to the working folder.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(true);
    }
    let err = std::io::Error::last_os_error();
    match err.raw_os_error() {
        // Old kernels and file systems without the flag: two renames.
        Some(libc::ENOSYS) | Some(libc::EINVAL) | Some(libc::EOPNOTSUPP) => Ok(false),
        _ => Err(err).with_context(|| format!("cannot move output into {}", b.display())),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> Result<bool> {
    Ok(false)
}

fn is_replaceable(dir: &Path) -> Result<bool> {
    if !dir.is_dir() {
        return Ok(false);
    }
    if dir.join(MARKER).is_file() {
        return Ok(true);
    }
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    if names.is_empty() {
        return Ok(true);
    }
    // An output of a version before the marker: its own files only.
    Ok(names.iter().any(|n| n == crate::layout::METRICS)
        && names.iter().all(|n| OUTPUT_NAMES.contains(&n.as_str())))
}

/// Whether process `pid` is still running (Linux: `/proc`); elsewhere every
/// process counts as alive, so nothing is cleaned up.
fn alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// Removes staging folders of dead runs writing `name`; puts back an output
/// a dead run moved aside and never replaced.
fn recover_dead_runs(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let tmp = format!(".{name}.tmp-");
    let old = format!(".{name}.old-");
    let target = parent.join(name);
    let mut found: Vec<(PathBuf, bool)> = Vec::new();
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let (rest, is_old) = if let Some(r) = file.strip_prefix(&tmp) {
            (r, false)
        } else if let Some(r) = file.strip_prefix(&old) {
            (r, true)
        } else {
            continue;
        };
        match rest.parse::<u32>() {
            Ok(pid) if !alive(pid) => found.push((entry.path(), is_old)),
            _ => {}
        }
    }
    found.sort();
    for (path, is_old) in found {
        let ours = path.join(MARKER).is_file() || path.join(crate::layout::METRICS).is_file();
        if is_old && ours && !target.exists() && fs::rename(&path, &target).is_ok() {
            eprintln!(
                "recontact: put back {} (an earlier run died while replacing it)",
                target.display()
            );
            continue;
        }
        fs::remove_dir_all(&path).ok();
    }
}

/// Refuses an `--out` that is, contains, or sits inside an input path: a
/// replaced output would delete the export, and outputs inside an input
/// folder would be read as input next time.
pub fn check_out_apart_from_inputs(out: &Path, inputs: &[PathBuf]) -> Result<()> {
    let out_abs = absolute(out);
    for input in inputs {
        let inp = absolute(input);
        let clash = if out_abs == inp {
            Some("is")
        } else if out_abs.starts_with(&inp) {
            Some("is inside")
        } else if inp.starts_with(&out_abs) {
            Some("contains")
        } else {
            None
        };
        if let Some(how) = clash {
            bail!(
                "refusing --out {}: it {how} the input {}; write the output to a folder of its own (e.g. out/)",
                out.display(),
                input.display()
            );
        }
    }
    Ok(())
}

/// An absolute, symlink-resolved form of a path that may not exist yet: the
/// longest existing ancestor is canonicalised and the rest appended, with
/// `.` and `..` resolved lexically.
fn absolute(path: &Path) -> PathBuf {
    let base = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut lexical = PathBuf::new();
    for c in base.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    let mut existing = lexical.clone();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    loop {
        if let Ok(canon) = existing.canonicalize() {
            let mut p = canon;
            for r in rest.iter().rev() {
                p.push(r);
            }
            return p;
        }
        match (
            existing.file_name().map(|n| n.to_os_string()),
            existing.parent(),
        ) {
            (Some(n), Some(parent)) => {
                rest.push(n);
                existing = parent.to_path_buf();
            }
            _ => return lexical,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_with_other_files_is_never_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("exports");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("metrics.json"), "{}").unwrap();
        fs::write(out.join("calls.csv"), "x").unwrap();
        let err = Staging::new(&out).err().unwrap().to_string();
        assert!(err.contains("not a recontact output"), "{err}");
        assert!(out.join("calls.csv").is_file());
    }

    #[test]
    fn marked_and_legacy_outputs_are_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        for (name, files) in [
            ("marked", vec![MARKER, "notes.txt"]),
            ("legacy", vec!["metrics.json", "report.md"]),
        ] {
            let out = tmp.path().join(name);
            fs::create_dir(&out).unwrap();
            for f in files {
                fs::write(out.join(f), "x").unwrap();
            }
            let s = Staging::new(&out).unwrap();
            fs::write(s.path("metrics.json"), "new").unwrap();
            s.commit().unwrap();
            assert_eq!(fs::read_to_string(out.join("metrics.json")).unwrap(), "new");
            assert!(out.join(MARKER).is_file());
            assert!(!out.join("report.md").exists());
        }
        // Nothing left beside the outputs.
        let left: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn out_may_not_overlap_an_input() {
        let tmp = tempfile::tempdir().unwrap();
        let exports = tmp.path().join("exports");
        fs::create_dir(&exports).unwrap();
        let calls = exports.join("calls.csv");
        fs::write(&calls, "x").unwrap();
        let inputs = vec![exports.clone()];
        for out in [
            exports.clone(),
            exports.join("out"),
            exports.join("./x/../out2"),
            tmp.path().to_path_buf(),
        ] {
            assert!(
                check_out_apart_from_inputs(&out, &inputs).is_err(),
                "{out:?}"
            );
        }
        assert!(check_out_apart_from_inputs(&exports, &[calls]).is_err());
        assert!(check_out_apart_from_inputs(&tmp.path().join("out"), &inputs).is_ok());
        assert!(check_out_apart_from_inputs(&tmp.path().join("exports-out"), &inputs).is_ok());
    }

    #[test]
    fn dead_runs_are_cleaned_and_a_moved_aside_output_put_back() {
        let tmp = tempfile::tempdir().unwrap();
        // PIDs above the kernel's pid_max (2^22) are never alive.
        let dead = 4_194_999;
        let stale = tmp.path().join(format!(".out.tmp-{dead}"));
        fs::create_dir(&stale).unwrap();
        fs::write(stale.join("contacts.csv"), "x").unwrap();
        let aside = tmp.path().join(format!(".out.old-{dead}"));
        fs::create_dir(&aside).unwrap();
        fs::write(aside.join(MARKER), MARKER_TEXT).unwrap();
        fs::write(aside.join("metrics.json"), "old").unwrap();
        let out = tmp.path().join("out");
        let s = Staging::new(&out).unwrap();
        assert!(!stale.exists());
        assert!(!aside.exists());
        assert_eq!(fs::read_to_string(out.join("metrics.json")).unwrap(), "old");
        drop(s);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_out_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("real");
        fs::create_dir(&real).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let err = Staging::new(&link).err().unwrap().to_string();
        assert!(err.contains("symbolic link"), "{err}");
    }
}
