//! `catapult sweep` and `catapult merge` end to end: sharding, resuming (also after SIGKILL and
//! SIGINT), atomic records, determinism across thread counts, failing runs, bad flags, bad files.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const GRID: [&str; 6] = [
    "--lr-factors",
    "0.5:4.5:3",
    "--widths",
    "16,32",
    "--seeds",
    "0..2",
];
const GRID_RUNS: usize = 12;

fn succeeded(output: &Output) -> String {
    let text = common::stderr(output);
    assert!(output.status.success(), "{text}");
    text
}

/// examples/squared-degenerate.json with 200 steps, observed every 50, in `dir`.
fn base_config(dir: &Path) -> PathBuf {
    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/squared-degenerate.json");
    let text = std::fs::read_to_string(example).unwrap();
    let mut config: serde_json::Value = serde_json::from_str(&text).unwrap();
    config["steps"] = 200.into();
    config["observe_every"] = 50.into();
    let path = dir.join("base.json");
    std::fs::write(&path, config.to_string()).unwrap();
    path
}

fn sweep(config: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["sweep", "--config", config.to_str().unwrap()];
    args.extend(GRID);
    args.extend(["--out", out.to_str().unwrap()]);
    args.extend(extra);
    common::catapult(&args)
}

fn merge(dir: &Path) -> Vec<u8> {
    let output = common::catapult(&["merge", dir.to_str().unwrap()]);
    succeeded(&output);
    output.stdout
}

/// File name -> bytes of every file in `dir`.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_shard_in_turn_gives_the_same_records_and_table_as_one_sweep() {
    let root = common::scratch("sweep", "shards");
    let config = base_config(&root);
    let (whole, sharded) = (root.join("whole"), root.join("sharded"));

    let summary = succeeded(&sweep(&config, &whole, &[]));
    assert!(
        summary.contains("sweep: 12 runs: 12 done, 0 skipped, 0 failed"),
        "{summary}"
    );
    let mut shard_sizes = 0;
    for shard in ["0/3", "1/3", "2/3"] {
        let summary = succeeded(&sweep(&config, &sharded, &["--shard", shard]));
        assert!(
            summary.contains(&format!("(shard {shard} of a grid of 12)")),
            "{summary}"
        );
        assert!(summary.contains("4 runs"), "{summary}");
        shard_sizes += 4;
    }
    assert_eq!(shard_sizes, GRID_RUNS);

    let records = files(&whole);
    assert_eq!(records.len(), GRID_RUNS);
    assert!(
        records.contains_key("w32-f1.5e0-s1.json"),
        "{:?}",
        records.keys()
    );
    assert_eq!(records, files(&sharded));

    let table = merge(&whole);
    assert_eq!(table, merge(&sharded));
    let text = String::from_utf8(table).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "loss,lr_factor,width,seed,eta,lambda0,sharpness0,final_loss,final_sharpness,\
         final_ntk_top,diverged,phase,phase_criterion,steps_to_converge"
    );
    assert_eq!(lines.len(), 1 + GRID_RUNS);
    assert!(lines[1].starts_with("squared,0.5,16,0,"), "{}", lines[1]);
    assert!(lines[12].starts_with("squared,4.5,32,1,"), "{}", lines[12]);
    // A diverged run has an empty steps_to_converge; a converged one a step.
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with(",true,divergent,blow-up,")),
        "{text}"
    );
    assert!(lines.iter().any(
        |l| l.ends_with(",false,lazy,descended,50") || l.ends_with(",false,lazy,descended,100")
    ));

    let out = root.join("table.csv");
    let output = common::catapult(&[
        "merge",
        whole.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(succeeded(&output).contains("merge: 12 records"));
    assert_eq!(std::fs::read_to_string(out).unwrap(), text);
}

#[test]
fn rerunning_a_finished_sweep_skips_every_run_and_touches_no_file() {
    let root = common::scratch("sweep", "rerun");
    let config = base_config(&root);
    let out = root.join("runs");
    succeeded(&sweep(&config, &out, &[]));
    let modified = |dir: &Path| -> Vec<std::time::SystemTime> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        entries
            .iter()
            .map(|p| std::fs::metadata(p).unwrap().modified().unwrap())
            .collect()
    };
    let (before, bytes) = (modified(&out), files(&out));
    std::thread::sleep(std::time::Duration::from_millis(20));

    let summary = succeeded(&sweep(&config, &out, &[]));
    assert!(
        summary.contains("12 runs: 0 done, 12 skipped, 0 failed"),
        "{summary}"
    );
    assert_eq!(modified(&out), before);
    assert_eq!(files(&out), bytes);
}

