//! The names of the files in an output folder, defined once for the
//! writers (pipeline, output) and the readers (`--previous`, `eval`,
//! `search`, `sample`, the staging safety checks). These names are part of
//! the data contract (../shared/spec/data-contract.md).

pub const CONTACTS: &str = "contacts.csv";
pub const EPISODES: &str = "episodes.csv";
pub const REJECTED: &str = "rejected.csv";
pub const METRICS: &str = "metrics.json";
pub const CATEGORIES: &str = "categories.csv";
pub const THEMES: &str = "themes.csv";
/// The tables' typed twins, for BI tools and data lakes (`--no-parquet`
/// skips them).
pub const CONTACTS_PARQUET: &str = "contacts.parquet";
pub const EPISODES_PARQUET: &str = "episodes.parquet";
pub const REJECTED_PARQUET: &str = "rejected.parquet";
pub const CATEGORIES_PARQUET: &str = "categories.parquet";
pub const THEMES_PARQUET: &str = "themes.parquet";
/// Each category's centre and keywords, for matching next month.
pub const CENTROIDS: &str = "categories.centroids.json";
/// The month-over-month id registry, carried forward month to month.
pub const CATEGORY_IDS: &str = "category_ids.json";
pub const REPORT_MD: &str = "report.md";
pub const REPORT_HTML: &str = "report.html";
pub const REPORT_JSON: &str = "report.json";
/// The full-text index folder (`recontact search`, `recontact sample`).
pub const INDEX: &str = "index";
/// The file that marks a folder as a recontact output (safe to replace).
pub const MARKER: &str = ".recontact-output";

/// Every name a run writes, for recognising output folders written before
/// the marker existed.
pub const ALL: &[&str] = &[
    CONTACTS,
    EPISODES,
    REJECTED,
    METRICS,
    CATEGORIES,
    THEMES,
    CONTACTS_PARQUET,
    EPISODES_PARQUET,
    REJECTED_PARQUET,
    CATEGORIES_PARQUET,
    THEMES_PARQUET,
    CENTROIDS,
    CATEGORY_IDS,
    REPORT_MD,
    REPORT_HTML,
    REPORT_JSON,
    INDEX,
    MARKER,
];
