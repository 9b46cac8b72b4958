//! Charts for the HTML report as generated SVG: a Pareto chart (bars and a
//! cumulative line), sparklines, horizontal rate bars and a line chart.
//!
//! Generated rather than drawn by a charting crate: the charts are simple,
//! the output must be byte-identical run to run, and the page must carry no
//! fonts or scripts. Each chart's geometry is computed apart from its
//! markup so the unit tests below check the numbers, not strings.

use std::fmt::Write as _;

use super::escape;
use super::i18n::{trh, Messages};

/// One bar: a short label under it, a name below that (slanted; empty for
/// none), a tooltip, a value.
pub struct Bar {
    pub label: String,
    pub name: String,
    pub title: String,
    pub value: f64,
}

/// Room below a Pareto chart for its bars' slanted names.
const NAMES_H: f64 = 120.0;
/// Characters of a bar's name shown under it (the tooltip has it whole).
const NAME_CHARS: usize = 22;

/// A rectangle in SVG user units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// Where a Pareto chart's bars and cumulative-share points go.
#[derive(Debug)]
pub struct ParetoGeometry {
    pub width: f64,
    pub height: f64,
    /// The plot area inside the axes.
    pub plot: Rect,
    pub bars: Vec<Rect>,
    /// One point per bar, above its centre, at the cumulative share of the
    /// total (0 at the plot's bottom, 100 % at its top).
    pub cumulative: Vec<(f64, f64)>,
    /// Cumulative shares, 0..=1.
    pub shares: Vec<f64>,
    /// The left axis' top: four round steps at or above the largest value
    /// ([`axis_top`]).
    pub max: f64,
}

const PARETO_W: f64 = 760.0;
const PARETO_H: f64 = 300.0;

/// `total` is what the cumulative shares are of: the sum of `values`, or
/// more when the chart shows only the largest of a longer list.
pub fn pareto_geometry(values: &[f64], total: f64) -> ParetoGeometry {
    let plot = Rect {
        x: 56.0,
        y: 16.0,
        w: PARETO_W - 56.0 - 56.0,
        h: PARETO_H - 16.0 - 44.0,
    };
    let max = axis_top(values.iter().copied().fold(0.0, f64::max));
    let total = total.max(values.iter().sum());
    let slot = plot.w / values.len().max(1) as f64;
    let bottom = plot.y + plot.h;
    let mut bars = Vec::with_capacity(values.len());
    let mut cumulative = Vec::with_capacity(values.len());
    let mut shares = Vec::with_capacity(values.len());
    let mut running = 0.0;
    for (i, &v) in values.iter().enumerate() {
        let h = if max > 0.0 { v / max * plot.h } else { 0.0 };
        let x = plot.x + slot * i as f64 + slot * 0.15;
        bars.push(Rect {
            x,
            y: bottom - h,
            w: slot * 0.7,
            h,
        });
        running += v;
        let share = if total > 0.0 { running / total } else { 0.0 };
        shares.push(share);
        cumulative.push((plot.x + slot * (i as f64 + 0.5), bottom - share * plot.h));
    }
    ParetoGeometry {
        width: PARETO_W,
        height: PARETO_H,
        plot,
        bars,
        cumulative,
        shares,
        max,
    }
}

/// The top of a value axis drawn in four steps: the smallest 4 × step at or
/// above `max`, the step a round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8
/// times a power of ten, whole when `max` is at least 1: counts), so the ticks read
/// 0, 15, 30, 45, 60 and not 0, 14.2, 28.5, 42.8, 57.
pub fn axis_top(max: f64) -> f64 {
    if max.is_nan() || max <= 0.0 || max.is_infinite() {
        return 0.0;
    }
    let raw = max / 4.0;
    let mut power = 10f64.powf(raw.log10().floor());
    loop {
        for m in [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0] {
            let step = m * power;
            if max >= 1.0 && step.fract() != 0.0 {
                continue;
            }
            if 4.0 * step >= max - 1e-9 {
                return 4.0 * step;
            }
        }
        power *= 10.0;
    }
}

/// Coordinates with one decimal: enough for a screen, stable as text.
fn f(x: f64) -> String {
    format!("{x:.1}")
}

