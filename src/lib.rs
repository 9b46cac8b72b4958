//! recontact: links a contact centre's repeat contacts into issue episodes,
//! measures first contact resolution, and mines why customers come back. See ARCHITECTURE.md for the map of stages.

#[cfg(test)]
mod architecture_tests;
pub mod cluster;
pub mod cmd;
pub mod embed;
pub mod episodes;
pub mod eval;
pub mod history;
pub mod index;
pub mod ingest;
pub mod label;
pub mod layout;
pub mod metrics;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod rank;
pub mod reasons;
pub mod report;
pub mod sample;
pub mod search;
pub mod settings;
pub mod taxonomy;
#[cfg(test)]
pub(crate) mod test_support;
pub mod text;
pub mod themes;
pub mod time;
pub mod trend;
