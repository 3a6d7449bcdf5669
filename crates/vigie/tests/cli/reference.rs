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
