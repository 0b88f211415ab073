//! Every module of zk-sim imports only downward: the graph of `crate::x`
//! references between its source files (tests excluded) has no cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module name -> modules it refers to with `crate::name`.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    collect(&src, &src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    files
        .into_iter()
        .filter(|(m, _)| m != "lib")
        .map(|(module, text)| {
            // Unit tests may reach anywhere; only the code itself counts.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            let deps = code
                .split("crate::")
                .skip(1)
                .filter_map(|rest| {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    let top = module.split('/').next().unwrap_or_default();
                    (modules.contains(&name) && name != top).then_some(name)
                })
                .collect();
            (module, deps)
        })
        .collect()
}

/// (module path relative to src without ".rs", text); `a/mod.rs` is `a`.
fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).unwrap().with_extension("");
            let name = rel.to_string_lossy().trim_end_matches("/mod").to_string();
            out.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

fn cycle_from(
    g: &BTreeMap<String, BTreeSet<String>>,
    node: &str,
    path: &mut Vec<String>,
    done: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if let Some(i) = path.iter().position(|p| p == node) {
        return Some(path[i..].to_vec());
    }
    if done.contains(node) {
        return None;
    }
    path.push(node.to_string());
    for next in g.get(node).into_iter().flatten() {
        if let Some(c) = cycle_from(g, next, path, done) {
            return Some(c);
        }
    }
    path.pop();
    done.insert(node.to_string());
    None
}

#[test]
fn modules_import_only_downward() {
    let g = graph();
    assert!(g.contains_key("server") && g.contains_key("tcp"), "{g:?}");
    assert!(
        g["tcp"].contains("shared"),
        "the walk must see imports: {g:?}"
    );
    let mut done = BTreeSet::new();
    for node in g.keys() {
        if let Some(c) = cycle_from(&g, node, &mut vec![], &mut done) {
            panic!("import cycle: {} -> {}", c.join(" -> "), c[0]);
        }
    }
}
