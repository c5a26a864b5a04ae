//! `catapult diagonal --part incremental` writes the learning times and support order, and
//! refuses a bad thread count.

use std::process::Command;

#[test]
fn incremental_part_writes_its_tables() {
    let out = std::env::temp_dir().join(format!("catapult-diagonal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let output = Command::new(env!("CARGO_BIN_EXE_catapult"))
        .args([
            "diagonal",
            "--part",
            "incremental",
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
    assert!(stdout.contains("N = 4 σ0 = 1e-4"), "{stdout}");
    let times = std::fs::read_to_string(out.join("learning_times.csv")).unwrap();
    // 4 depths × 3 initial values × 2 levels × 4 coordinates, and a header.
    assert_eq!(times.lines().count(), 1 + 4 * 3 * 2 * 4);
    assert!(times.starts_with("depth,sigma0,coordinate,target,level,measured,predicted,"));
    let support = std::fs::read_to_string(out.join("sparse_regression.csv")).unwrap();
    assert_eq!(support.lines().count(), 1 + 2 * 4);
    std::fs::remove_dir_all(&out).unwrap();

    let refused = Command::new(env!("CARGO_BIN_EXE_catapult"))
        .args(["diagonal", "--threads", "0", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--threads `0`"));
}
