//! `catapult fqi` writes one row per (seed, variant, iteration) and prints a summary per
//! variant; a discount of 1 is refused with a message naming it.

use std::process::Command;

#[test]
fn short_run_writes_the_rows_and_the_summary() {
    let out = std::env::temp_dir().join(format!("catapult-fqi-{}.csv", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_catapult"))
        .args([
            "fqi",
            "--iterations",
            "2",
            "--few-steps",
            "1",
            "--many-steps",
            "2",
            "--seeds",
            "0",
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
    for variant in [
        "bootstrapped, few steps",
        "bootstrapped, many steps",
        "supervised, many steps",
        "bootstrapped + penalty",
    ] {
        assert!(stdout.contains(&format!("{variant} |")), "{stdout}");
    }
    let rows = std::fs::read_to_string(&out).unwrap();
    assert_eq!(rows.lines().count(), 1 + 4 * 3);
    assert!(rows.starts_with("variant,seed,iteration,steps_per_iteration,srank,"));
    let _ = std::fs::remove_file(&out);
}

#[test]
fn a_discount_of_one_is_refused() {
    let out = std::env::temp_dir().join(format!("catapult-fqi-bad-{}.csv", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_catapult"))
        .args(["fqi", "--gamma", "1", "--seeds", "0", "--out"])
        .arg(&out)
        .output()
        .expect("the catapult binary runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("gamma must be in [0, 1)"), "{stderr}");
}
