//! The web goes through the services: no page or API handler reaches past
//! them to the store, the poller or billing (`tests/layers.rs` checks the
//! layers below). A handler that does fails here with the file and line.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines of `layer`'s files (outside `exempt`) that mention a `forbidden`
/// text, skipping comments and test code.
fn offences(layer: &str, exempt: &[&str], forbidden: &[&str]) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let root = src.join(layer);
    let mut files = Vec::new();
    if root.is_dir() {
        rust_files(&root, &mut files);
    } else {
        files.push(root.with_extension("rs"));
    }
    let mut found = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if exempt.contains(&rel.as_str()) {
            continue;
        }
        // Test code may arrange and check data through any layer.
        if file.file_name().is_some_and(|n| n == "tests.rs") || rel.contains("/tests/") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read file");
        for (n, line) in text.lines().enumerate() {
            if line.trim() == "#[cfg(test)]" {
                break;
            }
            let code = line.split("//").next().unwrap_or_default();
            for f in forbidden {
                if code.contains(f) {
                    found.push(format!("src/{rel}:{}: uses {f}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    found
}

fn assert_none(found: Vec<String>) {
    assert!(
        found.is_empty(),
        "imports against the layers:\n{}",
        found.join("\n")
    );
}

#[test]
fn web_goes_through_the_services() {
    // `state.rs` holds the lower parts for the scheduler, the demo and tests.
    assert_none(offences(
        "web",
        &["web/state.rs"],
        &[
            "crate::store",
            "crate::sync",
            "crate::billing",
            ".store.",
            ".syncer.",
            ".billing.",
            "state.clock",
        ],
    ));
}

#[test]
fn services_know_nothing_of_the_web() {
    // Not even its libraries: a service answers in types, not HTTP or HTML.
    assert_none(offences(
        "service",
        &[],
        // `crate::web::`, not `crate::webhooks` (the outbound side).
        &[
            "crate::web::",
            "crate::web;",
            "crate::app",
            "crate::cli",
            "axum",
            "maud",
        ],
    ));
}
