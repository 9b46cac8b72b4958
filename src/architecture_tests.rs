//! Architecture invariants (ARCHITECTURE.md), checked on the source: no
//! import cycle between top-level modules; `settings` and `model` are
//! leaves; stages never import `cmd` or `pipeline`; the readers of a
//! finished run (`search`, `sample`) never import a stage's internals.
//! Test code (`#[cfg(test)]` modules) is left out: tests may reach across.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the top-level modules its non-test code names.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap();
            let first = rel.components().next().unwrap().as_os_str();
            let module = first.to_string_lossy().trim_end_matches(".rs").to_string();
            if ["main", "lib", "architecture_tests", "test_support"].contains(&module.as_str()) {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let deps = out.entry(module.clone()).or_default();
            for name in named_modules(code) {
                if name != module {
                    deps.insert(name);
                }
            }
        }
    }
    out
}

/// Modules named as `crate::NAME` or inside `use crate::{A, B::…}`.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // Top-level items of the group, at brace depth 0.
                let mut depth = 0;
                let mut item = String::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            out.insert(ident(item.trim()));
                            item.clear();
                            continue;
                        }
                        _ => {}
                    }
                    if depth == 0 || c != '{' {
                        item.push(c);
                    }
                }
                out.insert(ident(item.trim()));
            } else {
                out.insert(ident(rest));
            }
        }
    }
    out.remove("");
    out
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let graph = imports();
    // Depth-first search for a back edge, reporting the cycle.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(m.to_string(), 1);
        path.push(m.to_string());
        for d in graph.get(m).into_iter().flatten() {
            match state.get(d.as_str()).copied().unwrap_or(0) {
                1 => {
                    let from = path.iter().position(|p| p == d).unwrap_or(0);
                    let mut cycle = path[from..].to_vec();
                    cycle.push(d.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(d, graph, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(m.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in graph.keys() {
        if state.get(m.as_str()).copied().unwrap_or(0) == 0 {
            if let Some(cycle) = visit(m, &graph, &mut state, &mut Vec::new()) {
                panic!("import cycle: {}", cycle.join(" → "));
            }
        }
    }
}

#[test]
fn settings_model_and_layout_are_leaves() {
    let graph = imports();
    assert_eq!(graph["model"], BTreeSet::new(), "model imports nothing");
    assert_eq!(graph["layout"], BTreeSet::new(), "layout imports nothing");
    let settings: Vec<_> = graph["settings"].iter().collect();
    assert!(
        settings.iter().all(|m| *m == "model"),
        "settings imports only model's types: {settings:?}"
    );
}

#[test]
fn stages_never_import_cmd_or_pipeline() {
    for (m, deps) in imports() {
        if m == "cmd" {
            continue;
        }
        assert!(!deps.contains("cmd"), "{m} imports cmd");
        if m != "pipeline" {
            assert!(!deps.contains("pipeline"), "{m} imports pipeline");
        }
    }
}

#[test]
fn readers_use_the_index_not_the_stages() {
    let graph = imports();
    let allowed: BTreeSet<&str> = [
        "index", "search", "text", "model", "time", "settings", "layout",
    ]
    .into();
    for reader in ["search", "sample"] {
        for d in &graph[reader] {
            assert!(
                allowed.contains(d.as_str()),
                "{reader} imports {d}, a stage: readers work from index/"
            );
        }
    }
}

#[test]
fn the_parser_sees_grouped_imports() {
    let m = named_modules("use crate::{a::{X, Y}, b, c::d};\nlet x = crate::e::f();\n// crate::g");
    assert_eq!(m.into_iter().collect::<Vec<_>>(), ["a", "b", "c", "e"]);
}
