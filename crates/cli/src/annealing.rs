//! `catapult annealing`: which step-size schedule keeps the benefit of a large first step, and
//! SGD's loss spikes against the sharpness.

use crate::runs::{progress_bar, thread_count};
use anyhow::{Context, Result};
use catapult_experiments::annealing::{
    AnnealingSpec, PolicySummary, SpikeRun, SpikeSpec, run_policies, run_spikes, summarise_policies,
};
use catapult_experiments::generalisation::Spread;
use catapult_lab::write_csv_rows;
use clap::Args;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `catapult annealing`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  catapult annealing --quick --out anneal/")]
pub struct AnnealingArgs {
    /// Red wine only, depth 2, 3 seeds, 1200 steps, and 2 seeds of the spike comparison,
    /// instead of 3 tasks × depths 2 and 3 × 5 seeds × 3000 steps.
    #[arg(long)]
    quick: bool,
    /// Worker threads [default: the number of CPUs available].
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Directory for `policies.csv`, `policy_summary.csv` and `spikes.csv`.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// Runs both parts, writes the tables and prints the summaries.
pub fn annealing(args: AnnealingArgs) -> Result<()> {
    let threads = thread_count(args.threads)?;
    let (spec, mut spikes) = if args.quick {
        (AnnealingSpec::quick(), SpikeSpec::standard())
    } else {
        (AnnealingSpec::standard(), SpikeSpec::standard())
    };
    if args.quick {
        spikes.seeds = vec![0, 1];
    }
    fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let started = Instant::now();
    let bar = progress_bar(0)?;
    let rows = run_policies(&spec, threads, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    let path = args.out.join("policies.csv");
    let file = fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    write_csv_rows(&rows, file).with_context(|| format!("writing {}", path.display()))?;
    let mut summary_text = String::from(
        "step,task,depth,policy,runs,divergent,train_loss_mean,train_loss_sd,\
test_accuracy_mean,test_accuracy_sd,accuracy_gain_mean,accuracy_gain_sd,test_loss_mean,\
test_loss_sd,relative_sharpness_mean,relative_sharpness_sd\n",
    );
    for &step in &spec.checkpoints {
        for s in summarise_policies(&rows, step) {
            writeln!(summary_text, "{step},{}", summary_line(&s))?;
        }
    }
    write(&args.out.join("policy_summary.csv"), &summary_text)?;
    print_policies(&summarise_policies(&rows, spec.budget()), &spec);

    let runs = run_spikes(&spikes, threads)?;
    write(&args.out.join("spikes.csv"), &spike_table(&runs))?;
    print_spikes(&runs, &spikes);
    eprintln!(
        "tables in {}; {:.1} s on {threads} thread(s)",
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

fn pair(s: Option<Spread>) -> String {
    s.map_or(",".to_string(), |s| format!("{},{}", s.mean, s.sd))
}

fn summary_line(s: &PolicySummary) -> String {
    format!(
        "{},{},{},{},{},{},{},{},{},{}",
        s.task,
        s.depth,
        s.policy,
        s.runs,
        s.divergent,
        pair(s.train_loss),
        pair(s.test_accuracy),
        pair(s.accuracy_gain),
        pair(s.test_loss),
        pair(s.relative_sharpness),
    )
}

fn print_policies(summaries: &[PolicySummary], spec: &AnnealingSpec) {
    println!(
        "policies at step {} (width {}, {} seeds; steps in units of 2/S0: small {}, large {})",
        spec.budget(),
        spec.width,
        spec.seeds.len(),
        spec.small,
        spec.large
    );
    println!(
        "task | depth | policy | divergent | train loss | test acc | gain vs lazy (paired) | S/S0"
    );
    let show = |s: Option<Spread>, digits: usize| {
        s.map_or("–".to_string(), |s| {
            format!("{:.digits$} ± {:.digits$}", s.mean, s.sd)
        })
    };
    for s in summaries {
        println!(
            "{} | {} | {} | {}/{} | {} | {} | {} | {}",
            s.task,
            s.depth,
            s.policy,
            s.divergent,
            s.runs,
            show(s.train_loss, 4),
            show(s.test_accuracy, 3),
            show(s.accuracy_gain, 3),
            show(s.relative_sharpness, 3),
        );
    }
}

/// One line per spike: optimizer, seed, start, peak, end, height, sharpness before and after.
fn spike_table(runs: &[SpikeRun]) -> String {
    let mut text = String::from(
        "optimizer,seed,start,peak,end,height,sharpness_before,sharpness_after,sharpness_drop\n",
    );
    for run in runs {
        for spike in &run.spikes {
            let optional = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
            text.push_str(&format!(
                "{},{},{},{},{},{},{},{},{}\n",
                run.optimizer,
                run.seed,
                spike.start,
                spike.peak,
                spike.end.map_or(String::new(), |e| e.to_string()),
                spike.height,
                optional(spike.sharpness_before),
                optional(spike.sharpness_after),
                spike
                    .followed_by_sharpness_drop()
                    .map_or(String::new(), |d| d.to_string()),
            ));
        }
    }
    text
}

fn print_spikes(runs: &[SpikeRun], spec: &SpikeSpec) {
    println!(
        "spikes ({}, depth {}, width {}, η = {}·2/S0, SGD batch {}, {} steps; spike: loss > {}× running minimum)",
        spec.task,
        spec.depth,
        spec.width,
        spec.edge_multiple,
        spec.batch,
        spec.steps,
        spec.spike_factor
    );
    println!("optimizer | seed | phase | spikes | followed by a sharpness drop | final S/S0");
    for run in runs {
        let (drops, judged) = run.sharpness_drops();
        println!(
            "{} | {} | {} | {} | {drops} of {judged} | {:.3}",
            run.optimizer,
            run.seed,
            run.phase.name(),
            run.spikes.len(),
            run.final_relative_sharpness()
        );
    }
}
