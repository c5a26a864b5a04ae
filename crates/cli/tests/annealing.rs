//! `catapult annealing --quick` writes its three tables and prints both summaries.

mod common;

#[test]
fn quick_run_writes_the_tables() {
    let out = common::scratch("annealing", "quick");
    let stdout = common::stdout_of_success(&[
        "annealing",
        "--quick",
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
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
