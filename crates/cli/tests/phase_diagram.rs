//! `catapult phase-diagram` end to end on a tiny grid: records, merged table, figure.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh scratch directory named after `name` and this process.
fn scratch(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!(
        "catapult-phase-diagram-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    root
}

/// Runs `catapult phase-diagram` on the squared-loss example into `dir`; asserts success.
fn phase_diagram(dir: &Path, grid: &[&str]) {
    let config =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/squared-degenerate.json");
    let output = Command::new(env!("CARGO_BIN_EXE_catapult"))
        .args(["phase-diagram", "--config", config.to_str().unwrap()])
        .args(grid)
        .args(["--out", dir.to_str().unwrap()])
        .output()
        .expect("the catapult binary runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn tiny_grid_gives_records_a_table_and_a_figure() {
    let root = scratch("grid");
    let dir = root.join("runs");
    phase_diagram(
        &dir,
        &[
            "--lr-factors",
            "1,3,5",
            "--widths",
            "16,32",
            "--steps",
            "100",
        ],
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 6);
    let table = std::fs::read_to_string(root.join("runs.csv")).unwrap();
    assert_eq!(table.lines().count(), 7, "{table}");
    for phase in ["lazy", "catapult", "divergent"] {
        assert!(
            table.contains(&format!(",{phase},")),
            "{phase} missing: {table}"
        );
    }
    let svg = std::fs::read_to_string(root.join("runs.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("predicted"),
        "{}",
        &svg[..200.min(svg.len())]
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn default_table_and_figure_append_to_a_dotted_directory_name() {
    let root = scratch("dotted");
    phase_diagram(
        &root.join("runs.v2"),
        &["--lr-factors", "1,3", "--widths", "16", "--steps", "50"],
    );
    assert!(root.join("runs.v2.csv").is_file());
    assert!(root.join("runs.v2.svg").is_file());
    assert!(!root.join("runs.csv").exists() && !root.join("runs.svg").exists());
    std::fs::remove_dir_all(&root).unwrap();
}
