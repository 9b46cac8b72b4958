//! Time: parsing the export's timestamps (RFC 3339, or naive in the run's
//! time zone), formatting them back, ISO weeks. One place for every stage
//! and reader.

use chrono::{DateTime, Datelike, LocalResult, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

const NAIVE_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
];

/// RFC 3339, or `YYYY-MM-DD HH:MM[:SS]` in `tz`. Returns Unix seconds.
pub fn parse_timestamp(s: &str, tz: Tz) -> Result<i64, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp());
    }
    for f in NAIVE_FORMATS {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, f) {
            return match tz.from_local_datetime(&naive) {
                LocalResult::Single(t) => Ok(t.timestamp()),
                // A repeated hour at a clock change: take the first.
                LocalResult::Ambiguous(a, _) => Ok(a.timestamp()),
                LocalResult::None => Err(format!(
                    "timestamp '{s}' does not exist in time zone {tz} (clock change)"
                )),
            };
        }
    }
    Err(format!(
        "bad timestamp '{s}': expected RFC 3339 (2026-10-03T09:14:00+08:00) or YYYY-MM-DD HH:MM[:SS]"
    ))
}

/// ISO week (`2026-W41`) of a time in the run's time zone.
pub fn iso_week(t: i64, tz: Tz) -> String {
    match tz.timestamp_opt(t, 0).single() {
        Some(d) => {
            let w = d.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
        None => "unknown".into(),
    }
}

/// A time as RFC 3339 in the run's time zone.
pub fn format_time(t: i64, tz: Tz) -> String {
    match tz.timestamp_opt(t, 0).single() {
        Some(d) => d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        None => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        let utc: Tz = "UTC".parse().unwrap();
        let sh: Tz = "Asia/Shanghai".parse().unwrap();
        let a = parse_timestamp("2026-10-03T09:14:00+08:00", utc).unwrap();
        let b = parse_timestamp("2026-10-03 09:14", sh).unwrap();
        let c = parse_timestamp("2026-10-03 01:14:00", utc).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert!(parse_timestamp("03/10/2026", utc).is_err());
        let ny: Tz = "America/New_York".parse().unwrap();
        assert!(parse_timestamp("2026-03-08 02:30", ny)
            .unwrap_err()
            .contains("does not exist"));
    }
}
