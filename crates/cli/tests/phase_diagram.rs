//! `catapult phase-diagram` end to end on a tiny grid: records, merged table, figure.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn tiny_grid_gives_records_a_table_and_a_figure() {
    let root = std::env::temp_dir().join(format!("catapult-phase-diagram-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let dir = root.join("runs");
    let config =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/squared-degenerate.json");
    let output = Command::new(env!("CARGO_BIN_EXE_catapult"))
        .args([
            "phase-diagram",
            "--config",
            config.to_str().unwrap(),
            "--lr-factors",
            "1,3,5",
        ])
        .args([
            "--widths",
            "16,32",
            "--steps",
            "100",
            "--out",
            dir.to_str().unwrap(),
        ])
        .output()
        .expect("the catapult binary runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
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
    let root = std::env::temp_dir().join(format!(
        "catapult-phase-diagram-dotted-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let dir = root.join("runs.v2");
    let config =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/squared-degenerate.json");
    let output = Command::new(env!("CARGO_BIN_EXE_catapult"))
        .args(["phase-diagram", "--config", config.to_str().unwrap()])
        .args(["--lr-factors", "1,3", "--widths", "16", "--steps", "50"])
        .args(["--out", dir.to_str().unwrap()])
        .output()
        .expect("the catapult binary runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(root.join("runs.v2.csv").is_file());
    assert!(root.join("runs.v2.svg").is_file());
    assert!(!root.join("runs.csv").exists() && !root.join("runs.svg").exists());
    std::fs::remove_dir_all(&root).unwrap();
}
