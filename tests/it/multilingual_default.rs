//! Multilingual by default (issue 16.1): with models/multilingual-e5-small
//! installed (the README's set-up command fetches it), the Chinese and
//! Hebrew reasons the English model cannot read are linked and categorised
//! in that model's space without any flag; without it the run says how to
//! get it; `--other-scripts-model none` is the old lexical route, silently.

use std::path::Path;

use crate::util::{arg, bin, default_model_or_skip, json, model_or_skip};

#[test]
fn chinese_reasons_go_to_the_multilingual_model_by_default() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !default_model_or_skip(root) || !model_or_skip(root, "multilingual-e5-small") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, extra: &[&str], other_dir: Option<&str>| {
        let out = dir.path().join(name);
        let mut cmd = bin();
        cmd.current_dir(root)
            .args(["run", "tests/data/zh-tw-month", "--out", &arg(&out)])
            .args(extra)
            .env_remove("RECONTACT_OTHER_SCRIPTS_MODEL_DIR");
        if let Some(d) = other_dir {
            cmd.env("RECONTACT_OTHER_SCRIPTS_MODEL_DIR", d);
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let settings = json(&out.join("report.json"))["settings"].clone();
        (
            settings["embedder"].as_str().unwrap().to_string(),
            String::from_utf8(o.stderr).unwrap(),
        )
    };

    let (embedder, stderr) = run("default", &[], None);
    assert!(
        embedder.contains("multilingual-e5-small for han reasons"),
        "{embedder}"
    );
    assert!(!stderr.contains("not installed"), "{stderr}");

    let missing = dir.path().join("no-such-model");
    let (embedder, stderr) = run("missing", &[], Some(&arg(&missing)));
    assert!(embedder.contains("lexical"), "{embedder}");
    assert!(
        stderr.contains("the multilingual model is not installed")
            && stderr.contains("scripts/fetch-multilingual-model.sh"),
        "{stderr}"
    );

    let (embedder, stderr) = run("none", &["--other-scripts-model", "none"], None);
    assert!(embedder.contains("lexical"), "{embedder}");
    assert!(!stderr.contains("not installed"), "{stderr}");
}
