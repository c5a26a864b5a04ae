//! The bad-input table of `docs/reliability.md`, row by row: each test feeds `catapult train`
//! one class of bad input and pins the exact message it prints (and that it exits non-zero
//! without a panic). A row that changes here changes in the docs too.

mod common;

use std::path::{Path, PathBuf};

/// A valid config around `data`, `model`, `loss`, `lr` and `steps` (JSON fragments).
fn config(data: &str, model: &str, loss: &str, lr: &str, steps: &str) -> String {
    format!(
        r#"{{"data": {data}, "model": {model}, "loss": "{loss}", "seed": 0, "lr": {lr},
            "steps": {steps}, "observe_every": 10}}"#
    )
}

const DEGENERATE: &str =
    r#"{"kind": "degenerate", "a": [1.0, 0.6, -0.8], "y": [1.0, 1.0, -1.0], "dim": 5}"#;
const MODEL: &str = r#"{"kind": "two-layer-linear", "width": 16}"#;
const LR: &str = r#"{"factor": 1.0}"#;

fn with_data(data: &str) -> String {
    config(data, MODEL, "logistic", LR, "20")
}

fn csv_data(path: &Path) -> String {
    format!(
        r#"{{"kind": "csv", "path": "{}", "label": "y", "positive": "1"}}"#,
        path.display()
    )
}

/// Runs `catapult train --config path` plus `extra`, expects failure, returns the last line
/// of standard error (the progress bar never shows: standard error is not a terminal).
fn failure(path: &Path, extra: &[&str]) -> String {
    let mut args = vec!["train", "--config", path.to_str().unwrap()];
    args.extend(extra);
    let output = common::catapult(&args);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "expected a failure: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    stderr
        .trim_end()
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned()
}

/// Writes `text` as `name` in `dir` and runs it.
fn failure_of(dir: &Path, name: &str, text: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let message = failure(&path, &[]);
    (path, message)
}

#[test]
fn nan_and_inf_in_data() {
    let dir = common::scratch("bad-input", "nan");
    let csv = dir.join("nan.csv");
    std::fs::write(&csv, "a,b,y\n1,2,0\n3,nan,1\n").unwrap();
    let (_, message) = failure_of(&dir, "c.json", &with_data(&csv_data(&csv)));
    assert_eq!(
        message,
        format!(
            "error: loading data: {}: line 3, column `b` (index 1): `nan` is not a finite number",
            csv.display()
        )
    );
    std::fs::write(&csv, "a,b,y\n1,2,0\n-inf,4,1\n").unwrap();
    let (_, message) = failure_of(&dir, "c.json", &with_data(&csv_data(&csv)));
    assert!(
        message.ends_with("line 3, column `a` (index 0): `-inf` is not a finite number"),
        "{message}"
    );
    // JSON has no NaN or infinity; an overflowing literal is refused by the parser.
    let overflow = DEGENERATE.replace("0.6", "1e400");
    let (path, message) = failure_of(&dir, "c.json", &with_data(&overflow));
    assert_eq!(
        message,
        format!(
            "error: in config {}: not valid JSON: number out of range at line 1 column 48",
            path.display()
        )
    );
}

#[test]
fn shape_mismatch() {
    let dir = common::scratch("bad-input", "shape");
    let short = DEGENERATE.replace("[1.0, 0.6, -0.8]", "[1.0, 0.6]");
    let (path, message) = failure_of(&dir, "c.json", &with_data(&short));
    assert_eq!(
        message,
        format!(
            "error: in config {}: config field `data.y`: has 3 entries but data.a has 2",
            path.display()
        )
    );
    let csv = dir.join("ragged.csv");
    std::fs::write(&csv, "a,b,y\n1,2,0\n3,1\n").unwrap();
    let (_, message) = failure_of(&dir, "c.json", &with_data(&csv_data(&csv)));
    assert_eq!(
        message,
        format!(
            "error: loading data: {}: line 3 has 2 fields but the header has 3",
            csv.display()
        )
    );
}

#[test]
fn empty_data() {
    let dir = common::scratch("bad-input", "empty");
    let none = r#"{"kind": "degenerate", "a": [], "y": [], "dim": 5}"#;
    let (path, message) = failure_of(&dir, "c.json", &with_data(none));
    assert_eq!(
        message,
        format!(
            "error: in config {}: config field `data.a`: must hold at least one sample",
            path.display()
        )
    );
    let csv = dir.join("empty.csv");
    std::fs::write(&csv, "").unwrap();
    let (_, message) = failure_of(&dir, "c.json", &with_data(&csv_data(&csv)));
    assert_eq!(
        message,
        format!(
            "error: loading data: {}: the file is empty: a header row and data rows are needed",
            csv.display()
        )
    );
}

