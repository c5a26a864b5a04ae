//! `catapult phase-diagram`: a sweep, its merged table, and the phase of every run drawn over
//! η·λ0 × width with the predicted boundaries.

use crate::runs::read_config;
use crate::sweep::{SweepArgs, sweep};
use anyhow::{Context, Result, anyhow};
use catapult_lab::table::{TableRow, merge_dir, write_csv};
use catapult_lab::{DataConfig, Phase, RunConfig};
use catapult_losses::Loss;
use catapult_theory::DegenerateProblem;
use clap::Args;
use plotters::prelude::*;
use std::collections::BTreeMap;
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
    /// Where to write the figure: SVG, or PNG if the name ends in .png [default: DIR.svg].
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
    sweep(args.sweep)?;

    let rows = merge_dir(&dir)?;
    let file =
        std::fs::File::create(&table).with_context(|| format!("creating {}", table.display()))?;
    write_csv(&rows, file)?;
    let base = read_config(&base_path)?;
    draw(&rows, &predicted_boundaries(&base), base.loss, &figure)?;
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

/// Predicted phase boundaries in units of η·λ0, with their labels: 2 and 4 for the squared
/// loss, η_crit of the 1-D theory for a classification loss on degenerate data, none for a
/// classification loss on other data (no closed form there).
fn predicted_boundaries(base: &RunConfig) -> Vec<(f64, String)> {
    match (base.loss, &base.data) {
        (Loss::Squared, _) => vec![
            (2.0, "lazy | catapult: 2".into()),
            (4.0, "catapult | divergent: 4".into()),
        ],
        (loss, DataConfig::Degenerate { a, y, .. }) => DegenerateProblem::new(a, y, loss)
            .ok()
            .and_then(|problem| {
                let minimum = problem.minimiser()?;
                let boundary = 2.0 * problem.mean_square() / minimum.curvature;
                Some(vec![(boundary, format!("lazy | catapult: {boundary:.3}"))])
            })
            .unwrap_or_default(),
        (_, DataConfig::Task { .. } | DataConfig::Csv { .. } | DataConfig::Idx { .. }) => {
            Vec::new()
        }
    }
}

/// The most common phase of each (lr factor, width) over seeds; ties go to the more unstable.
fn majority_phases(rows: &[TableRow]) -> Vec<(f64, usize, Phase)> {
    let mut counts: BTreeMap<(u64, usize), [usize; 3]> = BTreeMap::new();
    for row in rows {
        let slot = match row.phase {
            Phase::Lazy => 0,
            Phase::Catapult => 1,
            Phase::Divergent => 2,
        };
        counts
            .entry((row.lr_factor.to_bits(), row.width))
            .or_default()[slot] += 1;
    }
    counts
        .into_iter()
        .map(|((factor, width), count)| {
            let most = (0..3).rev().max_by_key(|&i| count[i]).unwrap_or(0);
            let phase = [Phase::Lazy, Phase::Catapult, Phase::Divergent][most];
            (f64::from_bits(factor), width, phase)
        })
        .collect()
}

fn draw(rows: &[TableRow], boundaries: &[(f64, String)], loss: Loss, path: &Path) -> Result<()> {
    plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
        .map_err(|_| anyhow!("the embedded DejaVu Sans font could not be parsed"))?;
    let size = (900, 600);
    let drawn = if path.extension().is_some_and(|e| e == "png") {
        render(
            BitMapBackend::new(path, size).into_drawing_area(),
            rows,
            boundaries,
            loss,
        )
    } else {
        render(
            SVGBackend::new(path, size).into_drawing_area(),
            rows,
            boundaries,
            loss,
        )
    };
    drawn.map_err(|e| anyhow!("drawing {}: {e}", path.display()))
}

/// The phase scatter with the boundary lines, on any plotters backend.
fn render<DB: DrawingBackend>(
    area: DrawingArea<DB, plotters::coord::Shift>,
    rows: &[TableRow],
    boundaries: &[(f64, String)],
    loss: Loss,
) -> Result<(), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let cells = majority_phases(rows);
    let (x_lo, x_hi) = span(
        cells
            .iter()
            .map(|c| c.0)
            .chain(boundaries.iter().map(|b| b.0)),
    );
    let (y_lo, y_hi) = span(cells.iter().map(|c| c.1 as f64));
    // Headroom above the widest row for the legend.
    let (y_bottom, y_top) = (y_lo / 1.5, y_hi * 6.0);
    area.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&area)
        .caption(
            format!("{loss} loss: phase of every run"),
            ("sans-serif", 22),
        )
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(
            (x_lo / 1.3..x_hi * 1.3).log_scale(),
            (y_bottom..y_top).log_scale(),
        )?;
    chart
        .configure_mesh()
        .x_desc("η·λ0")
        .y_desc("width m")
        .draw()?;
    let styles = [
        (Phase::Lazy, BLUE),
        (Phase::Catapult, RGBColor(230, 120, 0)),
        (Phase::Divergent, RED),
    ];
    for (phase, colour) in styles {
        let points = cells
            .iter()
            .filter(|c| c.2 == phase)
            .map(|c| (c.0, c.1 as f64));
        chart
            .draw_series(points.map(|p| Circle::new(p, 5, colour.filled())))?
            .label(phase.name())
            .legend(move |(x, y)| Circle::new((x + 8, y), 5, colour.filled()));
    }
    for (value, label) in boundaries {
        let line = vec![(*value, y_bottom), (*value, y_top)];
        chart
            .draw_series(LineSeries::new(line, MAGENTA.stroke_width(2)))?
            .label(format!("predicted {label}"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], MAGENTA.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    area.present()?;
    Ok(())
}

/// Smallest and largest of positive values (1 and 10 when there are none).
fn span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| *v > 0.0 && v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo.is_finite() {
        (lo, hi)
    } else {
        (1.0, 10.0)
    }
}
