//! `vigie serve` refuses a database that does not sync each commit to disk.

use std::{
    io::{BufRead as _, BufReader},
    process::{Command, Stdio},
};

/// Runs `vigie --db DB serve --listen 127.0.0.1:0 extra…` until it says where it is open
/// (or exits), then stops it; whether it opened, its exit code if it exited by itself
/// (`None` when stopped), and what it wrote on its error output.
fn serve_until_open(db: &str, extra: &[&str]) -> (bool, Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["--db", db, "serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let opened = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.starts_with("Vigie est ouvert"));
    // It may have exited already (a refusal): stopping it then is not an error.
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (opened, output.status.code(), stderr)
}

#[tokio::test]
async fn serve_refuses_a_database_that_does_not_sync() {
    // A database of its own whose sessions do not wait for the log's flush.
    let Some(db) = vigie_store::testing::Postgres::new().await else {
        return;
    };
    db.set_for_new_sessions("synchronous_commit", "off").await;
    let (opened, code, stderr) = serve_until_open(&db.url, &[]);
    assert!(!opened);
    assert!(code.is_some_and(|c| c != 0), "{code:?}");
    assert!(
        stderr.contains("synchronous_commit = off")
            && stderr.contains("--accept-unsafe-durability"),
        "{stderr}"
    );

    // Told to, it serves, and warns.
    let (opened, _, stderr) = serve_until_open(&db.url, &["--accept-unsafe-durability"]);
    assert!(opened);
    assert!(stderr.contains("synchronous_commit = off"), "{stderr}");
    db.drop().await;
}

#[test]
fn serve_accepts_a_sqlite_file_that_syncs() {
    let scratch = crate::Scratch::new();
    let (opened, _, stderr) = serve_until_open(&scratch.db(), &[]);
    assert!(opened);
    assert!(!stderr.contains("Attention"), "{stderr}");
}