fn compact(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Bars best first, with their cumulative share of `total` as a line on a
/// 0–100 % right axis and a dashed 80 % reference.
pub fn pareto(
    t: &Messages,
    id: &str,
    caption: &str,
    bars: &[Bar],
    total: f64,
    value_axis: &str,
) -> String {
    let values: Vec<f64> = bars.iter().map(|b| b.value).collect();
    let g = pareto_geometry(&values, total);
    let p = g.plot;
    let bottom = p.y + p.h;
    let named = bars.iter().any(|b| !b.name.is_empty());
    let height = g.height + if named { NAMES_H } else { 0.0 };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg id="{id}" class="chart pareto" viewBox="0 0 {} {}" role="img" aria-label="{}">"#,
        f(g.width),
        f(height),
        escape(caption)
    );
    let _ = write!(s, "<title>{}</title>", escape(caption));
    // Grid and axes.
    for k in 0..=4 {
        let y = bottom - p.h * f64::from(k) / 4.0;
        let _ = write!(
            s,
            r#"<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
            f(p.x),
            f(y),
            f(p.x + p.w),
            f(y)
        );
        let _ = write!(
            s,
            r#"<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>"#,
            f(p.x - 6.0),
            f(y + 4.0),
            compact(g.max * f64::from(k) / 4.0)
        );
        let _ = write!(
            s,
            r#"<text class="tick" x="{}" y="{}" text-anchor="start">{}%</text>"#,
            f(p.x + p.w + 6.0),
            f(y + 4.0),
            k * 25
        );
    }
    let y80 = bottom - 0.8 * p.h;
    let _ = write!(
        s,
        r#"<line class="ref" x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
        f(p.x),
        f(y80),
        f(p.x + p.w),
        f(y80)
    );
    let _ = write!(
        s,
        r#"<text class="axis" x="14" y="{}" transform="rotate(-90 14 {})" text-anchor="middle">{}</text>"#,
        f(p.y + p.h / 2.0),
        f(p.y + p.h / 2.0),
        escape(value_axis)
    );
    for (b, r) in bars.iter().zip(&g.bars) {
        let _ = write!(
            s,
            r#"<rect class="bar" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>"#,
            f(r.x),
            f(r.y),
            f(r.w),
            f(r.h),
            escape(&b.title)
        );
        let _ = write!(
            s,
            r#"<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>"#,
            f(r.x + r.w / 2.0),
            f(bottom + 16.0),
            escape(&b.label)
        );
        if !b.name.is_empty() {
            // Slanted so twenty names fit under twenty bars.
            let (x, y) = (r.x + r.w / 2.0 + 3.0, bottom + 28.0);
            let _ = write!(
                s,
                r#"<text class="tick name" x="{0}" y="{1}" transform="rotate(-40 {0} {1})" text-anchor="end" unicode-bidi="plaintext">{2}</text>"#,
                f(x),
                f(y),
                escape(&crate::report::truncate(&b.name, NAME_CHARS))
            );
        }
    }
    let pts: Vec<String> = g
        .cumulative
        .iter()
        .map(|(x, y)| format!("{},{}", f(*x), f(*y)))
        .collect();
    let _ = write!(
        s,
        r#"<polyline class="cumulative" points="{}"/>"#,
        pts.join(" ")
    );
    for ((x, y), share) in g.cumulative.iter().zip(&g.shares) {
        let _ = write!(
            s,
            r#"<circle class="cumulative-point" cx="{}" cy="{}" r="3"><title>{}</title></circle>"#,
            f(*x),
            f(*y),
            trh!(
                t,
                "pareto.cumulative",
                share = format!("{:.1}", share * 100.0)
            )
        );
    }
    let _ = write!(
        s,
        r#"<line class="axis-line" x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
        f(p.x),
        f(bottom),
        f(p.x + p.w),
        f(bottom)
    );
    s.push_str("</svg>");
    s
}

/// Points of a sparkline of `values` in a `w` × `h` box (2 units of
/// padding), scaled to the largest value.
pub fn sparkline_points(values: &[usize], w: f64, h: f64) -> Vec<(f64, f64)> {
    let values: Vec<Option<usize>> = values.iter().copied().map(Some).collect();
    gap_points(&values, w, h).into_iter().flatten().collect()
}

/// The same with gaps: `None` has no point.
fn gap_points(values: &[Option<usize>], w: f64, h: f64) -> Vec<Option<(f64, f64)>> {
    let max = values.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let step = if values.len() > 1 {
        (w - 4.0) / (values.len() - 1) as f64
    } else {
        0.0
    };
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let x = if values.len() > 1 {
                2.0 + step * i as f64
            } else {
                w / 2.0
            };
            v.map(|v| (x, h - 2.0 - v as f64 / max * (h - 4.0)))
        })
        .collect()
}

