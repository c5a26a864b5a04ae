//! `catapult annealing --quick` writes its three tables and prints both summaries.

use std::process::Command;

#[test]
fn quick_run_writes_the_tables() {
    let out = std::env::temp_dir().join(format!("catapult-annealing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let output = Command::new(env!("CARGO_BIN_EXE_catapult"))
        .args(["annealing", "--quick", "--threads", "2", "--out"])
        .arg(&out)
        .output()
        .expect("the catapult binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for policy in [
        "lazy",
        "catapult",
        "large-then-step",
        "large-then-cosine",
        "warmup-to-large",
        "cyclic",
    ] {
        assert!(
            stdout.contains(&format!("wine-red | 2 | {policy} |")),
            "{policy}: {stdout}"
        );
    }
    assert!(stdout.contains("sgd | 1 |"), "{stdout}");
    let rows = std::fs::read_to_string(out.join("policies.csv")).unwrap();
    // 6 policies × 3 seeds × 3 checkpoints, and a header.
    assert_eq!(rows.lines().count(), 1 + 6 * 3 * 3);
    let spikes = std::fs::read_to_string(out.join("spikes.csv")).unwrap();
    assert!(spikes.starts_with("optimizer,seed,start,peak,end,height,"));
    let summary = std::fs::read_to_string(out.join("policy_summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 1 + 3 * 6);
    std::fs::remove_dir_all(&out).unwrap();
}