#[test]
fn temp_and_half_written_files_do_not_count_as_finished() {
    let root = common::scratch("sweep", "resume");
    let config = base_config(&root);
    let out = root.join("runs");
    succeeded(&sweep(&config, &out, &[]));
    let finished = files(&out);
    let table = merge(&out);

    // A record cut short (as by a writer that is not atomic) ...
    let cut = out.join("w16-f5e-1-s1.json");
    let full = std::fs::read(&cut).unwrap();
    std::fs::write(&cut, &full[..full.len() / 2]).unwrap();
    // ... and a run killed before its rename: only its temp file is there.
    let killed = "w32-f4.5e0-s0.json";
    std::fs::remove_file(out.join(killed)).unwrap();
    let stray = out.join(format!(".{killed}.999999.tmp"));
    std::fs::write(&stray, &finished[killed][..100]).unwrap();

    let summary = succeeded(&sweep(&config, &out, &[]));
    assert!(
        summary.contains("12 runs: 2 done, 10 skipped, 0 failed"),
        "{summary}"
    );
    let mut now = files(&out);
    assert!(now.remove(&format!(".{killed}.999999.tmp")).is_some());
    assert_eq!(now, finished);
    // merge skips the stray temp file.
    assert_eq!(merge(&out), table);
}

#[test]
fn one_and_two_threads_write_identical_records() {
    let root = common::scratch("sweep", "threads");
    let config = base_config(&root);
    let (one, two) = (root.join("one"), root.join("two"));
    assert!(succeeded(&sweep(&config, &one, &["--threads", "1"])).contains("on 1 thread"));
    assert!(succeeded(&sweep(&config, &two, &["--threads", "2"])).contains("on 2 threads"));
    let records = files(&one);
    assert_eq!(records.len(), GRID_RUNS);
    assert_eq!(records, files(&two));
}

#[test]
fn a_failing_run_is_reported_with_its_parameters_and_the_others_go_on() {
    let root = common::scratch("sweep", "failing");
    let config = base_config(&root);
    let out = root.join("runs");
    succeeded(&sweep(&config, &out, &[]));
    // One record file now holds another run's record (another config); one record is gone.
    std::fs::copy(out.join("w32-f5e-1-s0.json"), out.join("w16-f5e-1-s0.json")).unwrap();
    std::fs::remove_file(out.join("w32-f1.5e0-s1.json")).unwrap();

    let output = sweep(&config, &out, &[]);
    assert!(!output.status.success());
    let text = common::stderr(&output);
    assert!(
        text.contains("failed: width 16, lr factor 0.5, seed 0: ")
            && text.contains("w16-f5e-1-s0.json holds a record of a different config"),
        "{text}"
    );
    assert!(
        text.contains("12 runs: 1 done, 10 skipped, 1 failed"),
        "{text}"
    );
    assert!(text.contains("error: 1 of 12 runs failed"), "{text}");
    assert!(out.join("w32-f1.5e0-s1.json").exists());

    // Bad labels are refused with the config, before any run.
    let bad = root.join("bad.json");
    let text = std::fs::read_to_string(&config).unwrap();
    let bad_labels = text
        .replace("\"squared\"", "\"logistic\"")
        .replace("\"y\":[1.0,1.0,", "\"y\":[1.0,0.0,");
    assert_ne!(bad_labels, text);
    std::fs::write(&bad, bad_labels).unwrap();
    let empty = root.join("empty");
    let output = sweep(&bad, &empty, &[]);
    assert!(!output.status.success());
    assert!(
        common::stderr(&output).contains("config field `data.y`: label 1 is 0: the logistic loss"),
        "{}",
        common::stderr(&output)
    );
    assert!(!empty.exists());

    // A data file that is not there: every run fails, each is reported, no record is written.
    let mut missing: serde_json::Value = serde_json::from_str(&text).unwrap();
    missing["loss"] = "logistic".into();
    missing["data"] = serde_json::json!({
        "kind": "csv", "path": root.join("absent.csv"), "label": "y", "positive": "1"
    });
    std::fs::write(&bad, missing.to_string()).unwrap();
    let output = sweep(&bad, &empty, &[]);
    assert!(!output.status.success());
    let text = common::stderr(&output);
    assert_eq!(text.matches("failed: width ").count(), GRID_RUNS, "{text}");
    assert!(
        text.contains("failed: width 32, lr factor 4.5, seed 1: loading data: ")
            && text.contains("absent.csv: cannot read the file"),
        "{text}"
    );
    assert!(text.contains("0 done, 0 skipped, 12 failed"), "{text}");
    assert!(files(&empty).is_empty());
}

