//! `catapult phase-diagram`: a sweep, its merged table, and the phase of every run drawn over
//! η·λ0 × width with the predicted boundaries.

use crate::runs::read_config;
use crate::sweep::{SweepArgs, sweep};
use anyhow::{Context, Result, anyhow};
use catapult_lab::table::{TableRow, majority_phases, merge_dir, write_csv};
use catapult_lab::{DataConfig, RunConfig};
use catapult_losses::Loss;
use catapult_plot::phase::phase_diagram_panel;
use catapult_plot::{Figure, ImageFormat};
use catapult_theory::{DegenerateProblem, PredictedBoundary, predicted_boundaries};
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `catapult phase-diagram`.
#[derive(Debug, Args)]
#[command(after_help = "\
Runs the sweep exactly as `catapult sweep` does (records in DIR, resumable), merges the records
into a CSV table (default DIR.csv, beside DIR: merge accepts only records inside DIR; the suffix
is appended, so --out runs.v2 gives runs.v2.csv) and draws an SVG (default DIR.svg): one marker
per (lr factor, width), coloured by the phase of the runs (the most common phase over the
seeds; a tie goes to the more unstable phase). Vertical lines mark the predicted boundaries in
units of η·λ0: 2 and 4 for the squared loss (Lewkowycz et al. 2020); for the logistic and
exponential losses on degenerate data, η_crit·λ0 = 2·mean(a²)/L''(w*) (Huang et al., arXiv
2011.12547), whose divergence boundary is not predicted: it grows with the width (see
`catapult check`).

Example:
  catapult phase-diagram --config examples/logistic-nonseparable.json --lr-factors 0.5:500:30 \\
      --widths 64,256,1024 --steps 3000 --out runs/phase")]
pub struct PhaseDiagramArgs {
    #[command(flatten)]
    sweep: SweepArgs,
    /// Where to write the merged table [default: DIR.csv].
    #[arg(long, value_name = "FILE")]
    table: Option<PathBuf>,
    /// Where to write the figure: SVG or PNG, by the name's extension (.svg or .png, any
    /// case) [default: DIR.svg].
    #[arg(long, value_name = "FILE")]
    figure: Option<PathBuf>,
}

/// Sweep, merge, draw.
pub fn phase_diagram(args: PhaseDiagramArgs) -> Result<()> {
    let dir = args.sweep.out.clone();
    let base_path = args.sweep.config.clone();
    let table = match args.table {
        Some(path) => path,
        None => beside(&dir, "csv")?,
    };
    let figure = match args.figure {
        Some(path) => path,
        None => beside(&dir, "svg")?,
    };
    // A figure name the plotting crate cannot write is refused before the sweep runs.
    ImageFormat::from_path(&figure)?;
    sweep(args.sweep)?;

    let rows = merge_dir(&dir)?;
    let file =
        std::fs::File::create(&table).with_context(|| format!("creating {}", table.display()))?;
    write_csv(&rows, file)?;
    let base = read_config(&base_path)?;
    draw(&rows, &boundaries_of(&base), base.loss, &figure)?;
    eprintln!("table {}, figure {}", table.display(), figure.display());
    Ok(())
}

/// `DIR.EXT` beside `dir`: the extension is appended to the directory's name, never put in
/// place of a dot in it (`runs.v2` gives `runs.v2.csv`, not `runs.csv`).
fn beside(dir: &Path, extension: &str) -> Result<PathBuf> {
    let name = dir.file_name().ok_or_else(|| {
        anyhow!(
            "--out `{}` has no name to derive the table and figure from: give --table and --figure",
            dir.display()
        )
    })?;
    let mut name = name.to_os_string();
    name.push(".");
    name.push(extension);
    Ok(dir.with_file_name(name))
}

/// The boundaries of `catapult_theory::predicted_boundaries` for the base config: the data's
/// one-dimensional problem when it is degenerate, none of its own otherwise.
fn boundaries_of(base: &RunConfig) -> Vec<PredictedBoundary> {
    let problem = match &base.data {
        DataConfig::Degenerate { a, y, .. } => DegenerateProblem::new(a, y, base.loss).ok(),
        _ => None,
    };
    predicted_boundaries(base.loss, problem.as_ref())
}

/// The phase scatter with the boundary lines, drawn by `catapult-plot` in the format the
/// figure's extension names.
fn draw(
    rows: &[TableRow],
    boundaries: &[PredictedBoundary],
    loss: Loss,
    path: &Path,
) -> Result<()> {
    catapult_plot::register_font()?;
    let panel = phase_diagram_panel(
        format!("{loss} loss: phase of every run"),
        &majority_phases(rows),
        boundaries,
    );
    let figure = Figure {
        title: "phase diagram".into(),
        size: (900, 600),
        panels: vec![panel],
    };
    Ok(catapult_plot::render(&figure, path)?)
}
