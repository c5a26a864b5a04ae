//! `catapult fqi` writes one row per (seed, variant, iteration) and prints a summary per
//! variant; a discount of 1 is refused with a message naming it.

mod common;

#[test]
fn short_run_writes_the_rows_and_the_summary() {
    let out = common::scratch("fqi", "short").join("fqi.csv");
    let stdout = common::stdout_of_success(&[
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
        out.to_str().unwrap(),
    ]);
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
    let out = common::scratch("fqi", "refused").join("fqi.csv");
    let output = common::catapult(&[
        "fqi",
        "--gamma",
        "1",
        "--seeds",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let stderr = common::stderr(&output);
    assert!(stderr.contains("gamma must be in [0, 1)"), "{stderr}");
}
