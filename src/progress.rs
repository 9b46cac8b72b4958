//! Progress of a run on stderr, so a long month shows signs of life: one
//! line per stage (ingest … output), with a count, rate and ETA where the
//! stage counts something (rows read, texts embedded).
//!
//! Three forms: a live bar per stage when stderr is a terminal (indicatif);
//! plain timestamped lines when it is not (a log file, a scheduler); one
//! JSON object per line with `--log-format json`. `-q` says nothing.
//! Nothing here reaches an output file: the files stay byte-identical
//! whatever is shown.
//!
//! A `Progress` is a cheap handle (clone it freely); workers on any thread
//! call [`Progress::inc`], which is an atomic add plus, at most every few
//! seconds, a line. Counts go to the stage open at the time, so a stage's
//! code needs only the handle, not the stage.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// How progress is written on stderr (`--log-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// A live bar on a terminal, else `plain`.
    #[default]
    Auto,
    /// Timestamped lines: a stage's start and end, and now and then a count.
    Plain,
    /// One JSON object per line per stage event.
    Json,
}

/// Plain and JSON lines: no closer together than this within a stage…
const MIN_GAP: Duration = Duration::from_secs(10);
/// …and then when another tenth is done, or this long has passed.
const MAX_GAP: Duration = Duration::from_secs(30);

/// The run's progress reporter; `Progress::default()` says nothing.
#[derive(Clone, Default)]
pub struct Progress(Option<Arc<Shared>>);

struct Shared {
    out: Output,
    open: Mutex<Option<Arc<Stage>>>,
}

enum Output {
    Bar,
    Lines {
        json: bool,
        to: Mutex<Box<dyn Write + Send>>,
    },
}

struct Stage {
    name: &'static str,
    /// What it counts ("rows", "texts"); `None`: it only has a start and
    /// an end.
    unit: Option<&'static str>,
    started: Instant,
    count: AtomicU64,
    total: AtomicU64,
    bar: Option<ProgressBar>,
    /// When the last line was written and the count then.
    last: Mutex<(Instant, u64)>,
}

/// A stage event, as the plain and JSON lines say it.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Event {
    Start,
    Progress,
    Done,
    Failed,
}

impl Event {
    fn name(self) -> &'static str {
        match self {
            Event::Start => "start",
            Event::Progress => "progress",
            Event::Done => "done",
            Event::Failed => "failed",
        }
    }
}

impl Progress {
    /// Progress on stderr in `format`, or nothing when `quiet`.
    pub fn stderr(format: LogFormat, quiet: bool) -> Progress {
        if quiet {
            return Progress::default();
        }
        let json = match format {
            LogFormat::Auto if std::io::stderr().is_terminal() => {
                return Progress::new(Output::Bar);
            }
            LogFormat::Auto | LogFormat::Plain => false,
            LogFormat::Json => true,
        };
        Progress::lines(json, Box::new(std::io::stderr()))
    }

    /// Plain (or JSON) lines into `to`.
    pub fn lines(json: bool, to: Box<dyn Write + Send>) -> Progress {
        Progress::new(Output::Lines {
            json,
            to: Mutex::new(to),
        })
    }

    fn new(out: Output) -> Progress {
        Progress(Some(Arc::new(Shared {
            out,
            open: Mutex::new(None),
        })))
    }

    /// Opens stage `name` (closing nothing: call [`Progress::done`] first);
    /// with a `unit` it counts (`inc`) towards a total (`add_total`).
    pub fn start(&self, name: &'static str, unit: Option<&'static str>) {
        let Some(sh) = &self.0 else { return };
        let bar = matches!(sh.out, Output::Bar).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(style(unit, false));
            bar.set_message(name);
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        let now = Instant::now();
        let stage = Arc::new(Stage {
            name,
            unit,
            started: now,
            count: AtomicU64::new(0),
            total: AtomicU64::new(0),
            bar,
            last: Mutex::new((now, 0)),
        });
        sh.line(&stage, Event::Start, 0.0);
        *lock(&sh.open) = Some(stage);
    }

