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

/// ISO dates with an offset written without the colon (`+0800`, as many
/// CRM exports do) or after a space.
const OFFSET_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M%z",
    "%Y-%m-%dT%H:%M%z",
];

/// RFC 3339; an ISO date and time with an offset (`+0800`, `+08:00`); Unix
/// epoch seconds (9-10 digits) or milliseconds (12-13 digits); or
/// `YYYY-MM-DD HH:MM[:SS]` in `tz`. Returns Unix seconds.
pub fn parse_timestamp(s: &str, tz: Tz) -> Result<i64, String> {
    parse_timestamp_as(s, tz, None)
}

/// [`parse_timestamp`], trying `format` (strftime, `--date-format`) first:
/// with `%z` an offset is read, else the time is in `tz`; a format without
/// a time reads midnight. Day-first and month-first dates are never
/// guessed: `03/10/2026` needs a format.
pub fn parse_timestamp_as(s: &str, tz: Tz, format: Option<&str>) -> Result<i64, String> {
    let s = s.trim();
    let t = parse_any(s, tz, format)?;
    if !(EARLIEST..LATEST).contains(&t) {
        return Err(format!(
            "timestamp '{s}' is outside the years 1900-2199 that recontact reads"
        ));
    }
    Ok(t)
}

/// 1900-01-01T00:00:00Z and 2200-01-01T00:00:00Z: no contact is older or
/// later, and beyond them a time no longer fits downstream (the index
/// stores nanoseconds in an i64: years 1677-2262; a local time near
/// chrono's limits panics when formatted). A stray far-future row inside
/// them is the outlier check's (`ingest::outliers`).
pub const EARLIEST: i64 = -2_208_988_800;
pub const LATEST: i64 = 7_258_118_400;

fn parse_any(s: &str, tz: Tz, format: Option<&str>) -> Result<i64, String> {
    if let Some(f) = format {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Ok(t.timestamp());
        }
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, f) {
            return local(naive, s, tz);
        }
        if let Ok(day) = chrono::NaiveDate::parse_from_str(s, f) {
            return local(day.and_time(chrono::NaiveTime::MIN), s, tz);
        }
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp());
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        // 9-10 digits: seconds since 1970 (2001-2286); 12-13: milliseconds.
        // Other lengths (20261003) are not guessed at.
        let n: i64 = s.parse().map_err(|_| format!("bad timestamp '{s}'"))?;
        match s.len() {
            9 | 10 => return Ok(n),
            12 | 13 => return Ok(n.div_euclid(1000)),
            _ => {}
        }
    }
    for f in OFFSET_FORMATS {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Ok(t.timestamp());
        }
    }
    for f in NAIVE_FORMATS {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, f) {
            return local(naive, s, tz);
        }
    }
    let hint = if s.contains('/') || s.contains('.') && !s.contains(':') {
        " — a day-first or month-first date is not guessed: pass --date-format (e.g. '%d/%m/%Y %H:%M' or '%m/%d/%Y %H:%M')"
    } else {
        ""
    };
    Err(match format {
        Some(f) => format!(
            "bad timestamp '{s}': does not match --date-format '{f}', nor RFC 3339 (2026-10-03T09:14:00+08:00), YYYY-MM-DD HH:MM[:SS][+0800] or epoch seconds"
        ),
        None => format!(
            "bad timestamp '{s}': expected RFC 3339 (2026-10-03T09:14:00+08:00), YYYY-MM-DD HH:MM[:SS][+0800] or epoch seconds{hint}"
        ),
    })
}

/// A wall-clock time in `tz`.
fn local(naive: NaiveDateTime, s: &str, tz: Tz) -> Result<i64, String> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.timestamp()),
        // A repeated hour at a clock change: take the first.
        LocalResult::Ambiguous(a, _) => Ok(a.timestamp()),
        LocalResult::None => Err(format!(
            "timestamp '{s}' does not exist in time zone {tz} (clock change)"
        )),
    }
}

/// A time in `tz`, `None` outside the years recontact reads (near chrono's
/// limits a local time panics when formatted).
fn in_tz(t: i64, tz: Tz) -> Option<DateTime<Tz>> {
    if !(EARLIEST..LATEST).contains(&t) {
        return None;
    }
    tz.timestamp_opt(t, 0).single()
}

