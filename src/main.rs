use clap::{Parser, Subcommand};

/// recontact — why customers have to come back.
///
/// Links every customer's repeat contacts about the same issue into
/// episodes, measures first contact resolution (FCR), and writes the
/// results as CSV and JSON for the monthly root-cause review.
#[derive(Parser)]
#[command(name = "recontact", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Run(Box<recontact::cmd::run::Args>),
    Eval(recontact::cmd::eval::Args),
    ClusterEval(recontact::cmd::cluster_eval::Args),
    /// Model-folder tools: `model import` converts a Hugging Face folder for rust-bert.
    Model(recontact::cmd::model::Args),
    Search(recontact::cmd::search::Args),
    Sample(recontact::cmd::sample::Args),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(a) => recontact::cmd::run::run(*a),
        Command::Eval(a) => recontact::cmd::eval::run(a),
        Command::ClusterEval(a) => recontact::cmd::cluster_eval::run(a),
        Command::Model(a) => recontact::cmd::model::run(a),
        Command::Search(a) => recontact::cmd::search::run(a),
        Command::Sample(a) => recontact::cmd::sample::run(a),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(2);
    }
}
