//! What the CLI's integration tests share: running the `catapult` binary and fresh scratch
//! directories. Every test file compiles this module on its own and uses a part of it, so
//! the parts a file does not use are not dead code.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the `catapult` binary with `args`.
pub fn catapult<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_catapult"))
        .args(args)
        .output()
        .expect("the catapult binary runs")
}

/// Standard error of a finished command, as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `catapult args`, asserts that it succeeded (showing both streams if not) and returns
/// its standard output.
pub fn stdout_of_success<S: AsRef<OsStr>>(args: &[S]) -> String {
    let output = catapult(args);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}\n{}", stderr(&output));
    stdout
}

/// A fresh, empty directory `catapult-SUITE-PID/NAME` under the system's temp directory.
pub fn scratch(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("catapult-{suite}-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}
