//! The system under test: a fresh database per engine, its accounts, and `vigie serve` as
//! a child process on a free loopback port, which the kill test stops with SIGKILL.

use std::{
    fs::{self, File},
    io::{Read as _, Seek as _, SeekFrom},
    net::{Ipv4Addr, SocketAddr, TcpListener},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail, ensure};
use jiff::Timestamp;
use vigie_access::{Role, Scope, StructureId, UserId};
use vigie_auth::{SecretToken, TokenKind};
use vigie_model::Structure;
use vigie_store::{NewUser, Store};

/// A database engine Vigie runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server (on loopback).
    Postgres,
}

impl Engine {
    /// The engine's name.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// A fresh database, removed (file or PostgreSQL database) on drop unless kept.
pub struct Database {
    /// The URL `vigie --db` and the store take.
    pub url: String,
    cleanup: Cleanup,
    /// Leave the database behind, to look at it.
    pub keep: bool,
}

enum Cleanup {
    Files(PathBuf),
    Postgres { maintenance: String, name: String },
}

/// Runs a PostgreSQL client tool; fails with its output when it does.
fn pg_tool(tool: &str, args: &[&str]) -> anyhow::Result<()> {
    let out = Command::new(tool)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {tool} (PostgreSQL client tools)"))?;
    ensure!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(())
}

fn remove_sqlite(path: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {}", path.display())),
        }
    }
    Ok(())
}

