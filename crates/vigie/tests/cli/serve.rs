//! `vigie serve` refuses a database that does not sync each commit to disk.

use std::{
    io::{BufRead as _, BufReader},
    process::{Command, Stdio},
};

/// A PostgreSQL database of its own whose sessions do not wait for the log's flush;
/// `None` (with a visible SKIP) when no server answers, outside CI.
async fn unsynced_database() -> Option<(sqlx::PgPool, String, String)> {
    let admin_url = std::env::var("VIGIE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let admin = match sqlx::PgPool::connect(&admin_url).await {
        Ok(pool) => pool,
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true: PostgreSQL must answer at {admin_url}: {e}")
        }
        Err(e) => {
            eprintln!("SKIP postgres: no server at {admin_url} ({e})");
            return None;
        }
    };
    let name = format!("vigie_cli_{}_{}", std::process::id(), fastrand_u32());
    for sql in [
        format!("CREATE DATABASE {name}"),
        format!("ALTER DATABASE {name} SET synchronous_commit = off"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&admin)
            .await
            .unwrap();
    }
    let slash = admin_url.rfind('/').unwrap();
    let url = format!("{}/{name}", &admin_url[..slash]);
    Some((admin, name, url))
}

/// A number that differs between runs, for database names.
fn fastrand_u32() -> u32 {
    std::time::SystemTime::UNIX_EPOCH
        .elapsed()
        .map_or(0, |d| d.subsec_nanos())
}

#[tokio::test]
async fn serve_refuses_a_database_that_does_not_sync() {
    let Some((admin, name, url)) = unsynced_database().await else {
        return;
    };
    let vigie = env!("CARGO_BIN_EXE_vigie");
    let refused =
        crate::run(Command::new(vigie).args(["--db", &url, "serve", "--listen", "127.0.0.1:0"]));
    assert!(!refused.ok);
    assert!(
        refused.stderr.contains("synchronous_commit = off")
            && refused.stderr.contains("--accept-unsafe-durability"),
        "{}",
        refused.stderr
    );
    assert!(
        !refused.stdout.contains("Vigie est ouvert"),
        "{}",
        refused.stdout
    );

    // Told to, it serves, and warns.
    let mut child = Command::new(vigie)
        .args([
            "--db",
            &url,
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--accept-unsafe-durability",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let opened = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.starts_with("Vigie est ouvert"));
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(opened);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("synchronous_commit = off"), "{stderr}");

    let drop_db = format!("DROP DATABASE {name} WITH (FORCE)");
    sqlx::query(sqlx::AssertSqlSafe(drop_db))
        .execute(&admin)
        .await
        .unwrap();
}

#[test]
fn serve_accepts_a_sqlite_file_that_syncs() {
    let scratch = crate::Scratch::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .arg("--db")
        .arg(scratch.db())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let opened = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.starts_with("Vigie est ouvert"));
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(opened);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("Attention"), "{stderr}");
}
