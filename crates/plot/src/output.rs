//! Writing a figure to disk: NAME.svg, NAME.png and NAME.csv, the data exactly as plotted.

use crate::PlotError;
use crate::plot::{self, Figure, GuideAt};
use std::path::{Path, PathBuf};

/// An image format, chosen by a file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// Scalable vector graphics (`.svg`).
    Svg,
    /// Portable network graphics (`.png`).
    Png,
}

impl ImageFormat {
    /// The format a path's extension names, case-insensitively (`x.PNG` is a PNG); an error
    /// naming the path for any other extension, or none.
    pub fn from_path(path: &Path) -> Result<Self, PlotError> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("svg") => Ok(Self::Svg),
            Some("png") => Ok(Self::Png),
            _ => Err(PlotError::UnknownFormat(path.to_path_buf())),
        }
    }
}

/// Draws `figure` at `path` in the format its extension names (`.svg` or `.png`).
pub fn render(figure: &Figure, path: &Path) -> Result<(), PlotError> {
    match ImageFormat::from_path(path)? {
        ImageFormat::Svg => plot::render_svg(figure, path),
        ImageFormat::Png => plot::render_png(figure, path),
    }
}

/// Writes `dir/NAME.svg`, `dir/NAME.png` and `dir/NAME.csv`; returns the paths written.
pub fn write_figure(figure: &Figure, dir: &Path, name: &str) -> Result<Vec<PathBuf>, PlotError> {
    std::fs::create_dir_all(dir).map_err(|source| PlotError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
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
pub fn write_csv(figure: &Figure, path: &Path) -> Result<(), PlotError> {
    let context = |source: csv::Error| PlotError::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut writer = csv::Writer::from_path(path).map_err(context)?;
    writer
        .write_record(["panel", "series", "kind", "x_label", "x", "y_label", "y"])
        .map_err(context)?;
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
                writer.write_record(row).map_err(context)?;
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
            writer.write_record(row).map_err(context)?;
        }
    }
    writer.flush().map_err(|source| PlotError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Shortest text that reads back to the same f64.
fn number(value: f64) -> String {
    format!("{value:?}")
}
