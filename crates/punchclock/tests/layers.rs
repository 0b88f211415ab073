//! Dependencies between the app's top-level modules run one way only: the
//! lower layers (domain, store, billing, sync) import nothing above them,
//! and no two modules import each other, directly or around a loop.
//! Checked on the source text, so a new `use crate::…` that breaks the
//! layering fails here with the file that did it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What each lower layer may import from the crate (besides itself).
/// `attendance` is the pure engine: values in, values out, no I/O, so
/// every layer may use its types (a saved shift is its `ShiftSpec`).
const ALLOWED: &[(&str, &[&str])] = &[
    ("clock", &[]),
    ("attendance", &[]),
    ("domain", &["attendance"]),
    ("telemetry", &[]),
    ("store", &["domain", "clock", "attendance"]),
    ("billing", &["store", "domain", "clock"]),
    ("sync", &["billing", "store", "domain", "clock"]),
    ("mail", &["store", "domain", "clock", "attendance"]),
    ("webhooks", &["sync", "store", "domain", "clock"]),
    ("alerts", &["mail", "webhooks", "store", "domain", "clock"]),
    ("push", &["billing", "store", "domain", "clock"]),
    (
        "service",
        &[
            "sync",
            "billing",
            "mail",
            "webhooks",
            "alerts",
            "store",
            "domain",
            "clock",
            "telemetry",
            "attendance",
        ],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `store` for `src/store/x.rs`
/// and for `src/store.rs`.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let first = file.strip_prefix(src).ok()?.components().next()?;
    let name = first.as_os_str().to_string_lossy();
    let name = name.strip_suffix(".rs").unwrap_or(&name);
    (!matches!(name, "lib" | "main")).then(|| name.to_owned())
}

/// `crate::x` paths in code (comments skipped), by top-level module.
/// Test code may reach anywhere (a page test starts the whole app), so a
/// file's `#[cfg(test)]` tail is left out.
fn imports(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        if line.trim() == "#[cfg(test)]" {
            break;
        }
        let code = line.split("//").next().unwrap_or_default();
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

/// module -> (imported module -> a file that imports it)
fn graph() -> BTreeMap<String, BTreeMap<String, String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for file in files {
        let Some(module) = module_of(&src, &file) else {
            continue;
        };
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue; // a `#[cfg(test)] mod tests;` file
        }
        let text = std::fs::read_to_string(&file).expect("read");
        let edges = graph.entry(module.clone()).or_default();
        for used in imports(&text) {
            if used != module {
                let shown = file.strip_prefix(&src).unwrap().display().to_string();
                edges.entry(used).or_insert(shown);
            }
        }
    }
    graph
}

#[test]
fn lower_layers_import_only_downward() {
    let graph = graph();
    let mut wrong = Vec::new();
    for (module, allowed) in ALLOWED {
        for (used, file) in graph.get(*module).into_iter().flatten() {
            if !allowed.contains(&used.as_str()) {
                wrong.push(format!("{file} imports crate::{used}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layering:\n{}",
        wrong.join("\n")
    );
}

/// Depth-first search for a path back to `start`.
fn cycle_from(
    graph: &BTreeMap<String, BTreeMap<String, String>>,
    start: &str,
    at: &str,
    path: &mut Vec<String>,
) -> Option<Vec<String>> {
    for next in graph.get(at).into_iter().flat_map(|e| e.keys()) {
        if next == start {
            let mut cycle = path.clone();
            cycle.push(next.clone());
            return Some(cycle);
        }
        if !path.contains(next) {
            path.push(next.clone());
            if let Some(c) = cycle_from(graph, start, next, path) {
                return Some(c);
            }
            path.pop();
        }
    }
    None
}

#[test]
fn top_level_modules_have_no_cycles() {
    let graph = graph();
    for module in graph.keys() {
        let mut path = vec![module.clone()];
        if let Some(cycle) = cycle_from(&graph, module, module, &mut path) {
            panic!("import cycle: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn the_checks_see_imports() {
    let found =
        imports("use crate::store::Store; // crate::web\nlet x = crate::domain::Zone::utc();");
    assert_eq!(
        found,
        BTreeSet::from(["store".to_owned(), "domain".to_owned()])
    );
    let mut g: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    g.entry("a".into())
        .or_default()
        .insert("b".into(), "a.rs".into());
    g.entry("b".into())
        .or_default()
        .insert("a".into(), "b.rs".into());
    let cycle = cycle_from(&g, "a", "a", &mut vec!["a".into()]);
    assert_eq!(cycle, Some(vec!["a".into(), "b".into(), "a".into()]));
}