/// Checks that a PostgreSQL URL names a loopback host: the bench never leaves the machine.
fn loopback_postgres(base: &str) -> anyhow::Result<url::Url> {
    let url = url::Url::parse(base).with_context(|| format!("--pg-url {base}"))?;
    ensure!(
        matches!(url.scheme(), "postgres" | "postgresql"),
        "--pg-url must be postgres://…"
    );
    let loopback = match url.host() {
        // postgres:// is not a special scheme: its host stays a string.
        Some(url::Host::Domain(d)) => {
            d == "localhost"
                || d.trim_matches(['[', ']'])
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    ensure!(
        loopback,
        "--pg-url must name a loopback host (127.0.0.1, ::1 or localhost)"
    );
    Ok(url)
}

impl Database {
    /// Creates an empty database for `engine`: a new SQLite file in `dir`, or a new
    /// PostgreSQL database on the server of `pg_base` (`postgres://user@127.0.0.1:5432`).
    pub fn fresh(engine: Engine, dir: &Path, pg_base: &str) -> anyhow::Result<Database> {
        let tag = format!("{}_{}", std::process::id(), fastrand::u32(..));
        match engine {
            Engine::Sqlite => {
                fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
                let path = dir.join(format!("declarations-{tag}.db"));
                remove_sqlite(&path)?;
                Ok(Database {
                    url: format!("sqlite:{}", path.display()),
                    cleanup: Cleanup::Files(path),
                    keep: false,
                })
            }
            Engine::Postgres => {
                let mut url = loopback_postgres(pg_base)?;
                let name = format!("vigie_bench_{tag}");
                url.set_path("/postgres");
                let maintenance = url.to_string();
                pg_tool("createdb", &["--maintenance-db", &maintenance, &name])?;
                url.set_path(&format!("/{name}"));
                Ok(Database {
                    url: url.to_string(),
                    cleanup: Cleanup::Postgres { maintenance, name },
                    keep: false,
                })
            }
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if self.keep {
            eprintln!("kept the database {}", self.url);
            return;
        }
        let result = match &self.cleanup {
            Cleanup::Files(path) => remove_sqlite(path),
            Cleanup::Postgres { maintenance, name } => pg_tool(
                "dropdb",
                &[
                    "--maintenance-db",
                    maintenance,
                    "--if-exists",
                    "--force",
                    name,
                ],
            ),
        };
        if let Err(e) = result {
            eprintln!("warning: cannot remove the database {}: {e:#}", self.url);
        }
    }
}

/// A structure with one declarant and the API token they created for it.
pub struct Account {
    /// The structure's identifier.
    pub structure_id: StructureId,
    /// The structure.
    pub structure: Structure,
    /// The declarant who created the token.
    pub user: UserId,
    /// The declarant's address, where acknowledgments go.
    pub email: String,
    /// The API token (`vga_…`), sent as `Authorization: Bearer`.
    pub token: String,
}

/// The time the accounts are created at.
#[allow(clippy::disallowed_methods)]
fn now() -> Timestamp {
    Timestamp::now()
}

/// Creates `count` structures, each with a declarant and an API token.
pub async fn accounts(store: &Store, count: usize, seed: u64) -> anyhow::Result<Vec<Account>> {
    let mut structures = crate::generate::structures(seed);
    ensure!(
        count <= structures.len(),
        "at most {} structures",
        structures.len()
    );
    structures.truncate(count);
    let mut out = Vec::with_capacity(count);
    for (n, structure) in structures.into_iter().enumerate() {
        let structure_id = store.save_structure(&structure).await?;
        let email = format!("declarant{n}@bench.vigie.localhost");
        let user = store
            .create_user(
                &NewUser {
                    email: email.clone(),
                    display_name: format!("Déclarant n°{n}"),
                    role: Role::Declarant,
                    scope: Scope::Structure(structure_id),
                    password_hash: None,
                },
                now(),
            )
            .await?;
        let token = SecretToken::generate(TokenKind::Api)?;
        store
            .create_api_token(
                structure_id,
                &token.hash().to_hex(),
                "banc d'essai",
                Some(user),
                now(),
            )
            .await?;
        out.push(Account {
            structure_id,
            structure,
            user,
            email,
            token: token.expose().to_owned(),
        });
    }
    Ok(out)
}

/// `vigie serve` running as a child process.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    log: PathBuf,
    /// Time from spawn to the first 200 on `GET /`.
    pub startup: Duration,
}

/// A port nobody listens on now (the OS's choice; another process may take it before
/// the server binds it, which the server would report).
fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

/// The end of a log file, to explain a failure.
fn tail(path: &Path) -> String {
    let mut s = String::new();
    if let Ok(mut f) = File::open(path) {
        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
        let _ = f.seek(SeekFrom::Start(len.saturating_sub(2_000)));
        let _ = f.read_to_string(&mut s);
    }
    s
}

impl Server {
    /// Starts `vigie --db URL serve` on a free loopback port, its output appended to
    /// `log`, and waits until `GET /` answers 200 (at most `patience`).
    pub async fn start(
        vigie: &Path,
        db: &str,
        log: &Path,
        http: &reqwest::Client,
        patience: Duration,
    ) -> anyhow::Result<Server> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()?));
        let out = File::options()
            .create(true)
            .append(true)
            .open(log)
            .with_context(|| format!("opening {}", log.display()))?;
        let start = Instant::now();
        let child = Command::new(vigie)
            .arg("--db")
            .arg(db)
            .arg("serve")
            .arg("--listen")
            .arg(addr.to_string())
            // As patient as the benchmark's clients: the first dashboard at 10M rows waits
            // for the server to read them all, longer on a busy machine.
            .arg("--request-timeout")
            .arg("1800")
            .env_remove("VIGIE_SMTP_URL")
            .env_remove("VIGIE_PUBLIC_URL")
            .env_remove("VIGIE_DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .with_context(|| format!("running {}", vigie.display()))?;
        let mut server = Server {
            child,
            base: format!("http://{addr}"),
            log: log.to_owned(),
            startup: Duration::ZERO,
        };
        loop {
            if let Some(status) = server.child.try_wait()? {
                bail!("vigie serve exited ({status}):\n{}", tail(&server.log));
            }
            if server.healthy(http).await {
                server.startup = start.elapsed();
                return Ok(server);
            }
            if start.elapsed() > patience {
                bail!(
                    "vigie serve did not answer within {patience:?}:\n{}",
                    tail(&server.log)
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether `GET /` answers 200.
    pub async fn healthy(&self, http: &reqwest::Client) -> bool {
        let answer = http
            .get(format!("{}/", self.base))
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        answer.is_ok_and(|r| r.status() == reqwest::StatusCode::OK)
    }

    /// Kills the server with SIGKILL, as a crash would, and reaps it.
    pub fn kill(&mut self) -> anyhow::Result<()> {
        self.child.kill().context("kill -9 vigie serve")?;
        self.child.wait()?;
        Ok(())
    }

    /// Stops the server: SIGINT (graceful shutdown), then SIGKILL after 5 s.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill")
            .args(["-INT", &pid])
            .stdin(Stdio::null())
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.kill()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
