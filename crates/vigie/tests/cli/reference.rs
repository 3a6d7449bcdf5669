//! `vigie reference load`: one command for each reference data set.

use crate::{Scratch, shared};

#[test]
fn the_register_and_the_regions_load_with_one_command_each() {
    let (sae, cog) = (shared("data/fr-sae-2023"), shared("data/fr-cog"));
    if !sae.exists() || !cog.exists() {
        eprintln!(
            "SKIP reference: {} or {} is missing",
            sae.display(),
            cog.display()
        );
        return;
    }
    let s = Scratch::new();
    let out = s.vigie(&["reference", "load", "register", sae.to_str().unwrap()]);
    assert!(out.ok, "{}", out.stderr);
    assert!(
        out.stdout.contains("3975 establishments loaded"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("regional shares of activity loaded"),
        "{}",
        out.stdout
    );
    let out = s.vigie(&["reference", "load", "regions", cog.to_str().unwrap()]);
    assert!(out.ok, "{}", out.stderr);
    assert!(out.stdout.contains("18 regions loaded"), "{}", out.stdout);
    // Loading again refreshes, never duplicates.
    let again = s.vigie(&["reference", "load", "register", sae.to_str().unwrap()]);
    assert!(
        again.stdout.contains("3975 establishments loaded"),
        "{}",
        again.stdout
    );
}

/// Without a path, the register and the regions are those shipped in the binary.
#[test]
fn the_shipped_register_and_regions_load_without_a_path() {
    let s = Scratch::new();
    let out = s.vigie(&["reference", "load", "register"]);
    assert!(out.ok, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "DREES, SAE 2023 (shipped with Vigie): 3975 establishments loaded\n\
         DREES, SAE 2023 (shipped with Vigie): 18 regional shares of activity loaded\n"
    );
    let out = s.vigie(&["reference", "load", "regions"]);
    assert!(out.ok, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "INSEE, COG 2023 (shipped with Vigie): 18 regions loaded\n"
    );
}
