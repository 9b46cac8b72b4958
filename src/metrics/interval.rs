//! How far the headline FCR can be trusted: the sampling interval of the
//! measured episodes (Wilson, 95 %), the rate if the borderline same-issue
//! decisions had gone the other way (linking), both together, and whether
//! the export covers enough repeat windows for the rate to mean much.

use serde::Serialize;

use super::ratio;

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Fewer repeat windows than this in the data and the headline says so:
/// most episodes are then either still open or cut at the export's start.
pub const MIN_WINDOWS: f64 = 2.0;

/// How much a same-issue threshold moves to find the borderline decisions
/// (cosine units, both tests): pairs within this of the threshold are the
/// ones a different calibration would decide otherwise.
pub const LINKING_MARGIN: f32 = 0.05;

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FcrUncertainty {
    /// 95 % Wilson interval of `fcr_episodes ÷ measured_episodes`.
    pub sampling_low: Option<f64>,
    pub sampling_high: Option<f64>,
    /// The rate with the borderline same-issue decisions flipped; `None`
    /// when the same-issue test has no threshold (`--same-issue any`).
    pub linking: Option<LinkingSensitivity>,
    /// Sampling and linking together: the lower sampling bound of the rate
    /// with borderline pairs linked, the upper bound of the rate without.
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Days from the bulk of the export's start (its first percentile of
    /// contact times) to the data's end.
    pub coverage_days: f64,
    /// How many repeat windows those days hold.
    pub repeat_windows_covered: f64,
    /// Set when the data covers fewer than [`MIN_WINDOWS`] repeat windows.
    pub caveat: Option<String>,
}

/// The headline rate with the same-issue threshold moved by `margin` both
/// ways.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LinkingSensitivity {
    /// `embedding` or `lexical`.
    pub test: String,
    pub threshold: f32,
    pub margin: f32,
    /// Threshold − margin: borderline pairs linked (more repeats).
    pub fcr_rate_if_linked: Option<f64>,
    pub measured_if_linked: usize,
    /// Threshold + margin: borderline pairs kept apart.
    pub fcr_rate_if_not_linked: Option<f64>,
    pub measured_if_not_linked: usize,
    /// Measured episodes whose FCR outcome differs between the two.
    #[serde(skip)]
    pub fcr_if_linked: usize,
    #[serde(skip)]
    pub fcr_if_not_linked: usize,
}

/// Wilson score interval for `x` successes of `n` (95 %).
pub fn wilson(x: usize, n: usize) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (x, n) = (x as f64, n as f64);
    let p = x / n;
    let z2 = Z95 * Z95;
    let den = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / den;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / den;
    let round = |v: f64| (v.clamp(0.0, 1.0) * 1e6).round() / 1e6;
    Some((round(centre - half), round(centre + half)))
}

/// The sampling interval and the coverage check; `linking` is added by
/// [`with_linking`] once the shifted linkings are known.
pub fn sampling(
    fcr: usize,
    measured: usize,
    data_start: i64,
    data_end: i64,
    window_secs: i64,
) -> FcrUncertainty {
    let w = wilson(fcr, measured);
    let secs = (data_end - data_start).max(0) as f64;
    let days = (secs / 86_400.0 * 10.0).round() / 10.0;
    let windows = if window_secs > 0 {
        (secs / window_secs as f64 * 10.0).round() / 10.0
    } else {
        0.0
    };
    let caveat = (windows < MIN_WINDOWS).then(|| {
        format!(
            "this export covers {days} days, {windows} repeat windows: only {measured} episodes could be measured, so the rate is a rough figure; export at least {} days (a whole month is best)",
            ((MIN_WINDOWS * window_secs as f64) / 86_400.0).ceil()
        )
    });
    FcrUncertainty {
        sampling_low: w.map(|w| w.0),
        sampling_high: w.map(|w| w.1),
        linking: None,
        low: w.map(|w| w.0),
        high: w.map(|w| w.1),
        coverage_days: days,
        repeat_windows_covered: windows,
        caveat,
    }
}

/// Adds the linking sensitivity; the combined interval widens to cover it.
pub fn with_linking(mut u: FcrUncertainty, l: LinkingSensitivity) -> FcrUncertainty {
    let linked = wilson(l.fcr_if_linked, l.measured_if_linked);
    let apart = wilson(l.fcr_if_not_linked, l.measured_if_not_linked);
    let lows = [u.sampling_low, linked.map(|w| w.0), apart.map(|w| w.0)];
    let highs = [u.sampling_high, linked.map(|w| w.1), apart.map(|w| w.1)];
    u.low = lows.into_iter().flatten().reduce(f64::min);
    u.high = highs.into_iter().flatten().reduce(f64::max);
    u.linking = Some(l);
    u
}

/// A linking sensitivity from the (fcr, measured) counts of the two shifted
/// linkings.
pub fn sensitivity(
    test: &str,
    threshold: f32,
    if_linked: (usize, usize),
    if_not_linked: (usize, usize),
) -> LinkingSensitivity {
    LinkingSensitivity {
        test: test.to_string(),
        threshold,
        margin: LINKING_MARGIN,
        fcr_rate_if_linked: ratio(if_linked.0, if_linked.1),
        measured_if_linked: if_linked.1,
        fcr_rate_if_not_linked: ratio(if_not_linked.0, if_not_linked.1),
        measured_if_not_linked: if_not_linked.1,
        fcr_if_linked: if_linked.0,
        fcr_if_not_linked: if_not_linked.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_known_values() {
        // 1,508 of 2,138: p = 0.7053, Wilson 95 % ≈ [0.6858, 0.7241].
        let (lo, hi) = wilson(1508, 2138).unwrap();
        assert!(
            (lo - 0.6858).abs() < 5e-4 && (hi - 0.7241).abs() < 5e-4,
            "{lo} {hi}"
        );
        // Never outside [0, 1], defined at the edges.
        assert_eq!(wilson(0, 10).unwrap().0, 0.0);
        assert_eq!(wilson(10, 10).unwrap().1, 1.0);
        assert!(wilson(0, 0).is_none());
        // Narrower with more data.
        let w = |x, n| {
            let (a, b) = wilson(x, n).unwrap();
            b - a
        };
        assert!(w(700, 1000) < w(70, 100));
    }

    #[test]
    fn a_short_export_says_so() {
        let day = 86_400;
        let u = sampling(254, 370, 0, 8 * day, 7 * day);
        assert_eq!(u.repeat_windows_covered, 1.1);
        let c = u.caveat.unwrap();
        assert!(
            c.contains("8 days") && c.contains("370 episodes") && c.contains("14 days"),
            "{c}"
        );
        assert!(sampling(254, 370, 0, 31 * day, 7 * day).caveat.is_none());
    }

    #[test]
    fn linking_widens_the_interval() {
        let u = sampling(700, 1000, 0, 31 * 86_400, 7 * 86_400);
        let l = sensitivity("embedding", 0.42, (650, 990), (730, 1005));
        let both = with_linking(u.clone(), l);
        assert!(both.low.unwrap() < u.sampling_low.unwrap());
        assert!(both.high.unwrap() > u.sampling_high.unwrap());
        let l = both.linking.unwrap();
        assert_eq!(l.fcr_rate_if_linked, Some(0.656566));
        assert_eq!(l.measured_if_not_linked, 1005);
    }
}
