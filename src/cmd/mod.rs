//! Subcommands: each file holds its usage text (clap `Args`) and a small `run`.

pub mod cluster_eval;
pub mod eval;
pub mod history;
pub mod init;
pub mod model;
pub mod run;
pub mod run_config;
pub mod sample;
pub mod search;

/// Prints a failed command's error on stderr, as `recontact` does, and
/// returns its exit code: the `Failure` attached at any depth of the
/// error's chain, else 2 (usage or configuration). The binary and the
/// Python package (`python/`) both end this way.
pub fn report_error(e: &anyhow::Error) -> i32 {
    // Error messages quote the input: its control characters are shown.
    eprintln!("error: {}", crate::text::terminal_safe(&format!("{e:#}")));
    e.downcast_ref::<crate::model::Failure>()
        .map_or(2, |f| f.exit_code())
}
