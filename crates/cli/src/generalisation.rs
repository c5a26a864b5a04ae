//! `catapult generalisation`: the flatness-and-test-accuracy experiment on real and synthetic
//! data, as a CSV of every checkpoint and a summary table.

use crate::runs::{progress_bar, thread_count};
use anyhow::{Context, Result, bail};
use catapult_experiments::generalisation::{
    GeneralisationSpec, Group, LabelColumn, Spread, Summary, Task, run_grid, summarise,
};
use catapult_lab::write_csv_rows;
use clap::Args;
use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `catapult generalisation`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
  catapult generalisation --quick --tasks iris-versicolor-virginica,wine-red --out gen/\n  \
  catapult generalisation --csv data.csv --label class --positive yes --out gen-csv/\n  \
  catapult generalisation --idx train-images-idx3-ubyte.gz,train-labels-idx1-ubyte.gz \\\n    \
  --classes 3,5 --no-subspaces --checkpoints 100,1000 --seeds 3 --out gen-mnist/")]
pub struct GeneralisationArgs {
    /// The smaller grid (3 seeds, 7 step sizes, 2000 steps) instead of the full one (5 seeds,
    /// 13 step sizes, 10 000 steps).
    #[arg(long)]
    quick: bool,
    /// Comma-separated tasks [default: all: iris-versicolor-virginica, iris-setosa, wine-red,
    /// separable-mix, gaussians].
    #[arg(long, value_delimiter = ',', value_name = "TASKS")]
    tasks: Option<Vec<Task>>,
    /// Your own CSV file (header row; every other column a feature) as a task; with --label
    /// and --positive. Without --tasks, only the file tasks run.
    #[arg(long, value_name = "PATH", requires_all = ["label", "positive"])]
    csv: Option<PathBuf>,
    /// The CSV label column: its header name, or `#K` for the 0-based index K.
    #[arg(long, value_name = "COLUMN", requires = "csv")]
    label: Option<String>,
    /// The CSV label value that is +1 (the column's one other value is −1).
    #[arg(long, value_name = "VALUE", requires = "csv")]
    positive: Option<String>,
    /// An MNIST / Fashion-MNIST IDX pair IMAGES,LABELS (raw or .gz) as a task; with --classes.
    #[arg(
        long,
        value_delimiter = ',',
        num_args = 1,
        value_name = "IMAGES,LABELS",
        requires = "classes"
    )]
    idx: Option<Vec<PathBuf>>,
    /// The IDX class pair A,B: digit A is +1, digit B is −1.
    #[arg(long, value_delimiter = ',', value_name = "A,B", requires = "idx")]
    classes: Option<Vec<u8>>,
    /// Number of seeds (0, 1, …, N−1).
    #[arg(long, value_name = "N")]
    seeds: Option<u64>,
    /// Comma-separated step sizes as edge multiples x = η·S0/2, i.e. η = x·2/S0 (S0 the
    /// sharpness at initialisation); `--factors` is an alias.
    #[arg(
        long = "edge-multiples",
        alias = "factors",
        value_delimiter = ',',
        value_name = "MULTIPLES"
    )]
    edge_multiples: Option<Vec<f64>>,
    /// Hidden width of the deep linear net.
    #[arg(long, value_name = "M")]
    width: Option<usize>,
    /// Depth (number of weight layers, at least 2).
    #[arg(long, value_name = "L")]
    depth: Option<usize>,
    /// Comma-separated checkpoint steps, increasing; the last is the budget.
    #[arg(long, value_delimiter = ',', value_name = "STEPS")]
    checkpoints: Option<Vec<usize>>,
    /// Skip the non-separable subspace and the restricted sharpness (its exact LP
    /// decomposition is slow on large data, e.g. MNIST).
    #[arg(long)]
    no_subspaces: bool,
    /// Worker threads [default: the number of CPUs available].
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Directory for `rows.csv` (every checkpoint of every run) and `summary.csv`.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// Runs the grid, writes the tables and prints the summary at the budget.
pub fn generalisation(args: GeneralisationArgs) -> Result<()> {
    let spec = spec_from_args(&args)?;
    let threads = thread_count(args.threads)?;
    let started = Instant::now();
    let bar = progress_bar(0)?;
    let rows = run_grid(&spec, threads, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let rows_path = args.out.join("rows.csv");
    let file = fs::File::create(&rows_path)
        .with_context(|| format!("creating {}", rows_path.display()))?;
    write_csv_rows(&rows, file).with_context(|| format!("writing {}", rows_path.display()))?;
    let mut steps: Vec<usize> = rows.iter().map(|r| r.step).collect();
    steps.sort_unstable();
    steps.dedup();
    let summaries: Vec<Summary> = steps.iter().map(|&step| summarise(&rows, step)).collect();
    let summary_path = args.out.join("summary.csv");
    write_summary(&summaries, &summary_path)?;
    let summary = summarise(&rows, spec.budget());
    print_summary(&summary, &spec);
    eprintln!(
        "{} rows in {} and the summary in {}; {:.1} s on {threads} thread(s)",
        rows.len(),
        rows_path.display(),
        summary_path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn spec_from_args(args: &GeneralisationArgs) -> Result<GeneralisationSpec> {
    let mut spec = if args.quick {
        GeneralisationSpec::quick()
    } else {
        GeneralisationSpec::standard()
    };
    let files = file_tasks(args)?;
    match (&args.tasks, files.is_empty()) {
        (Some(tasks), _) => spec.tasks = tasks.iter().cloned().chain(files).collect(),
        (None, false) => spec.tasks = files,
        (None, true) => {}
    }
    if let Some(seeds) = args.seeds {
        spec.seeds = (0..seeds).collect();
    }
    if let Some(edge_multiples) = &args.edge_multiples {
        spec.edge_multiples = edge_multiples.clone();
    }
    if let Some(width) = args.width {
        spec.width = width;
    }
    if let Some(depth) = args.depth {
        spec.depth = depth;
    }
    if let Some(checkpoints) = &args.checkpoints {
        spec.checkpoints = checkpoints.clone();
        if let Some((switch_at, small)) = spec.anneal {
            let budget = spec.budget();
            spec.anneal = Some((switch_at.min(budget / 2).max(1), small));
        }
    }
    spec.restricted_sharpness = !args.no_subspaces;
    spec.validate()?;
    Ok(spec)
}

/// The tasks named by --csv and --idx.
fn file_tasks(args: &GeneralisationArgs) -> Result<Vec<Task>> {
    let mut tasks = Vec::new();
    if let (Some(path), Some(label), Some(positive)) = (&args.csv, &args.label, &args.positive) {
        let label = match label.strip_prefix('#') {
            Some(index) => LabelColumn::Index(index.parse().with_context(|| {
                format!("--label `{label}`: `#` must be followed by a column index")
            })?),
            None => LabelColumn::Name(label.clone()),
        };
        tasks.push(Task::Csv {
            path: path.clone(),
            label,
            positive: positive.clone(),
        });
    }
    if let (Some(files), Some(classes)) = (&args.idx, &args.classes) {
        let [images, labels] = files.as_slice() else {
            bail!("--idx takes two files, IMAGES,LABELS; got {}", files.len());
        };
        let [class_a, class_b] = classes.as_slice() else {
            bail!("--classes takes two digits, A,B; got {}", classes.len());
        };
        tasks.push(Task::Idx {
            images: images.clone(),
            labels: labels.clone(),
            class_a: *class_a,
            class_b: *class_b,
        });
    }
    Ok(tasks)
}

const SUMMARY_HEADER: &str = "step,task,schedule,edge_multiple,runs,lazy,catapult,divergent,\
test_accuracy_mean,test_accuracy_sd,accuracy_gain_mean,accuracy_gain_sd,test_loss_mean,test_loss_sd,train_loss_mean,train_loss_sd,\
gradient_norm_mean,gradient_norm_sd,sharpness_mean,sharpness_sd,\
sharpness_nonseparable_mean,sharpness_nonseparable_sd,\
sharpness_complement_mean,sharpness_complement_sd";

/// One line per group and checkpoint step.
fn write_summary(summaries: &[Summary], path: &std::path::Path) -> Result<()> {
    let mut text = format!("{SUMMARY_HEADER}\n");
    for summary in summaries {
        for group in &summary.groups {
            text.push_str(&format!("{},{}\n", summary.step, summary_line(group)));
        }
    }
    let mut file =
        fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

fn summary_line(group: &Group) -> String {
    let spread = |s: Option<Spread>| match s {
        Some(s) => format!("{},{}", s.mean, s.sd),
        None => ",".to_string(),
    };
    format!(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
        group.task,
        group.schedule,
        group.edge_multiple,
        group.runs,
        group.lazy,
        group.catapult,
        group.divergent,
        spread(group.test_accuracy),
        spread(group.accuracy_gain),
        spread(group.test_loss),
        spread(group.train_loss),
        spread(group.gradient_norm),
        spread(group.sharpness),
        spread(group.sharpness_nonseparable),
        spread(group.sharpness_complement),
    )
}

fn print_summary(summary: &Summary, spec: &GeneralisationSpec) {
    println!(
        "at step {} (depth {}, width {}, {} seeds); edge multiple = η·S0/2",
        summary.step,
        spec.depth,
        spec.width,
        spec.seeds.len()
    );
    println!(
        "task | schedule | edge multiple | lazy/catapult/divergent | test acc | gain vs smallest η (paired) | test loss | train loss | |grad| | sharpness | S(non-sep) | S(complement)"
    );
    let show = |s: Option<Spread>, digits: usize| match s {
        Some(s) => format!("{:.digits$} ± {:.digits$}", s.mean, s.sd),
        None => "–".to_string(),
    };
    for task in &spec.tasks {
        for g in summary.groups.iter().filter(|g| g.task == task.name()) {
            println!(
                "{} | {} | {} | {}/{}/{} | {} | {} | {} | {} | {} | {} | {} | {}",
                g.task,
                g.schedule,
                g.edge_multiple,
                g.lazy,
                g.catapult,
                g.divergent,
                show(g.test_accuracy, 3),
                show(g.accuracy_gain, 3),
                show(g.test_loss, 3),
                show(g.train_loss, 4),
                g.gradient_norm.map_or("–".to_string(), |s| format!(
                    "{:.1e} ± {:.1e}",
                    s.mean, s.sd
                )),
                show(g.sharpness, 3),
                show(g.sharpness_nonseparable, 3),
                show(g.sharpness_complement, 3),
            );
        }
        match summary.boundary(&task.name()) {
            Some(edge_multiple) => {
                println!("{task}: measured catapult boundary at edge multiple {edge_multiple}")
            }
            None => println!("{task}: no edge multiple catapults in most seeds"),
        }
    }
}