    /// `n` more to do in the open stage (an embedder call's texts).
    pub fn add_total(&self, n: u64) {
        let Some(stage) = self.open() else { return };
        let before = stage.total.fetch_add(n, Ordering::Relaxed);
        if let Some(bar) = &stage.bar {
            if before == 0 && n > 0 {
                bar.set_style(style(stage.unit, true));
            }
            // (`inc_length` does nothing to a bar without a length yet.)
            bar.set_length(before + n);
        }
    }

    /// `n` more done in the open stage; from any thread.
    pub fn inc(&self, n: u64) {
        let (Some(sh), Some(stage)) = (&self.0, self.open()) else {
            return;
        };
        let count = stage.count.fetch_add(n, Ordering::Relaxed) + n;
        if let Some(bar) = &stage.bar {
            bar.inc(n);
            return;
        }
        // Another thread writing the line: this one need not.
        let Ok(mut last) = stage.last.try_lock() else {
            return;
        };
        let now = Instant::now();
        let gap = now.duration_since(last.0);
        let total = stage.total.load(Ordering::Relaxed);
        let tenth = |c: u64| (c * 10).checked_div(total).unwrap_or(0);
        if gap >= MAX_GAP || (gap >= MIN_GAP && tenth(count) > tenth(last.1)) {
            *last = (now, count);
            drop(last);
            sh.line(
                &stage,
                Event::Progress,
                stage.started.elapsed().as_secs_f64(),
            );
        }
    }

    /// Closes the open stage, which took `seconds`.
    pub fn done(&self, seconds: f64) {
        self.close(Event::Done, seconds);
    }

    /// Closes the open stage, if any, as failed (the run stops with an
    /// error).
    pub fn fail(&self) {
        let Some(stage) = self.open() else { return };
        self.close(Event::Failed, stage.started.elapsed().as_secs_f64());
    }

    fn close(&self, event: Event, seconds: f64) {
        let Some(sh) = &self.0 else { return };
        let Some(stage) = lock(&sh.open).take() else {
            return;
        };
        sh.line(&stage, event, seconds);
    }

    fn open(&self) -> Option<Arc<Stage>> {
        lock(&self.0.as_ref()?.open).clone()
    }
}

impl Shared {
    /// Writes an event: a JSON or plain line, or the bar's final line.
    fn line(&self, stage: &Stage, event: Event, seconds: f64) {
        match &self.out {
            Output::Bar => {
                let Some(bar) = &stage.bar else { return };
                if matches!(event, Event::Done | Event::Failed) {
                    // The bar goes; a plain line stays in its place, and the
                    // next stage's bar starts below it.
                    bar.finish_and_clear();
                    eprintln!("  {}", summary(stage, event, seconds));
                }
            }
            Output::Lines { json, to } => {
                let ts = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
                let text = if *json {
                    json_line(&ts, stage, event, seconds)
                } else {
                    format!("{ts}  {}  {}", stage.name, plain(stage, event, seconds))
                };
                // Progress is best effort: a closed stderr must not fail the
                // run.
                let mut to = lock(to);
                let _ = writeln!(to, "{text}");
                let _ = to.flush();
            }
        }
    }
}

/// A poisoned lock only means a thread panicked mid-line: keep going.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The live bar: the stage, then its count (of the total once known),
/// rate and ETA; a stage that counts nothing shows its time.
fn style(unit: Option<&'static str>, has_total: bool) -> ProgressStyle {
    let template = match (unit, has_total) {
        (None, _) => "{spinner} {msg:24} {elapsed}".to_string(),
        (Some(u), false) => format!("{{spinner}} {{msg:24}} {{human_pos}} {u} {{rate}}"),
        (Some(u), true) => format!(
            "{{spinner}} {{msg:24}} {{wide_bar}} {{human_pos}}/{{human_len}} {u} {{rate}} ETA {{left}}"
        ),
    };
    ProgressStyle::with_template(&template)
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{}/s", thousands(s.per_sec().round() as u64));
        })
        // Nothing done yet: no rate, so no estimate (indicatif says 0s).
        .with_key("left", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = match s.pos() {
                0 => write!(w, "-"),
                _ => write!(w, "{}", roughly(s.eta().as_secs_f64())),
            };
        })
}

