//! Writing a figure to disk: NAME.svg, NAME.png and NAME.csv, the data exactly as plotted.

use crate::plot::{self, Figure, GuideAt};
use anyhow::{Context, Result, anyhow};
use std::path::{Path, PathBuf};

/// `docs/figures` of the workspace, found from this crate's manifest directory so the command
/// works from any working directory.
pub fn figures_dir() -> Result<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.parent().ok_or_else(|| {
        anyhow!(
            "{} has no parent: cannot find the workspace root",
            manifest.display()
        )
    })?;
    Ok(root.join("docs").join("figures"))
}

/// Writes `dir/NAME.svg`, `dir/NAME.png` and `dir/NAME.csv`; returns the paths written.
pub fn write_figure(figure: &Figure, dir: &Path, name: &str) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let svg = dir.join(format!("{name}.svg"));
    let png = dir.join(format!("{name}.png"));
    let csv = dir.join(format!("{name}.csv"));
    plot::render_svg(figure, &svg)?;
    plot::render_png(figure, &png)?;
    write_csv(figure, &csv)?;
    Ok(vec![svg, png, csv])
}

/// One row per plotted point, long format:
/// `panel,series,kind,x_label,x,y_label,y`. `kind` is `line`, `dashed` or `marker` for data,
/// `hline` (empty `x`) or `vline` (empty `y`) for guide lines spanning the panel. Only finite
/// values appear: points an axis could not show were dropped before plotting.
fn write_csv(figure: &Figure, path: &Path) -> Result<()> {
    let context = || format!("writing {}", path.display());
    let mut writer = csv::Writer::from_path(path).with_context(context)?;
    writer
        .write_record(["panel", "series", "kind", "x_label", "x", "y_label", "y"])
        .with_context(context)?;
    for panel in &figure.panels {
        let (x_label, y_label) = (panel.x.label.as_str(), panel.y.label.as_str());
        for layer in &panel.layers {
            for &(x, y) in &layer.points {
                let (x, y) = (number(x), number(y));
                let row = [
                    panel.title.as_str(),
                    &layer.series,
                    layer.style.kind(),
                    x_label,
                    &x,
                    y_label,
                    &y,
                ];
                writer.write_record(row).with_context(context)?;
            }
        }
        for guide in &panel.guides {
            let (kind, x, y) = match guide.at {
                GuideAt::Horizontal(y) => ("hline", String::new(), number(y)),
                GuideAt::Vertical(x) => ("vline", number(x), String::new()),
            };
            let row = [
                panel.title.as_str(),
                &guide.series,
                kind,
                x_label,
                &x,
                y_label,
                &y,
            ];
            writer.write_record(row).with_context(context)?;
        }
    }
    writer.flush().with_context(context)
}

/// Shortest text that reads back to the same f64.
fn number(value: f64) -> String {
    format!("{value:?}")
}