#[test]
fn bad_flags_fail_naming_the_flag_and_the_problem() {
    let root = common::scratch("sweep", "flags");
    let config = base_config(&root);
    let out = root.join("runs");
    let cases: [(&[&str], &str); 12] = [
        (
            &["--lr-factors", "0.5:20:0"],
            "--lr-factors `0.5:20:0`: COUNT must be at least 1",
        ),
        (
            &["--lr-factors", "0:20:4"],
            "--lr-factors `0:20:4`: START must be finite and > 0",
        ),
        (
            &["--lr-factors", "20:0.5:4"],
            "--lr-factors `20:0.5:4`: STOP 0.5 is below START 20",
        ),
        (
            &["--lr-factors", "1,x"],
            "--lr-factors `1,x`: `x` is not a number",
        ),
        (&["--lr-factors", ""], "--lr-factors ``: the list is empty"),
        (
            &["--lr-factors", "1", "--widths", "16,zero"],
            "--widths `16,zero`: `zero` is not a whole number",
        ),
        (
            &["--lr-factors", "1", "--widths", ""],
            "--widths ``: the list is empty",
        ),
        (
            &["--lr-factors", "1", "--seeds", "4..2"],
            "--seeds `4..2`: the range 4..2 is empty",
        ),
        (
            &["--lr-factors", "1", "--shard", "3/3"],
            "--shard `3/3`: the index must be below 3",
        ),
        (
            &["--lr-factors", "1", "--shard", "0/0"],
            "--shard `0/0`: N must be at least 1",
        ),
        (
            &["--lr-factors", "1", "--shard", "two"],
            "--shard `two`: expected I/N",
        ),
        (
            &["--lr-factors", "1", "--threads", "0"],
            "--threads `0`: must be at least 1",
        ),
    ];
    for (flags, expected) in cases {
        let mut args = vec![
            "sweep",
            "--config",
            config.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(flags);
        let output = common::catapult(&args);
        assert!(!output.status.success(), "{flags:?}");
        let text = common::stderr(&output);
        assert!(text.contains(expected), "{flags:?}: {text}");
    }
    assert!(!out.exists(), "a bad flag must fail before any run");
}

#[test]
fn merge_names_a_file_that_is_not_a_record() {
    let root = common::scratch("sweep", "merge");
    let config = base_config(&root);
    let out = root.join("runs");
    succeeded(&common::catapult(&[
        "sweep",
        "--config",
        config.to_str().unwrap(),
        "--lr-factors",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]));
    for (name, text) in [
        ("notes.json", "{\"note\": 1}"),
        ("half.json", "{\"config\": {"),
    ] {
        std::fs::write(out.join(name), text).unwrap();
        let output = common::catapult(&["merge", out.to_str().unwrap()]);
        assert!(!output.status.success());
        let message = common::stderr(&output);
        assert!(
            message.contains(&format!("{name} is not a run record")),
            "{message}"
        );
        std::fs::remove_file(out.join(name)).unwrap();
    }
    let output = common::catapult(&["merge", root.join("missing").to_str().unwrap()]);
    assert!(
        common::stderr(&output).contains("listing "),
        "{}",
        common::stderr(&output)
    );
}

/// A sweep long enough to be killed mid-way: 40 runs of 50 000 steps (about 50 ms each).
fn long_sweep(dir: &Path, out: &Path) -> Command {
    let config = base_config(dir);
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&config).unwrap()).unwrap();
    value["steps"] = 50_000.into();
    value["observe_every"] = 1000.into();
    value["model"]["width"] = 64.into();
    std::fs::write(&config, value.to_string()).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_catapult"));
    command.args([
        "sweep",
        "--config",
        config.to_str().unwrap(),
        "--lr-factors",
        "0.5:3.5:8",
        "--seeds",
        "0..5",
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    command
}
const LONG_RUNS: usize = 40;

/// The finished records in `dir` (temp files of runs in flight left out).
fn records(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut all = files(dir);
    all.retain(|name, _| !name.starts_with('.'));
    all
}

/// Starts the long sweep, waits for its fourth record, stops it with `signal`, then checks
/// that every record on disk is whole and that re-running finishes the grid without redoing
/// them, to the same bytes as a sweep never stopped.
fn stopped_sweep_resumes(signal: &str) {
    let root = common::scratch("sweep", &format!("killed-{signal}"));
    let reference = root.join("reference");
    let output = long_sweep(&root, &reference).output().unwrap();
    succeeded(&output);
    let expected = records(&reference);
    assert_eq!(expected.len(), LONG_RUNS);

    let out = root.join("runs");
    let mut child = long_sweep(&root, &out)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while !out.exists() || records(&out).len() < 4 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep stopped early"
        );
        assert!(
            started.elapsed().as_secs() < 120,
            "no record after two minutes"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let status = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(!child.wait().unwrap().success());

    let finished = records(&out);
    assert!(
        finished.len() < LONG_RUNS,
        "the sweep ended before the signal"
    );
    for (name, bytes) in &finished {
        assert_eq!(Some(bytes), expected.get(name), "{name} is not whole");
    }
    let summary = succeeded(&long_sweep(&root, &out).output().unwrap());
    let (done, skipped) = (LONG_RUNS - finished.len(), finished.len());
    assert!(
        summary.contains(&format!(
            "{LONG_RUNS} runs: {done} done, {skipped} skipped, 0 failed"
        )),
        "{summary}"
    );
    assert_eq!(records(&out), expected);
}

#[test]
fn a_sweep_killed_by_sigkill_resumes_where_it_stopped() {
    stopped_sweep_resumes("KILL");
}

#[test]
fn a_sweep_interrupted_by_sigint_resumes_where_it_stopped() {
    stopped_sweep_resumes("INT");
}