/// A finished stage on the terminal: "ingest  done 4,000 rows in 0.21 s".
fn summary(stage: &Stage, event: Event, seconds: f64) -> String {
    format!("{:24} {}", stage.name, plain(stage, event, seconds))
}

/// What a plain line says after the time stamp and the stage.
fn plain(stage: &Stage, event: Event, seconds: f64) -> String {
    let count = stage.count.load(Ordering::Relaxed);
    let total = stage.total.load(Ordering::Relaxed);
    let unit = stage.unit.unwrap_or("");
    match (event, stage.unit) {
        (Event::Start, _) => "start".into(),
        (Event::Progress, _) => {
            let mut s = thousands(count);
            if total > 0 {
                let _ = write!(
                    s,
                    "/{} {unit} ({}%)",
                    thousands(total),
                    count * 100 / total.max(1)
                );
            } else {
                let _ = write!(s, " {unit}");
            }
            let _ = write!(s, ", {}", rate(count, seconds));
            if let Some(eta) = eta(count, total, seconds) {
                let _ = write!(s, ", ETA {}", roughly(eta));
            }
            s
        }
        (Event::Done | Event::Failed, None) => {
            format!("{} in {}", event.name(), duration(seconds))
        }
        (Event::Done | Event::Failed, Some(u)) => format!(
            "{} {} {u} in {} ({})",
            event.name(),
            thousands(count),
            duration(seconds),
            rate(count, seconds)
        ),
    }
}

/// One JSON object: ts, stage, event; seconds since the stage began;
/// with a unit, count and total (null while unknown) and, in progress
/// events, the ETA in seconds.
fn json_line(ts: &str, stage: &Stage, event: Event, seconds: f64) -> String {
    #[derive(serde::Serialize)]
    struct Line<'a> {
        ts: &'a str,
        stage: &'a str,
        event: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        seconds: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        count: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        total: Option<Option<u64>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        eta_seconds: Option<u64>,
    }
    let count = stage.count.load(Ordering::Relaxed);
    let total = stage.total.load(Ordering::Relaxed);
    let counts = stage.unit.is_some();
    let line = Line {
        ts,
        stage: stage.name,
        event: event.name(),
        seconds: (event != Event::Start).then(|| (seconds * 1000.0).round() / 1000.0),
        unit: stage.unit,
        count: counts.then_some(count),
        total: counts.then_some((total > 0).then_some(total)),
        eta_seconds: eta(count, total, seconds)
            .filter(|_| counts && event == Event::Progress)
            .map(|e| e.round() as u64),
    };
    serde_json::to_string(&line).unwrap_or_default()
}

/// Seconds left at the stage's rate so far, when there is a total.
fn eta(count: u64, total: u64, seconds: f64) -> Option<f64> {
    (count > 0 && total >= count).then(|| (total - count) as f64 * seconds / count as f64)
}

fn rate(count: u64, seconds: f64) -> String {
    if seconds > 0.0 {
        format!("{}/s", thousands((count as f64 / seconds).round() as u64))
    } else {
        "-/s".into()
    }
}

/// "0.21 s", "41.2 s", "12 min 5 s".
fn duration(seconds: f64) -> String {
    if seconds < 10.0 {
        format!("{seconds:.2} s")
    } else if seconds < 60.0 {
        format!("{seconds:.1} s")
    } else {
        let s = seconds.round() as u64;
        format!("{} min {} s", s / 60, s % 60)
    }
}

