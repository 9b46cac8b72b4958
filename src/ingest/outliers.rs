//! Rows dated far outside the bulk of the export: rejected, not measured.
//!
//! One row dated 2100 would move the data's end, and with it which
//! episodes are measured and the headline FCR. The bulk is the middle half
//! of the contact times; Tukey's "far out" fences lie three interquartile
//! ranges beyond it, the range taken as at least a month (or a repeat
//! window, if longer) so a short or lopsided export keeps its edges: only
//! rows months away from the rest are rejected.

use chrono_tz::Tz;

use crate::model::{Contact, Ingested, RejectKind, Rejection};
use crate::time::format_time;

const FENCE_IQRS: i64 = 3;
const MONTH_SECS: i64 = 31 * 86_400;

/// The accepted time range `[low, high]` for these times, or `None` when
/// there are too few to tell a bulk from an outlier.
pub(super) fn fences(times: &[i64], min_spread_secs: i64) -> Option<(i64, i64)> {
    if times.len() < 4 {
        return None;
    }
    let mut t = times.to_vec();
    t.sort_unstable();
    let q = |p: usize| t[(t.len() - 1) * p / 4];
    let (q1, q3) = (q(1), q(3));
    let spread = (q3 - q1).max(min_spread_secs).max(MONTH_SECS);
    Some((
        q1.saturating_sub(FENCE_IQRS.saturating_mul(spread)),
        q3.saturating_add(FENCE_IQRS.saturating_mul(spread)),
    ))
}

/// Moves contacts dated outside the fences to the rejections, with their
/// fields as a CSV row (the parsed row: its raw bytes are not kept).
pub(super) fn reject_outlying_times(out: &mut Ingested, min_spread_secs: i64, tz: Tz) {
    let times: Vec<i64> = out.contacts.iter().map(|c| c.started_at).collect();
    let Some((low, high)) = fences(&times, min_spread_secs) else {
        return;
    };
    if times.iter().all(|&t| (low..=high).contains(&t)) {
        return;
    }
    let contacts = std::mem::take(&mut out.contacts);
    for c in contacts {
        if (low..=high).contains(&c.started_at) {
            out.contacts.push(c);
            continue;
        }
        let st = &mut out.stats;
        st.rows_accepted -= 1;
        st.rows_rejected += 1;
        st.anonymous_contacts -= u64::from(c.customer_id.is_none());
        st.empty_text_contacts -= u64::from(c.text.trim().is_empty());
        *st.rejected_by_reason
            .entry(RejectKind::OutlyingTimestamp.as_str().to_string())
            .or_default() += 1;
        out.rejected.push(Rejection {
            file: out
                .files
                .get(c.source.file as usize)
                .cloned()
                .unwrap_or_default(),
            line: c.source.line,
            column: "started_at".into(),
            reason: format!(
                "started_at {} lies far outside the export's dates (accepted: {} to {}, \
                 three interquartile ranges around the middle half of the contacts)",
                format_time(c.started_at, tz),
                format_time(low, tz),
                format_time(high, tz)
            ),
            raw_row: parsed_row(&c, tz),
        });
    }
    // rejected.csv stays in input order: by file, then line.
    let order: std::collections::HashMap<&str, usize> = out
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), i))
        .collect();
    out.rejected
        .sort_by_key(|r| (order.get(r.file.as_str()).copied(), r.line));
}

/// The contract's required columns and channel, as one CSV record.
fn parsed_row(c: &Contact, tz: Tz) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let started = format_time(c.started_at, tz);
    let record = [
        c.contact_id.as_str(),
        c.customer_raw.as_str(),
        started.as_str(),
        c.text.as_str(),
        c.channel.as_str(),
    ];
    if w.write_record(record).is_err() {
        return String::new();
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    #[test]
    fn a_row_dated_2100_is_outside_a_month() {
        let mut month: Vec<i64> = (0..30).map(|d| 1_790_000_000 + d * DAY).collect();
        let (low, high) = fences(&month, 7 * DAY).unwrap();
        assert!(month.iter().all(|t| (low..=high).contains(t)));
        // The next and the last month are still inside.
        assert!(high > month[29] + 60 * DAY && low < month[0] - 60 * DAY);
        month.push(4_102_444_800); // 2100-01-01
        let (_, high) = fences(&month, 7 * DAY).unwrap();
        assert!(high < 4_102_444_800);
    }

    #[test]
    fn a_one_day_export_keeps_months_of_slack_and_tiny_ones_are_left_alone() {
        let day: Vec<i64> = (0..100).map(|m| 1_790_000_000 + m * 600).collect();
        let (low, high) = fences(&day, 7 * DAY).unwrap();
        assert!(high - day[99] >= 90 * DAY && day[0] - low >= 90 * DAY);
        assert!(high - day[99] < 100 * DAY);
        assert_eq!(fences(&[1, 2, 4_102_444_800], DAY), None);
    }
}