/// ISO week (`2026-W41`) of a time in the run's time zone.
pub fn iso_week(t: i64, tz: Tz) -> String {
    match in_tz(t, tz) {
        Some(d) => {
            let w = d.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
        None => "unknown".into(),
    }
}

/// The calendar month (`2026-10`) that holds the most of these times in
/// the run's time zone, the earliest on a tie: a month's export labelled by
/// its bulk, whatever stray rows it holds. `None` when there are none.
pub fn main_month(times: impl Iterator<Item = i64>, tz: Tz) -> Option<String> {
    let mut months: std::collections::BTreeMap<(i32, u32), usize> = Default::default();
    for t in times {
        if let Some(d) = in_tz(t, tz) {
            *months.entry((d.year(), d.month())).or_default() += 1;
        }
    }
    let best = months.values().copied().max()?;
    let ((y, m), _) = months.into_iter().find(|&(_, n)| n == best)?;
    Some(format!("{y:04}-{m:02}"))
}

/// Whether a `--period` label can stand in ids, file names and partition
/// paths: 1–32 of ASCII letters, digits, `-`, `_`, `.`.
pub fn check_period(p: &str) -> Result<(), String> {
    let ok = (1..=32).contains(&p.len())
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "--period '{p}': expected a label such as 2026-10 (1-32 letters, digits, '-', '_', '.')"
        ))
    }
}

