//! `catapult collapse` writes one row per (λ, observed step) and prints the last one per λ;
//! an unknown task is refused by name.

use std::process::Command;

#[test]
fn short_iris_run_writes_the_rows() {
    let out = std::env::temp_dir().join(format!("catapult-collapse-{}.csv", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_catapult"))
        .args([
            "collapse",
            "--task",
            "iris",
            "--lambdas",
            "0,0.01",
            "--hidden",
            "8,8",
            "--steps",
            "40",
            "--observe-every",
            "20",
            "--threads",
            "1",
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("the catapult binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("0.01 | 40 |"), "{stdout}");
    let rows = std::fs::read_to_string(&out).unwrap();
    assert_eq!(rows.lines().count(), 1 + 2 * 3);
    assert!(rows.starts_with("task,normalisation,weight_decay,step,loss,"));
    let _ = std::fs::remove_file(&out);
}

#[test]
fn an_unknown_task_is_named() {
    let output = Command::new(env!("CARGO_BIN_EXE_catapult"))
        .args(["collapse", "--task", "cifar", "--out", "/dev/null"])
        .output()
        .expect("the catapult binary runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown task `cifar`"));
}
