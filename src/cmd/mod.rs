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
