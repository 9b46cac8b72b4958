//! The integration tests, one binary: each module runs the built `recontact`
//! binary on small inputs and checks what it writes. Shared helpers live in
//! `util`.

mod history;
mod hostile;
mod init;
mod month_over_month;
mod multilingual_default;
mod parquet;
mod real_text;
mod realistic_month;
mod report_browser;
mod root_cause;
mod run_cli;
mod sample_month;
mod search_sample;
mod traditional_month;
mod util;
mod workbook;
