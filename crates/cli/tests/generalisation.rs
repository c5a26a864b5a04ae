//! `catapult generalisation` on a built-in task, on a CSV file and on an IDX pair the test
//! writes itself, and its errors for missing files and bad options.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "catapult-generalisation-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn catapult(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_catapult"))
        .arg("generalisation")
        .args(args)
        .output()
        .expect("the catapult binary runs")
}

/// The small grid every run here uses, writing to `out`.
fn small_grid(out: &Path) -> Vec<String> {
    [
        "--seeds",
        "2",
        "--edge-multiples",
        "0.5,2",
        "--width",
        "16",
        "--checkpoints",
        "20,80",
        "--threads",
        "2",
        "--out",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([out.display().to_string()])
    .collect()
}

fn run_ok(extra: &[&str], out: &Path) -> String {
    let mut args: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    args.extend(small_grid(out));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = catapult(&refs);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    stdout
}

fn task_column(out: &Path) -> Vec<String> {
    let rows = std::fs::read_to_string(out.join("rows.csv")).unwrap();
    let mut tasks: Vec<String> = rows
        .lines()
        .skip(1)
        .map(|line| line.split(',').next().unwrap().to_string())
        .collect();
    tasks.dedup();
    tasks
}

#[test]
fn a_built_in_task_writes_rows_and_a_summary() {
    let out = scratch("builtin");
    let stdout = run_ok(&["--tasks", "gaussians"], &out);
    assert!(stdout.contains("gaussians | constant | 0.5 |"), "{stdout}");
    assert_eq!(task_column(&out), ["gaussians"]);
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(summary.starts_with("step,task,schedule,edge_multiple,runs,lazy,catapult,divergent,"));
    // step 0, 20 and 80 for 2 constant and 1 annealed edge multiple
    assert_eq!(summary.lines().count(), 1 + 3 * 3);
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn a_csv_file_and_an_idx_pair_are_tasks() {
    let dir = scratch("files");
    // 40 points in R^3 with a noisy linear label.
    let mut csv = String::from("a,b,label,c\n");
    for i in 0..40 {
        let (a, b, c) = ((i % 7) as f64 - 3.0, (i % 5) as f64 * 0.5, (i % 3) as f64);
        let label = if a + b - c + if i % 9 == 0 { 3.0 } else { 0.0 } > 0.0 {
            "yes"
        } else {
            "no"
        };
        csv.push_str(&format!("{a},{b},{label},{c}\n"));
    }
    std::fs::write(dir.join("points.csv"), csv).unwrap();
    // 30 images of 2 × 2 pixels, labels cycling 3, 5, 7.
    let mut images = vec![0, 0, 8, 3, 0, 0, 0, 30, 0, 0, 0, 2, 0, 0, 0, 2];
    let mut labels = vec![0, 0, 8, 1, 0, 0, 0, 30];
    for i in 0..30u8 {
        let label = [3u8, 5, 7][usize::from(i % 3)];
        labels.push(label);
        images.extend([
            i * 8,
            255 - i * 8,
            if label == 3 { 200 } else { 40 },
            i % 4 * 60,
        ]);
    }
    std::fs::write(dir.join("images.idx"), images).unwrap();
    std::fs::write(dir.join("labels.idx"), labels).unwrap();

    let out = dir.join("out");
    let csv_path = dir.join("points.csv").display().to_string();
    let idx = format!(
        "{},{}",
        dir.join("images.idx").display(),
        dir.join("labels.idx").display()
    );
    run_ok(
        &[
            "--csv",
            &csv_path,
            "--label",
            "label",
            "--positive",
            "yes",
            "--idx",
            &idx,
            "--classes",
            "3,5",
        ],
        &out,
    );
    assert_eq!(
        task_column(&out),
        ["csv:points.csv", "idx:images.idx:3-vs-5"]
    );

    let by_index = dir.join("out-index");
    run_ok(
        &[
            "--csv",
            &csv_path,
            "--label",
            "#2",
            "--positive",
            "yes",
            "--tasks",
            "gaussians",
            "--no-subspaces",
        ],
        &by_index,
    );
    assert_eq!(task_column(&by_index), ["gaussians", "csv:points.csv"]);
    let rows = std::fs::read_to_string(by_index.join("rows.csv")).unwrap();
    let header: Vec<&str> = rows.lines().next().unwrap().split(',').collect();
    let column = header
        .iter()
        .position(|&h| h == "nonseparable_dim")
        .unwrap();
    assert!(
        rows.lines()
            .skip(1)
            .all(|line| line.split(',').nth(column) == Some(""))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_files_and_bad_options_are_clear_errors() {
    let dir = scratch("errors");
    let out = dir.join("out").display().to_string();
    let missing = dir.join("nope.csv").display().to_string();
    let failure = |args: &[&str]| {
        let output = catapult(args);
        assert!(!output.status.success());
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let stderr = failure(&[
        "--csv",
        &missing,
        "--label",
        "y",
        "--positive",
        "1",
        "--out",
        &out,
    ]);
    assert!(stderr.contains("nope.csv"), "{stderr}");
    let stderr = failure(&["--csv", &missing, "--out", &out]);
    assert!(stderr.contains("--label"), "{stderr}");
    let stderr = failure(&["--tasks", "mnist", "--out", &out]);
    assert!(stderr.contains("unknown task `mnist`"), "{stderr}");
    let stderr = failure(&["--idx", "a,b,c", "--classes", "3,5", "--out", &out]);
    assert!(stderr.contains("two files"), "{stderr}");
    let stderr = failure(&["--checkpoints", "50,20", "--out", &out]);
    assert!(stderr.contains("checkpoints"), "{stderr}");
    // The old flag name still works, as an alias of --edge-multiples.
    let stderr = failure(&["--factors", "0", "--out", &out]);
    assert!(stderr.contains("edge_multiples"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
