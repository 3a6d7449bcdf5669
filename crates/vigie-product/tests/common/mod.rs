//! Where the shared data lies: `$VIGIE_SHARED/data/cve-kev-subset`, by default
//! `../../../shared` from this crate (the `shared` directory beside the checkouts).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The `cve-kev-subset` directory; panics, naming it, when it is missing.
pub fn subset() -> PathBuf {
    let shared = std::env::var_os("VIGIE_SHARED").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    );
    let dir = shared.join("data/cve-kev-subset");
    assert!(
        dir.is_dir(),
        "{} is missing: set VIGIE_SHARED to the shared directory",
        dir.display()
    );
    dir
}

/// Reads one JSON file of the subset.
pub fn json(relative: &str) -> serde_json::Value {
    let path = subset().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `.json` file under `dir`, sorted.
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