#[test]
fn a_single_class() {
    let dir = common::scratch("bad-input", "one-class");
    let csv = dir.join("one.csv");
    std::fs::write(&csv, "a,b,y\n1,2,1\n3,4,1\n").unwrap();
    let (_, message) = failure_of(&dir, "c.json", &with_data(&csv_data(&csv)));
    assert_eq!(
        message,
        format!(
            "error: loading data: {}: every label is `1`: exactly two distinct label values are needed",
            csv.display()
        )
    );
}

#[test]
fn labels_other_than_plus_minus_one() {
    let dir = common::scratch("bad-input", "labels");
    let half = DEGENERATE.replace("[1.0, 1.0, -1.0]", "[1.0, 0.5, -1.0]");
    let (path, message) = failure_of(&dir, "c.json", &with_data(&half));
    assert_eq!(
        message,
        format!(
            "error: in config {}: config field `data.y`: label 1 is 0.5: the logistic loss needs labels -1 or +1",
            path.display()
        )
    );
}

#[test]
fn learning_rate_not_positive_or_not_a_number() {
    let dir = common::scratch("bad-input", "lr");
    for (lr, field, value) in [
        (r#"{"value": 0.0}"#, "lr.value", "0"),
        (r#"{"factor": -2}"#, "lr.factor", "-2"),
    ] {
        let text = config(DEGENERATE, MODEL, "squared", lr, "20");
        let (path, message) = failure_of(&dir, "c.json", &text);
        assert_eq!(
            message,
            format!(
                "error: in config {}: config field `{field}`: must be finite and > 0, got {value}",
                path.display()
            )
        );
    }
    let nan = config(DEGENERATE, MODEL, "squared", r#"{"value": NaN}"#, "20");
    let (path, message) = failure_of(&dir, "c.json", &nan);
    assert!(
        message.starts_with(&format!(
            "error: in config {}: not valid JSON: expected value at line",
            path.display()
        )),
        "{message}"
    );
    let good = dir.join("good.json");
    std::fs::write(&good, config(DEGENERATE, MODEL, "squared", LR, "20")).unwrap();
    assert_eq!(
        failure(&good, &["--lr-factor", "NaN"]),
        "error: config field `lr.factor`: must be finite and > 0, got NaN"
    );
    let floor = r#"{"schedule": "step:k0=0,gamma=0.5,l=10"}"#;
    let text = config(DEGENERATE, MODEL, "squared", floor, "20");
    let (path, message) = failure_of(&dir, "c.json", &text);
    assert!(
        message.starts_with(&format!(
            "error: in config {}: policy `step`: parameter `k0` = 0",
            path.display()
        )),
        "{message}"
    );
}

#[test]
fn zero_steps() {
    let dir = common::scratch("bad-input", "steps");
    let (path, message) = failure_of(
        &dir,
        "c.json",
        &config(DEGENERATE, MODEL, "squared", LR, "0"),
    );
    assert_eq!(
        message,
        format!(
            "error: in config {}: config field `steps`: must be at least 1",
            path.display()
        )
    );
    let good = dir.join("good.json");
    std::fs::write(&good, config(DEGENERATE, MODEL, "squared", LR, "20")).unwrap();
    assert_eq!(
        failure(&good, &["--steps", "0"]),
        "error: config field `steps`: must be at least 1"
    );
}

#[test]
fn zero_width_and_too_shallow_depth() {
    let dir = common::scratch("bad-input", "width");
    let zero = r#"{"kind": "two-layer-linear", "width": 0}"#;
    let (path, message) = failure_of(
        &dir,
        "c.json",
        &config(DEGENERATE, zero, "squared", LR, "20"),
    );
    assert_eq!(
        message,
        format!(
            "error: in config {}: config field `model.width`: must be at least 1",
            path.display()
        )
    );
    let shallow = r#"{"kind": "deep-linear", "depth": 1, "width": 8}"#;
    let (path, message) = failure_of(
        &dir,
        "c.json",
        &config(DEGENERATE, shallow, "squared", LR, "20"),
    );
    assert_eq!(
        message,
        format!(
            "error: in config {}: config field `model.depth`: must be at least 2 (two weight layers), got 1",
            path.display()
        )
    );
}

#[test]
fn unknown_model_loss_schedule_and_task_names() {
    let dir = common::scratch("bad-input", "names");
    let model = r#"{"kind": "transformer", "width": 8}"#;
    let cases = [
        (
            config(DEGENERATE, model, "squared", LR, "20"),
            "unknown variant `transformer`, expected `two-layer-linear` or `deep-linear`",
        ),
        (
            config(DEGENERATE, MODEL, "hinge", LR, "20"),
            "unknown variant `hinge`, expected one of `logistic`, `exponential`, `squared`",
        ),
        (
            config(
                DEGENERATE,
                MODEL,
                "squared",
                r#"{"schedule": "bogus:k0=1"}"#,
                "20",
            ),
            "unknown schedule policy `bogus`",
        ),
        (
            with_data(r#"{"kind": "task", "name": "mnist"}"#),
            "config field `data.name`: unknown task `mnist` (known: iris-versicolor-virginica, iris-setosa, wine-red, separable-mix, gaussians)",
        ),
    ];
    for (text, expected) in cases {
        let (path, message) = failure_of(&dir, "c.json", &text);
        // serde appends where in the text it stopped; the task check runs after parsing.
        let message = message
            .rsplit_once(" at line 1 column ")
            .map_or(message.as_str(), |(head, _)| head);
        assert_eq!(
            message,
            format!("error: in config {}: {expected}", path.display())
        );
    }
}

#[test]
fn missing_and_unreadable_files() {
    let dir = common::scratch("bad-input", "missing");
    let absent = dir.join("absent.json");
    assert_eq!(
        failure(&absent, &[]),
        format!(
            "error: reading config {}: No such file or directory (os error 2)",
            absent.display()
        )
    );
    // A directory stands in for an unreadable file (permissions do not bind root).
    assert_eq!(
        failure(&dir, &[]),
        format!(
            "error: reading config {}: Is a directory (os error 21)",
            dir.display()
        )
    );
    let csv = dir.join("absent.csv");
    let (_, message) = failure_of(&dir, "c.json", &with_data(&csv_data(&csv)));
    assert_eq!(
        message,
        format!(
            "error: loading data: {}: cannot read the file: No such file or directory (os error 2)",
            csv.display()
        )
    );
}

/// IDX headers for `n` images of 2×2 pixels and `n` labels.
fn idx_pair(dir: &Path, n: u32, pixels: &[u8], labels: &[u8]) -> String {
    let mut images = vec![0, 0, 8, 3];
    for v in [n, 2, 2] {
        images.extend(v.to_be_bytes());
    }
    images.extend(pixels);
    let mut label_bytes = vec![0, 0, 8, 1];
    label_bytes.extend(n.to_be_bytes());
    label_bytes.extend(labels);
    let (images_path, labels_path) = (dir.join("images.idx"), dir.join("labels.idx"));
    std::fs::write(&images_path, images).unwrap();
    std::fs::write(&labels_path, label_bytes).unwrap();
    format!(
        r#"{{"kind": "idx", "images": "{}", "labels": "{}", "classes": [3, 7]}}"#,
        images_path.display(),
        labels_path.display()
    )
}

#[test]
fn truncated_files() {
    let dir = common::scratch("bad-input", "truncated");
    let (path, message) = failure_of(&dir, "c.json", r#"{"data": "#);
    assert_eq!(
        message,
        format!(
            "error: in config {}: not valid JSON: EOF while parsing a value at line 1 column 9",
            path.display()
        )
    );
    let data = idx_pair(&dir, 4, &[0; 12], &[3, 7, 3, 7]);
    let (_, message) = failure_of(&dir, "c.json", &with_data(&data));
    assert_eq!(
        message,
        format!(
            "error: loading data: {}: truncated: the images file needs 32 bytes but the file holds only 28",
            dir.join("images.idx").display()
        )
    );
}

#[test]
fn oversized_files() {
    let dir = common::scratch("bad-input", "oversized");
    // Headers claiming 2³² − 1 images and labels: refused before any allocation.
    let data = idx_pair(&dir, u32::MAX, &[0; 16], &[3, 7, 3, 7]);
    let (_, message) = failure_of(&dir, "c.json", &with_data(&data));
    assert_eq!(
        message,
        format!(
            "error: loading data: {}: truncated: the labels file needs 4294967303 bytes but the file holds only 12",
            dir.join("labels.idx").display()
        )
    );
    // A config file beyond 64 MiB is not read.
    let big = dir.join("big.json");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len((64 << 20) + 1).unwrap();
    assert_eq!(
        failure(&big, &[]),
        format!(
            "error: config {} is larger than 64 MiB: not a run config",
            big.display()
        )
    );
}

#[test]
fn malformed_json() {
    let dir = common::scratch("bad-input", "malformed");
    let (path, message) = failure_of(&dir, "c.json", "{ not json");
    assert_eq!(
        message,
        format!(
            "error: in config {}: not valid JSON: key must be a string at line 1 column 3",
            path.display()
        )
    );
    let extra = config(DEGENERATE, MODEL, "squared", LR, "20").replace("\"seed\"", "\"sed\"");
    let (path, message) = failure_of(&dir, "c.json", &extra);
    assert!(
        message.starts_with(&format!(
            "error: in config {}: unknown field `sed`, expected one of",
            path.display()
        )),
        "{message}"
    );
}
