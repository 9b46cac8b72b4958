use clap::{Parser, Subcommand};

/// recontact — why customers have to come back.
///
/// Links every customer's repeat contacts about the same issue into
/// episodes, measures first contact resolution (FCR), and writes the
/// results as CSV and JSON for the monthly root-cause review.
#[derive(Parser)]
#[command(
    name = "recontact",
    version,
    propagate_version = true,
    after_help = EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Run(Box<recontact::cmd::run::Args>),
    Init(recontact::cmd::init::Args),
    History(recontact::cmd::history::Args),
    Eval(recontact::cmd::eval::Args),
    ClusterEval(recontact::cmd::cluster_eval::Args),
    /// Model-folder tools: `model import` converts a Hugging Face folder for rust-bert.
    Model(recontact::cmd::model::Args),
    Search(recontact::cmd::search::Args),
    Sample(recontact::cmd::sample::Args),
}

/// Shown in `--help`; the README lists the same.
const EXIT_CODES: &str = "Exit codes:
  0    success
  2    usage or configuration error (a flag, setting, config file or query)
  3    input unreadable (an input path missing, a file not readable as contacts)
  4    no usable contacts (an empty export, or every row rejected); the last output is kept
  5    output not writable (or refused: --out is, holds or sits inside an input)
  101  internal error (a bug: please report it with the command)";

fn main() {
    // `recontact search … | head` stops quietly when the reader goes away,
    // as Unix tools do, instead of panicking on the closed pipe.
    #[cfg(target_os = "linux")]
    // SAFETY: restores the default disposition before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(a) => recontact::cmd::run::run(*a),
        Command::Init(a) => recontact::cmd::init::run(a),
        Command::History(a) => recontact::cmd::history::run(a),
        Command::Eval(a) => recontact::cmd::eval::run(a),
        Command::ClusterEval(a) => recontact::cmd::cluster_eval::run(a),
        Command::Model(a) => recontact::cmd::model::run(a),
        Command::Search(a) => recontact::cmd::search::run(a),
        Command::Sample(a) => recontact::cmd::sample::run(a),
    };
    if let Err(e) = result {
        std::process::exit(recontact::cmd::report_error(&e));
    }
}
