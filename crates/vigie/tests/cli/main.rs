//! The `vigie` command, tested as its users run it.

mod account;
mod demo;
mod exchange;
mod interchange;
mod journal;
mod reference;
mod serve;
mod stats;
mod tidy;

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

/// A scratch folder with its own database.
pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Default for Scratch {
    fn default() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().unwrap(),
        }
    }
}

impl Scratch {
    /// A new folder.
    pub fn new() -> Scratch {
        Scratch::default()
    }

    /// The database URL of this folder.
    pub fn db(&self) -> String {
        format!("sqlite:{}", self.dir.path().join("vigie.db").display())
    }

    /// A file of this folder holding `text`.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// A path in this folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `vigie --db <this db> args…`.
    pub fn vigie(&self, args: &[&str]) -> Run {
        run(Command::new(env!("CARGO_BIN_EXE_vigie"))
            .arg("--db")
            .arg(self.db())
            .args(args))
    }
}

/// What a run printed and how it ended.
pub struct Run {
    /// Exit status was 0.
    pub ok: bool,
    /// Exit code, if the process exited.
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs a command and captures its output.
pub fn run(command: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().unwrap();
    Run {
        ok: status.success(),
        code: status.code(),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

/// The shared data folder beside the repository.
pub fn shared(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(path)
}