/// An estimate, in whole units: "5 s", "12 min 5 s", "1 h 20 min".
fn roughly(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

/// 12345 → "12,345".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `Write` the test reads back.
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            lock(&self.0).extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Buf {
        fn text(&self) -> String {
            String::from_utf8(lock(&self.0).clone()).unwrap()
        }
    }

    fn run(p: &Progress) {
        p.start("ingest", Some("rows"));
        p.inc(3);
        p.inc(1);
        p.done(2.0);
        p.start("embed reasons", Some("texts"));
        p.add_total(10);
        p.inc(10);
        p.done(0.5);
        p.start("cluster", None);
        p.done(0.25);
    }

    #[test]
    fn json_lines_are_one_object_per_event() {
        let buf = Buf::default();
        run(&Progress::lines(true, Box::new(buf.clone())));
        let events: Vec<serde_json::Value> = buf
            .text()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let said: Vec<(&str, &str)> = events
            .iter()
            .map(|e| (e["stage"].as_str().unwrap(), e["event"].as_str().unwrap()))
            .collect();
        assert_eq!(
            said,
            [
                ("ingest", "start"),
                ("ingest", "done"),
                ("embed reasons", "start"),
                ("embed reasons", "done"),
                ("cluster", "start"),
                ("cluster", "done")
            ]
        );
        assert_eq!(events[1]["count"], 4);
        assert_eq!(events[1]["total"], serde_json::Value::Null);
        assert_eq!(events[1]["seconds"], 2.0);
        assert_eq!(events[3]["count"], 10);
        assert_eq!(events[3]["total"], 10);
        assert_eq!(events[3]["unit"], "texts");
        assert!(events[5].get("count").is_none());
        assert!(events[0]["ts"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn plain_lines_say_counts_and_rates() {
        let buf = Buf::default();
        run(&Progress::lines(false, Box::new(buf.clone())));
        let text = buf.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6, "{text}");
        assert!(lines[0].ends_with("  ingest  start"), "{text}");
        assert!(
            lines[1].ends_with("  ingest  done 4 rows in 2.00 s (2/s)"),
            "{text}"
        );
        assert!(
            lines[3].ends_with("done 10 texts in 0.50 s (20/s)"),
            "{text}"
        );
        assert!(lines[5].ends_with("  cluster  done in 0.25 s"), "{text}");
    }

    #[test]
    fn silent_and_unopened_progress_do_nothing() {
        run(&Progress::default());
        let buf = Buf::default();
        let p = Progress::lines(true, Box::new(buf.clone()));
        p.inc(5);
        p.add_total(5);
        p.done(1.0);
        p.fail();
        assert_eq!(buf.text(), "");
    }

    #[test]
    fn a_failed_stage_is_said() {
        let buf = Buf::default();
        let p = Progress::lines(true, Box::new(buf.clone()));
        p.start("ingest", Some("rows"));
        p.fail();
        let last: serde_json::Value =
            serde_json::from_str(buf.text().lines().last().unwrap()).unwrap();
        assert_eq!(last["event"], "failed");
        assert_eq!(last["stage"], "ingest");
    }

    #[test]
    fn counts_from_many_threads_add_up() {
        let buf = Buf::default();
        let p = Progress::lines(true, Box::new(buf.clone()));
        p.start("embed reasons", Some("texts"));
        p.add_total(8000);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| (0..1000).for_each(|_| p.inc(1)));
            }
        });
        p.done(1.0);
        let last: serde_json::Value =
            serde_json::from_str(buf.text().lines().last().unwrap()).unwrap();
        assert_eq!(last["count"], 8000);
    }

    #[test]
    fn numbers_read_easily() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(duration(0.214), "0.21 s");
        assert_eq!(duration(41.24), "41.2 s");
        assert_eq!(duration(725.0), "12 min 5 s");
        assert_eq!(eta(25, 100, 10.0), Some(30.0));
        assert_eq!(eta(0, 100, 10.0), None);
        assert_eq!(rate(300, 0.0), "-/s");
        assert_eq!(roughly(4.75), "5 s");
        assert_eq!(roughly(725.0), "12 min 5 s");
        assert_eq!(roughly(4830.0), "1 h 20 min");
    }
}