/// A small line of counts per week; `title` is its tooltip.
pub fn sparkline(values: &[usize], title: &str) -> String {
    let values: Vec<Option<usize>> = values.iter().copied().map(Some).collect();
    sparkline_with_gaps(&values, title)
}

/// A small line of counts (per week, per month) broken where a count is
/// unknown (`None`); `title` is its tooltip. The last point is marked.
pub fn sparkline_with_gaps(values: &[Option<usize>], title: &str) -> String {
    let (w, h) = (160.0, 32.0);
    let pts = gap_points(values, w, h);
    let mut s = format!(
        r#"<svg class="sparkline" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-label="{}"><title>{}</title>"#,
        f(w),
        f(h),
        f(w),
        f(h),
        escape(title),
        escape(title)
    );
    let _ = write!(
        s,
        r#"<line class="baseline" x1="2" y1="{}" x2="{}" y2="{}"/>"#,
        f(h - 2.0),
        f(w - 2.0),
        f(h - 2.0)
    );
    let mut run: Vec<String> = Vec::new();
    let mut flush = |run: &mut Vec<String>| {
        if run.len() > 1 {
            let _ = write!(s, r#"<polyline points="{}"/>"#, run.join(" "));
        }
        run.clear();
    };
    for p in &pts {
        match p {
            Some((x, y)) => run.push(format!("{},{}", f(*x), f(*y))),
            None => flush(&mut run),
        }
    }
    flush(&mut run);
    if let Some(Some((x, y))) = pts.last() {
        let _ = write!(s, r#"<circle cx="{}" cy="{}" r="2"/>"#, f(*x), f(*y));
    }
    s.push_str("</svg>");
    s
}

/// Horizontal bars of rates (0..=1) with their labels; `None` draws no bar
/// and says n/a.
pub fn rate_bars(t: &Messages, id: &str, caption: &str, rows: &[(String, Option<f64>)]) -> String {
    let (label_w, bar_w, row_h) = (180.0, 460.0, 22.0);
    let w = label_w + bar_w + 70.0;
    let h = row_h * rows.len() as f64 + 8.0;
    let mut s = format!(
        r#"<svg id="{id}" class="chart rates" viewBox="0 0 {} {}" role="img" aria-label="{}"><title>{}</title>"#,
        f(w),
        f(h),
        escape(caption),
        escape(caption)
    );
    for (i, (label, rate)) in rows.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let _ = write!(
            s,
            r#"<text class="tick" x="{}" y="{}" text-anchor="end" direction="ltr" unicode-bidi="plaintext">{}</text>"#,
            f(label_w - 8.0),
            f(y + 15.0),
            escape(&super::truncate(label, 28))
        );
        let _ = write!(
            s,
            r#"<rect class="track" x="{}" y="{}" width="{}" height="{}"/>"#,
            f(label_w),
            f(y + 3.0),
            f(bar_w),
            f(row_h - 6.0)
        );
        if let Some(r) = rate {
            let _ = write!(
                s,
                r#"<rect class="bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {:.1}%</title></rect>"#,
                f(label_w),
                f(y + 3.0),
                f(bar_w * r.clamp(0.0, 1.0)),
                f(row_h - 6.0),
                escape(label),
                r * 100.0
            );
        }
        let _ = write!(
            s,
            r#"<text class="tick" x="{}" y="{}">{}</text>"#,
            f(label_w + bar_w + 6.0),
            f(y + 15.0),
            rate.map(|r| format!("{:.1}%", r * 100.0))
                .unwrap_or_else(|| t.na().to_string())
        );
    }
    s.push_str("</svg>");
    s
}

/// Points of a rate line (0..=1) over evenly spaced x in `plot`; `None`
/// leaves a gap.
pub fn line_points(rates: &[Option<f64>], plot: Rect) -> Vec<Option<(f64, f64)>> {
    let step = if rates.len() > 1 {
        plot.w / (rates.len() - 1) as f64
    } else {
        0.0
    };
    rates
        .iter()
        .enumerate()
        .map(|(i, r)| {
            r.map(|r| {
                let x = if rates.len() > 1 {
                    plot.x + step * i as f64
                } else {
                    plot.x + plot.w / 2.0
                };
                (x, plot.y + plot.h * (1.0 - r.clamp(0.0, 1.0)))
            })
        })
        .collect()
}

/// A line chart of rates over labelled points (weeks), 0–100 % axis.
pub fn rate_line(id: &str, caption: &str, rows: &[(String, Option<f64>)]) -> String {
    let (w, h) = (760.0, 240.0);
    let plot = Rect {
        x: 56.0,
        y: 12.0,
        w: w - 56.0 - 40.0,
        h: h - 12.0 - 40.0,
    };
    let rates: Vec<Option<f64>> = rows.iter().map(|r| r.1).collect();
    let pts = line_points(&rates, plot);
    let mut s = format!(
        r#"<svg id="{id}" class="chart line" viewBox="0 0 {} {}" role="img" aria-label="{}"><title>{}</title>"#,
        f(w),
        f(h),
        escape(caption),
        escape(caption)
    );
    for k in 0..=4 {
        let y = plot.y + plot.h * (1.0 - f64::from(k) / 4.0);
        let _ = write!(
            s,
            r#"<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"/><text class="tick" x="{}" y="{}" text-anchor="end">{}%</text>"#,
            f(plot.x),
            f(y),
            f(plot.x + plot.w),
            f(y),
            f(plot.x - 6.0),
            f(y + 4.0),
            k * 25
        );
    }
    // Runs of known points are drawn as lines; unknown weeks break them.
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, s: &mut String| {
        if run.len() > 1 {
            let _ = write!(s, r#"<polyline class="rate" points="{}"/>"#, run.join(" "));
        }
        run.clear();
    };
    for p in &pts {
        match p {
            Some((x, y)) => run.push(format!("{},{}", f(*x), f(*y))),
            None => flush(&mut run, &mut s),
        }
    }
    flush(&mut run, &mut s);
    // Label at most ~12 points so they never overlap.
    let every = rows.len().div_ceil(12).max(1);
    for (i, (p, (label, rate))) in pts.iter().zip(rows).enumerate() {
        if let (Some((x, y)), Some(r)) = (p, rate) {
            let _ = write!(
                s,
                r#"<circle class="rate-point" cx="{}" cy="{}" r="3"><title>{}: {:.1}%</title></circle>"#,
                f(*x),
                f(*y),
                escape(label),
                r * 100.0
            );
        }
        if i % every == 0 {
            let x = if rows.len() > 1 {
                plot.x + plot.w / (rows.len() - 1) as f64 * i as f64
            } else {
                plot.x + plot.w / 2.0
            };
            let _ = write!(
                s,
                r#"<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>"#,
                f(x),
                f(plot.y + plot.h + 18.0),
                escape(label)
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn pareto_bars_scale_and_cumulative_line_reaches_the_top() {
        let g = pareto_geometry(&[12.0, 8.0, 4.0, 0.0], 24.0);
        let bottom = g.plot.y + g.plot.h;
        // 12 is four steps of 3: the tallest bar fills the plot; the others
        // in proportion.
        assert!(close(g.max, 12.0));
        assert!(close(g.bars[0].h, g.plot.h));
        assert!(close(g.bars[1].h, g.plot.h * 8.0 / 12.0));
        assert!(close(g.bars[3].h, 0.0));
        for b in &g.bars {
            assert!(close(b.y + b.h, bottom), "bars stand on the axis");
            assert!(b.x >= g.plot.x && b.x + b.w <= g.plot.x + g.plot.w);
        }
        // Left to right, no overlap.
        for w in g.bars.windows(2) {
            assert!(w[0].x + w[0].w < w[1].x);
        }
        // Cumulative: 50 %, 83 %, 100 %, 100 %, above each bar's centre.
        let want = [0.5, 20.0 / 24.0, 1.0, 1.0];
        for (i, (x, y)) in g.cumulative.iter().enumerate() {
            assert!(close(*x, g.bars[i].x + g.bars[i].w / 2.0));
            assert!(close(*y, bottom - want[i] * g.plot.h), "point {i}");
        }
        assert!(close(g.cumulative[3].1, g.plot.y), "100 % at the top");
    }

    #[test]
    fn the_value_axis_has_round_ticks() {
        for (max, top) in [
            (57.0, 60.0),
            (42.0, 60.0),
            (40.0, 40.0),
            (13.0, 16.0),
            (10.0, 12.0),
            (4.0, 4.0),
            (3.0, 4.0),
            (1.0, 4.0),
            (0.5, 0.6),
            (1234.0, 1600.0),
            (100.0, 100.0),
        ] {
            assert!(close(axis_top(max), top), "{max} → {}", axis_top(max));
        }
        assert_eq!(axis_top(0.0), 0.0);
        // The bars scale to the axis, not to the tallest bar.
        let g = pareto_geometry(&[57.0, 30.0], 87.0);
        assert!(close(g.bars[0].h, g.plot.h * 57.0 / 60.0));
        let s = pareto(
            crate::report::i18n::messages(crate::settings::ReportLanguage::En),
            "p",
            "c",
            &[],
            0.0,
            "x",
        );
        assert!(!s.contains("NaN"));
    }

    #[test]
    fn pareto_of_nothing_draws_flat_bars() {
        let g = pareto_geometry(&[0.0, 0.0], 0.0);
        assert!(g.bars.iter().all(|b| b.h == 0.0));
        assert!(g.shares.iter().all(|s| *s == 0.0));
        assert!(pareto_geometry(&[], 0.0).bars.is_empty());
    }

    #[test]
    fn pareto_of_the_largest_stops_at_their_share() {
        // Two bars shown of a total of 40: the line ends at 50 %.
        let g = pareto_geometry(&[12.0, 8.0], 40.0);
        let bottom = g.plot.y + g.plot.h;
        assert!(close(g.shares[1], 0.5));
        assert!(close(g.cumulative[1].1, bottom - 0.5 * g.plot.h));
        // A total below the bars' sum is taken as their sum.
        assert!(close(pareto_geometry(&[3.0, 1.0], 1.0).shares[1], 1.0));
    }

    #[test]
    fn pareto_markup_has_one_rect_per_bar_and_escapes_titles() {
        let bars = vec![
            Bar {
                label: "1".into(),
                name: "coupon not found at checkout again".into(),
                title: "a <b> & \"c\"".into(),
                value: 3.0,
            },
            Bar {
                label: "2".into(),
                name: "退款未到账".into(),
                title: "退款".into(),
                value: 1.0,
            },
        ];
        let s = pareto(
            crate::report::i18n::messages(crate::settings::ReportLanguage::En),
            "pareto",
            "Extra contacts",
            &bars,
            4.0,
            "extra contacts",
        );
        assert!(s.starts_with(r#"<svg id="pareto""#));
        assert_eq!(s.matches(r#"<rect class="bar""#).count(), 2);
        assert_eq!(s.matches("<polyline class=\"cumulative\"").count(), 1);
        assert!(s.contains("a &lt;b&gt; &amp; &quot;c&quot;"));
        // Names under the bars, cut to fit, with room made below.
        assert!(s.contains(">coupon not found at ch…</text>"), "{s}");
        assert!(s.contains(">退款未到账</text>"));
        assert!(s.contains(r#"viewBox="0 0 760.0 420.0""#));
        assert!(s.contains("退款"));
        assert!(!s.contains("<b>"));
    }

    #[test]
    fn sparkline_scales_to_its_box() {
        let p = sparkline_points(&[0, 5, 10], 160.0, 32.0);
        assert_eq!(p.len(), 3);
        assert!(close(p[0].0, 2.0) && close(p[2].0, 158.0));
        assert!(close(p[0].1, 30.0), "zero on the baseline");
        assert!(close(p[2].1, 2.0), "max at the top");
        assert!(close(p[1].1, 16.0));
        // One week: a single centred point; all zero: flat on the baseline.
        assert_eq!(sparkline_points(&[4], 160.0, 32.0), vec![(80.0, 2.0)]);
        assert!(sparkline_points(&[0, 0], 160.0, 32.0)
            .iter()
            .all(|p| close(p.1, 30.0)));
    }

    #[test]
    fn rate_line_leaves_gaps_for_unknown_weeks() {
        let plot = Rect {
            x: 0.0,
            y: 0.0,
            w: 100.0,
            h: 50.0,
        };
        let p = line_points(&[Some(1.0), None, Some(0.0)], plot);
        assert_eq!(p[0], Some((0.0, 0.0)));
        assert_eq!(p[1], None);
        assert_eq!(p[2], Some((100.0, 50.0)));
        let s = rate_line(
            "w",
            "FCR by week",
            &[
                ("W1".into(), Some(0.5)),
                ("W2".into(), None),
                ("W3".into(), Some(0.7)),
            ],
        );
        assert_eq!(s.matches("<polyline").count(), 0, "no run of two points");
        assert_eq!(s.matches("<circle class=\"rate-point\"").count(), 2);
    }

    #[test]
    fn rate_bars_width_is_the_rate() {
        let s = rate_bars(
            crate::report::i18n::messages(crate::settings::ReportLanguage::En),
            "c",
            "FCR by channel",
            &[("phone".into(), Some(0.5)), ("chat".into(), None)],
        );
        assert!(s.contains(r#"width="230.0""#), "{s}");
        assert_eq!(s.matches(r#"<rect class="bar""#).count(), 1);
        assert!(s.contains("n/a"));
    }
}
