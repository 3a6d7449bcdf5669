//! Habits of the codebase, checked: the map names every crate, pure crates stay pure,
//! every source file says what it is, the typesetter downloads nothing.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn crates() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn architecture_names_every_crate() {
    let map = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    for name in crates() {
        assert!(
            map.contains(&format!("### crates/{name}\n")),
            "ARCHITECTURE.md does not describe crates/{name}"
        );
    }
}

#[test]
fn pure_crates_do_no_io() {
    const PURE: &[&str] = &[
        "vigie-model",
        "vigie-access",
        "vigie-auth",
        "vigie-workflow",
        "vigie-observatory",
        "vigie-chart",
        "vigie-reference",
        "vigie-demo",
        "vigie-journal",
        "vigie-exchange",
        "vigie-pdf",
        "vigie-product",
    ];
    const EDGES: &[&str] = &["tokio", "sqlx", "axum", "reqwest", "lettre", "hyper"];
    for name in PURE {
        let manifest =
            std::fs::read_to_string(root().join("crates").join(name).join("Cargo.toml")).unwrap();
        let deps = manifest.split("[dependencies]").nth(1).unwrap_or_default();
        let deps = deps.split("\n[").next().unwrap_or_default();
        for edge in EDGES {
            assert!(
                !deps
                    .lines()
                    .any(|l| l.trim_start().starts_with(&format!("{edge}."))
                        || l.trim_start().starts_with(&format!("{edge} "))),
                "{name} is pure and must not depend on {edge}"
            );
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_source_file_opens_with_its_purpose() {
    let mut files = Vec::new();
    for name in crates() {
        rust_files(&root().join("crates").join(name), &mut files);
    }
    assert!(files.len() > 20);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("//!"),
            "{} does not open with a //! comment",
            file.display()
        );
        for banned in ["dbg", "todo", "unimplemented"].map(|m| format!("{m}!(")) {
            assert!(
                !text.contains(&banned),
                "{} contains {banned}",
                file.display()
            );
        }
    }
}

#[test]
fn the_typesetter_downloads_nothing() {
    // Typst's package downloads come with typst-as-lib's `packages`, `ureq` or `reqwest`
    // features; without them a report can import nothing from outside.
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let line = manifest
        .lines()
        .find(|l| l.starts_with("typst-as-lib"))
        .expect("typst-as-lib in the workspace");
    for feature in ["packages", "ureq", "reqwest"] {
        assert!(
            !line.contains(&format!("\"{feature}\"")),
            "typst-as-lib must not enable `{feature}`: {line}"
        );
    }
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).unwrap();
    for package in ["binstall-tar", "ureq"] {
        assert!(
            !lock.contains(&format!("name = \"{package}\"")),
            "{package} is in Cargo.lock: something can download Typst packages"
        );
    }
}

/// The modules of `src` (files and folders) that each module names through one of
/// `prefixes` (`crate::` for a crate's top level, `super::` and `crate::pages::` for pages).
fn module_imports(src: &Path, prefixes: &[&str]) -> Vec<(String, Vec<String>)> {
    let mut modules: Vec<String> = std::fs::read_dir(src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let name = p.file_stem()?.to_str()?.to_owned();
            (p.is_dir() || p.extension().is_some_and(|e| e == "rs"))
                .then_some(name)
                .filter(|n| n != "lib" && n != "main")
        })
        .collect();
    modules.sort();
    modules.dedup();
    modules
        .iter()
        .map(|module| {
            let mut files = Vec::new();
            let file = src.join(format!("{module}.rs"));
            if file.exists() {
                files.push(file);
            }
            rust_files(&src.join(module), &mut files);
            let text: String = files
                .iter()
                .map(|f| std::fs::read_to_string(f).unwrap())
                .collect();
            // `prefix other` and `prefix{…, other, …}` (the braces of a use declaration).
            let mut named = Vec::new();
            for other in modules.iter().filter(|o| *o != module) {
                let names = prefixes.iter().any(|prefix| {
                    let direct = text.contains(&format!("{prefix}{other}::"))
                        || text.contains(&format!("{prefix}{other};"));
                    let grouped = text.match_indices(&format!("{prefix}{{")).any(|(at, _)| {
                        let group = &text[at..];
                        let group = &group[..group.find("};").unwrap_or(group.len())];
                        group
                            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                            .any(|word| word == other)
                    });
                    direct || grouped
                });
                if names {
                    named.push(other.clone());
                }
            }
            (module.clone(), named)
        })
        .collect()
}

/// Fails when two modules of `graph` (named `what`) import each other.
fn assert_one_way(what: &str, graph: &[(String, Vec<String>)]) {
    for (module, named) in graph {
        for other in named {
            let back = graph
                .iter()
                .find(|(m, _)| m == other)
                .is_some_and(|(_, n)| n.contains(module));
            assert!(!back, "{what}: `{module}` and `{other}` import each other");
        }
    }
}

#[test]
fn modules_import_each_other_one_way() {
    // Two modules of a crate that import each other are one concern split badly: the
    // store's engine layer and its records, the portal's pages, stay a graph without cycles
    // of two.
    for krate in ["vigie-store", "vigie-web", "vigie-service"] {
        let graph = module_imports(&root().join("crates").join(krate).join("src"), &["crate::"]);
        assert!(graph.len() > 3, "{krate}: {graph:?}");
        assert_one_way(krate, &graph);
    }
    let pages = module_imports(
        &root().join("crates/vigie-web/src/pages"),
        &["crate::pages::", "super::", "pages::"],
    );
    assert!(pages.len() > 10, "{pages:?}");
    assert_one_way("vigie-web pages", &pages);
}