/// A time as RFC 3339 in the run's time zone.
pub fn format_time(t: i64, tz: Tz) -> String {
    match in_tz(t, tz) {
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
        assert!(parse_timestamp("03/10/2026", utc)
            .unwrap_err()
            .contains("--date-format"));
        // Offsets without a colon, epoch seconds and milliseconds.
        assert_eq!(parse_timestamp("2026-10-03 09:14:00+0800", utc), Ok(a));
        assert_eq!(parse_timestamp("2026-10-03T09:14:00+0800", utc), Ok(a));
        assert_eq!(parse_timestamp(&a.to_string(), utc), Ok(a));
        assert_eq!(parse_timestamp(&format!("{a}123"), utc), Ok(a));
        assert!(parse_timestamp("20261003", utc).is_err());
        // Day-first and month-first only with a format.
        let dmy = parse_timestamp_as("03/10/2026 09:14", sh, Some("%d/%m/%Y %H:%M"));
        assert_eq!(dmy, Ok(a));
        let mdy = parse_timestamp_as("10/03/2026 09:14", sh, Some("%m/%d/%Y %H:%M"));
        assert_eq!(mdy, Ok(a));
        let day = parse_timestamp_as("03.10.2026", utc, Some("%d.%m.%Y")).unwrap();
        assert_eq!(day, c - (60 + 14) * 60);
        assert!(parse_timestamp_as("2026-10-03", utc, Some("%d/%m/%Y")).is_err());
        let ny: Tz = "America/New_York".parse().unwrap();
        let sept = parse_timestamp("2026-09-30 23:30", utc).unwrap();
        assert_eq!(
            main_month([sept, a, c].into_iter(), utc).as_deref(),
            Some("2026-10")
        );
        assert_eq!(
            main_month([sept].into_iter(), sh).as_deref(),
            Some("2026-10")
        );
        assert_eq!(
            main_month([a, sept].into_iter(), utc).as_deref(),
            Some("2026-09")
        );
        assert_eq!(main_month(std::iter::empty(), utc), None);
        assert!(check_period("2026-10").is_ok());
        assert!(check_period("").is_err());
        assert!(check_period("../x").is_err());
        assert!(parse_timestamp("2026-03-08 02:30", ny)
            .unwrap_err()
            .contains("does not exist"));
    }

    #[test]
    fn times_beyond_what_recontact_reads_are_refused() {
        let sh: Tz = "Asia/Shanghai".parse().unwrap();
        // Years chrono reads but nothing downstream holds: the index keeps
        // nanoseconds in an i64 (`search`'s property found tantivy's
        // overflow), and chrono panics formatting a local time near its
        // limits ("Local time out of range").
        assert!(parse_timestamp("+262143-12-31 23:59:59+0000", sh).is_err());
        for s in [
            "9999-12-31T23:59:59Z",
            "2300-01-01 00:00",
            "1899-12-31T23:59:59Z",
        ] {
            let e = parse_timestamp(s, sh).unwrap_err();
            assert!(e.contains("outside the years 1900-2199"), "{s}: {e}");
        }
        assert!(parse_timestamp("2199-12-31T23:59:59Z", sh).is_ok());
        assert_eq!(format_time(i64::MAX, sh), i64::MAX.to_string());
        assert_eq!(iso_week(i64::MIN, sh), "unknown");
    }

    mod props {
        use super::super::*;
        use crate::test_support::{fuzz_config, hostile_text};
        use proptest::prelude::*;

        const ZONES: &[&str] = &[
            "UTC",
            "Asia/Shanghai",
            "Asia/Jerusalem",
            "America/New_York",
            "Pacific/Kiritimati",
            "Pacific/Pago_Pago",
            "Australia/Lord_Howe",
        ];

        fn zone() -> impl Strategy<Value = Tz> {
            proptest::sample::select(ZONES).prop_map(|z| z.parse::<Tz>().unwrap())
        }

        /// strftime formats as a user might write them, and broken ones.
        fn format() -> impl Strategy<Value = String> {
            let parts = [
                "%Y", "%m", "%d", "%H", "%M", "%S", "%z", "%:z", "%#z", "%s", "%.f", "%.3f", "%b",
                "%e", "%j", "%%", "%", "%Q", "%+", "%c", "%-d", "-", "/", ":", " ", "T", ".",
            ];
            proptest::collection::vec(proptest::sample::select(parts.to_vec()), 0..8)
                .prop_map(|v| v.concat())
        }

        /// Near-valid timestamps: every field a little out of range, any
        /// year chrono reads, any separator and offset.
        fn near_valid() -> impl Strategy<Value = String> {
            (
                prop_oneof![-300_000i64..300_000, 1890i64..2210],
                0u32..14,
                0u32..33,
                0u32..26,
                0u32..62,
                0u32..62,
                proptest::sample::select(&["T", " ", "t", ""]),
                proptest::sample::select(&[
                    "Z",
                    "+08:00",
                    "+0800",
                    "-1400",
                    " +0530",
                    "",
                    ".999999999Z",
                    "+24:00",
                ]),
            )
                .prop_map(|(y, mo, d, h, mi, s, sep, off)| {
                    let year = if (0..10_000).contains(&y) {
                        format!("{y:04}")
                    } else {
                        format!("{y:+}")
                    };
                    format!("{year}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}{off}")
                })
        }

        /// A time read is within the years recontact reads, formats in any
        /// zone and reads back to itself.
        fn check(s: &str, tz: Tz, f: Option<&str>) -> Result<(), TestCaseError> {
            if let Ok(t) = parse_timestamp_as(s, tz, f) {
                prop_assert!((EARLIEST..LATEST).contains(&t), "{} -> {}", s, t);
                for z in ZONES {
                    let z: Tz = z.parse().unwrap();
                    let back = format_time(t, z);
                    // Before 1970 some zones' offsets had seconds (local
                    // mean time), which RFC 3339 output rounds off.
                    if t >= 0 {
                        prop_assert_eq!(parse_timestamp(&back, z), Ok(t), "{}", back);
                    }
                    iso_week(t, z);
                }
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(fuzz_config(1024))]

            #[test]
            fn any_text_is_read_or_refused(s in hostile_text(), tz in zone()) {
                check(&s, tz, None)?;
            }

            #[test]
            fn any_format_is_read_or_refused(s in hostile_text(), f in format(), tz in zone()) {
                check(&s, tz, Some(&f))?;
            }

            #[test]
            fn near_valid_times_are_read_or_refused(s in near_valid(), tz in zone()) {
                check(&s, tz, None)?;
                check(&s, tz, Some("%Y-%m-%d %H:%M:%S%z"))?;
            }

            #[test]
            fn any_instant_formats(t in any::<i64>(), tz in zone()) {
                format_time(t, tz);
                iso_week(t, tz);
                main_month([t, t / 2].into_iter(), tz);
            }
        }
    }
}
