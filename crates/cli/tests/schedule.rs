//! `catapult schedule` prints η_t as CSV, to standard output or a file, and names a bad spec.

use std::process::{Command, Output};

fn catapult(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_catapult"))
        .arg("schedule")
        .args(args)
        .output()
        .expect("the catapult binary runs")
}

#[test]
fn prints_the_schedule_every_k_steps_and_the_last() {
    let output = catapult(&["step:k0=1,gamma=0.5,l=10", "--steps", "25", "--every", "10"]);
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        stdout,
        "step,learning_rate\n0,1.0\n10,0.5\n20,0.25\n25,0.25\n"
    );
}

#[test]
fn writes_a_file_and_reports_the_horizon() {
    let path = std::env::temp_dir().join(format!("catapult-schedule-{}.csv", std::process::id()));
    let output = catapult(&[
        "seq:[fix:k0=2@3,cosine:k0=0.5,T=2]",
        "--steps",
        "6",
        "--out",
        &path.display().to_string(),
    ]);
    assert!(output.status.success());
    let text = std::fs::read_to_string(&path).unwrap();
    let rates: Vec<f64> = text
        .lines()
        .skip(1)
        .map(|line| line.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(&rates[..5], [2.0, 2.0, 2.0, 0.5, 0.25]);
    assert!(rates[5] > 0.0 && rates[5] < 1e-300);
    assert!(String::from_utf8_lossy(&output.stderr).contains("horizon T = 5"));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_bad_spec_names_the_policy_and_parameter() {
    for (spec, expected) in [
        ("bogus:k0=1", "unknown schedule policy `bogus`"),
        ("step:k0=1,gamma=2,l=10", "`gamma`"),
        ("cosine:k0=0.5", "`T`"),
    ] {
        let output = catapult(&[spec, "--steps", "3"]);
        assert!(!output.status.success(), "{spec}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{spec}: {stderr}");
    }
}
