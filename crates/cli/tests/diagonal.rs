//! `catapult diagonal --part incremental` writes the learning times and support order, and
//! refuses a bad thread count.

mod common;

#[test]
fn incremental_part_writes_its_tables() {
    let out = common::scratch("diagonal", "incremental");
    let stdout = common::stdout_of_success(&[
        "diagonal",
        "--part",
        "incremental",
        "--threads",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(stdout.contains("N = 4 σ0 = 1e-4"), "{stdout}");
    let times = std::fs::read_to_string(out.join("learning_times.csv")).unwrap();
    // 4 depths × 3 initial values × 2 levels × 4 coordinates, and a header.
    assert_eq!(times.lines().count(), 1 + 4 * 3 * 2 * 4);
    assert!(times.starts_with("depth,sigma0,coordinate,target,level,measured,predicted,"));
    let support = std::fs::read_to_string(out.join("sparse_regression.csv")).unwrap();
    assert_eq!(support.lines().count(), 1 + 2 * 4);
    std::fs::remove_dir_all(&out).unwrap();

    let refused = common::catapult(&["diagonal", "--threads", "0", "--out", out.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(common::stderr(&refused).contains("--threads `0`"));
}
