//! `catapult check --quick` runs every claim against the real network and passes.

use std::process::Command;

#[test]
fn quick_check_passes_and_prints_a_row_per_claim() {
    let output = Command::new(env!("CARGO_BIN_EXE_catapult"))
        .args(["check", "--quick"])
        .output()
        .expect("the catapult binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let rows = stdout
        .lines()
        .filter(|line| line.starts_with("holds |"))
        .count();
    assert!(rows >= 20, "{stdout}");
    assert!(!stdout.contains("FAILS"), "{stdout}");
    assert!(stderr.contains("0 failed"), "{stderr}");
}
