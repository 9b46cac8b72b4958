//! recontact: links a contact centre's repeat contacts into issue episodes,
//! measures first contact resolution, and (next) mines why customers come
//! back. See ARCHITECTURE.md for the map of stages.

pub mod cmd;
pub mod episodes;
pub mod eval;
pub mod ingest;
pub mod metrics;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod settings;
pub mod text;
