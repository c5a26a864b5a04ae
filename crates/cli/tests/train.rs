//! `catapult train` end to end: the record on stdout or in a file, overrides, bad configs.

mod common;

use std::path::PathBuf;

fn example(name: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    root.to_string_lossy().into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("catapult-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

#[test]
fn train_writes_a_record_with_overrides_applied() {
    let out = scratch("record.json");
    let output = common::catapult(&[
        "train",
        "--config",
        &example("squared-degenerate.json"),
        "--out",
        out.to_str().unwrap(),
        "--lr-factor",
        "3.0",
        "--width",
        "512",
        "--seed",
        "3",
        "--steps",
        "500",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = String::from_utf8_lossy(&output.stderr);
    assert!(summary.starts_with("catapult: eta"), "{summary}");
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(record["config"]["model"]["width"], 512);
    assert_eq!(record["config"]["seed"], 3);
    assert_eq!(record["config"]["steps"], 500);
    assert_eq!(record["config"]["lr"]["factor"], 3.0);
    assert_eq!(record["phase"], "catapult");
    let eta = record["eta"].as_f64().unwrap();
    let lambda0 = record["lambda0"].as_f64().unwrap();
    assert!((eta * lambda0 - 3.0).abs() < 1e-12);
}

#[test]
fn train_prints_the_record_on_stdout_without_out() {
    let output = common::catapult(&[
        "train",
        "--config",
        &example("logistic-separable.json"),
        "--steps",
        "20",
    ]);
    assert!(output.status.success());
    let record: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(record["trace"]["step"], serde_json::json!([0, 10, 20]));
}

#[test]
fn bad_configs_fail_with_the_field_named() {
    let config = scratch("bad.json");
    let good = std::fs::read_to_string(example("squared-degenerate.json")).unwrap();
    let cases = [
        (
            good.replace("\"width\": 1000", "\"width\": 0"),
            "model.width",
        ),
        (
            good.replace("\"squared\"", "\"hinge\""),
            "unknown variant `hinge`",
        ),
        (
            good.replace("\"steps\": 3000,", ""),
            "missing field `steps`",
        ),
        (
            good.replace("{\"factor\": 3.0}", "{\"factor\": -2}"),
            "lr.factor",
        ),
        ("{ not json".to_string(), "key must be a string"),
    ];
    for (text, expected) in cases {
        std::fs::write(&config, text).unwrap();
        let output = common::catapult(&["train", "--config", config.to_str().unwrap()]);
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(expected) && stderr.contains("bad.json"),
            "{expected}: {stderr}"
        );
    }
    let output = common::catapult(&["train", "--config", "/nonexistent/config.json"]);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("reading config /nonexistent/config.json")
    );
}
