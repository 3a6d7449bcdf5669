//! Measures the time of one Argon2id verification for candidate parameters.
//!
//! Run in release on the target machine:
//! `cargo run -p vigie-auth --release --example argon2_cost`.

use std::time::Instant;

use argon2::password_hash::phc;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier};

fn main() {
    let password = b"Un-mot-de-passe-de-test-42";
    let salt = b"0123456789abcdef";
    let n_runs = 20;
    // (m in KiB, t, p): OWASP's minimum and stronger settings.
    let candidates = [
        (19 * 1024, 2, 1),
        (46 * 1024, 1, 1),
        (32 * 1024, 2, 1),
        (64 * 1024, 2, 1),
        (64 * 1024, 3, 1),
    ];
    for (m, t, p) in candidates {
        let Ok(params) = Params::new(m, t, p, None) else {
            eprintln!("invalid parameters m={m} t={t} p={p}");
            continue;
        };
        let argon2 = Argon2::new(Algorithm::Argon2id, argon2::Version::V0x13, params);
        let Ok(hash) = argon2.hash_password_with_salt(password, salt) else {
            eprintln!("hashing failed for m={m} t={t} p={p}");
            continue;
        };
        let hash: phc::PasswordHash = hash;
        let mut times_ms: Vec<f64> = (0..n_runs)
            .map(|_| {
                let start = Instant::now();
                let ok = argon2.verify_password(password, &hash).is_ok();
                assert!(ok);
                start.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times_ms.sort_by(f64::total_cmp);
        println!(
            "m={:>5} KiB t={t} p={p}: median {:.1} ms, min {:.1} ms, max {:.1} ms",
            m,
            times_ms[n_runs / 2],
            times_ms[0],
            times_ms[n_runs - 1]
        );
    }
}
