//! `catapult phase-diagram` end to end on a tiny grid: records, merged table, figure.

mod common;

use std::path::{Path, PathBuf};

/// Runs `catapult phase-diagram` on the squared-loss example into `dir`; asserts success.
fn phase_diagram(dir: &Path, grid: &[&str]) {
    let config =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/squared-degenerate.json");
    let mut args = vec!["phase-diagram", "--config", config.to_str().unwrap()];
    args.extend(grid);
    args.extend(["--out", dir.to_str().unwrap()]);
    common::stdout_of_success(&args);
}

#[test]
fn tiny_grid_gives_records_a_table_and_a_figure() {
    let root = common::scratch("phase-diagram", "grid");
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
    let root = common::scratch("phase-diagram", "dotted");
    phase_diagram(
        &root.join("runs.v2"),
        &["--lr-factors", "1,3", "--widths", "16", "--steps", "50"],
    );
    assert!(root.join("runs.v2.csv").is_file());
    assert!(root.join("runs.v2.svg").is_file());
    assert!(!root.join("runs.csv").exists() && !root.join("runs.svg").exists());
    std::fs::remove_dir_all(&root).unwrap();
}
