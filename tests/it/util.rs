//! Helpers every test module shares: running the binary, temporary
//! folders, reading its CSV and JSON outputs, and the common input month.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `recontact` binary cargo built for these tests.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_recontact"))
}

/// Runs the binary; the caller checks the outcome.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

/// Runs the binary and fails the test, with its stderr, unless it succeeds.
pub fn ok(args: &[&str]) -> Output {
    succeeded(args, run(args))
}

/// [`ok`] in the working directory `dir` (for relative paths).
pub fn ok_in(dir: &Path, args: &[&str]) -> Output {
    let out = bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("binary runs");
    succeeded(args, out)
}

fn succeeded(args: &[&str], out: Output) -> Output {
    assert!(
        out.status.success(),
        "recontact {:?} failed:\n{}",
        args,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// [`ok`], returning what the binary printed.
pub fn ok_stdout(args: &[&str]) -> String {
    String::from_utf8(ok(args).stdout).expect("UTF-8 output")
}

/// Whether the default model is in `root`/models; without it, a note and
/// false, or a failure when RECONTACT_REQUIRE_MODEL=1 (as in CI).
pub fn default_model_or_skip(root: &Path) -> bool {
    model_or_skip(root, "all-MiniLM-L6-v2")
}

/// [`default_model_or_skip`] for the model folder `models/<name>`.
pub fn model_or_skip(root: &Path, name: &str) -> bool {
    let model = root.join("models").join(name).join("model.safetensors");
    if model.is_file() {
        return true;
    }
    skip_unless_required(
        "RECONTACT_REQUIRE_MODEL",
        &format!(
            "RECONTACT_REQUIRE_MODEL=1 but {} is missing: run scripts/fetch-models.sh",
            model.display()
        ),
        &format!(
            "skipped: no model at {} (run scripts/fetch-models.sh)",
            model.display()
        ),
    );
    false
}

/// A path as a command-line argument.
pub fn arg(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

/// Says why a test skips for lack of something it needs, unless
/// `require_var` is 1 (as in CI): then the test fails with `fail`.
pub fn skip_unless_required(require_var: &str, fail: &str, note: &str) {
    assert!(std::env::var(require_var).as_deref() != Ok("1"), "{fail}");
    eprintln!("{note}");
}

/// A temporary folder that goes away with the test.
pub struct Tmp(pub tempfile::TempDir);

impl Tmp {
    pub fn new() -> Tmp {
        Tmp(tempfile::tempdir().unwrap())
    }
    pub fn path(&self, p: &str) -> PathBuf {
        self.0.path().join(p)
    }
    /// Writes `content` to `p`, creating folders on the way.
    pub fn write(&self, p: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(p);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, content).unwrap();
        path
    }
    /// [`Tmp::path`] as a command-line argument.
    pub fn s(&self, p: &str) -> String {
        arg(&self.path(p))
    }
}

/// Every record of a CSV file, the header row included.
pub fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    r.records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect()
}

/// Fails if a cell of any CSV file in `dir` would run as a formula in a
/// spreadsheet (`=`, `+`, `@`, tab, CR, or `-` not before a number).
pub fn assert_no_formula_cells(dir: &Path) {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no CSV in {}", dir.display());
    for f in files {
        for row in read_csv(&f) {
            for cell in row {
                let risky = cell.starts_with(['=', '+', '@', '\t', '\r'])
                    || (cell.starts_with('-') && cell.parse::<f64>().is_err());
                assert!(!risky, "{}: {cell:?}", f.display());
            }
        }
    }
}

/// Records as maps from header to value (a `HashMap` or a `BTreeMap`).
pub fn records<R: std::io::Read, M: FromIterator<(String, String)>>(
    mut r: csv::Reader<R>,
) -> Vec<M> {
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            head.iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

/// Rows of a CSV file as maps from header to value.
pub fn rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    records(csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// A JSON file.
pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// Fails unless `doc` is valid against docs/report.schema.json.
pub fn assert_report_schema(doc: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/report.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let v = jsonschema::draft202012::new(&schema).unwrap();
    let errs: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errs.is_empty(), "report.json against its schema: {errs:#?}");
}

/// report.json of an output folder, checked against its schema.
pub fn report_json(out: &Path) -> serde_json::Value {
    let doc = json(&out.join("report.json"));
    assert_report_schema(&doc);
    doc
}

/// 3 recurring reasons (coupon, refund in Chinese, card in Hebrew), each
/// customer calling twice; plus one-off resolved contacts.
pub fn three_reasons_month() -> String {
    let mut s = String::from("contact_id,customer_id,started_at,text,channel,team,segment\n");
    let reasons: [(&str, [&str; 2]); 3] = [
        (
            "en",
            [
                "Customer: I cannot find where to enter the coupon code at checkout",
                "Customer: still not fixed, the coupon code box is missing at checkout",
            ],
        ),
        (
            "zh",
            [
                "客户：我的退款还没有到账",
                "客户：还是没有解决，退款一直没有到账",
            ],
        ),
        (
            "he",
            [
                "לקוח: הכרטיס החדש שלי לא הגיע בדואר",
                "לקוח: אני פונה שוב, הכרטיס החדש עדיין לא הגיע בדואר",
            ],
        ),
    ];
    let mut id = 0;
    for (k, (_, texts)) in reasons.iter().enumerate() {
        let n = [12, 8, 6][k];
        for u in 0..n {
            for (j, t) in texts.iter().enumerate() {
                id += 1;
                let day = 1 + (u % 20);
                let seg = if k == 1 && u == 0 { "media" } else { "retail" };
                s.push_str(&format!(
                    "c{id:03},U{k}{u:02},2026-10-{day:02}T{:02}:00:00Z,\"{t} {}\",phone,t{k},{seg}\n",
                    9 + j * 5,
                    ["please", "today", "now", "asap"][u % 4]
                ));
            }
        }
    }
    for u in 0..10 {
        id += 1;
        s.push_str(&format!(
            "c{id:03},V{u},2026-10-{:02}T10:00:00Z,Customer: what are your opening hours,phone,t9,retail\n",
            1 + u
        ));
    }
    s
}
