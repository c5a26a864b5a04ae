//! Figures for catapult, shared by the `catapult` command line and `cargo xtask figures`.
//!
//! A [`Figure`] is a titled grid of [`Panel`]s, each a set of layers (lines, dashed curves,
//! markers, error bars) and guide lines on linear or logarithmic [`Axis`]es. [`render`]
//! draws it as SVG or PNG by the file's extension; [`write_figure`] writes the SVG, the PNG
//! and a CSV of exactly what is drawn. [`phase`] holds the colours of the lazy, catapult and
//! divergent phases and draws the predicted boundaries of `catapult-theory`.
//!
//! ```
//! use catapult_plot::{Axis, Figure, Panel, RUN_COLORS, register_font, render};
//! register_font().unwrap();
//! let mut panel = Panel::new("loss", Axis::linear("step"), Axis::log("loss"));
//! panel.line("η = 0.1", RUN_COLORS[0], [(0.0, 1.0), (1.0, 0.5), (2.0, 0.25)]);
//! let figure = Figure { title: "a run".into(), size: (400, 300), panels: vec![panel] };
//! let path = std::env::temp_dir().join(format!("catapult-plot-doc-{}.svg", std::process::id()));
//! render(&figure, &path).unwrap();
//! assert!(std::fs::read_to_string(&path).unwrap().starts_with("<svg"));
//! std::fs::remove_file(&path).unwrap();
//! ```

#![warn(missing_docs)]

mod output;
pub mod phase;
mod plot;

pub use output::{ImageFormat, render, write_csv, write_figure};
pub use plot::{
    Axis, Figure, GREY, GuideAt, Layer, Marker, Panel, RUN_COLORS, Scale, Style, register_font,
    render_png, render_svg, short_number,
};
pub use plotters::chart::SeriesLabelPosition;
pub use plotters::style::RGBColor;

use std::path::PathBuf;

/// What can go wrong when drawing or writing a figure.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The embedded font could not be registered.
    #[error("the embedded DejaVu Sans font could not be parsed")]
    Font,
    /// A figure without panels.
    #[error("figure `{0}` has no panels")]
    NoPanels(String),
    /// Axis limits that the axis cannot show.
    #[error("axis `{axis}`: limits {lo}..{hi} are not a valid {scale} range")]
    AxisLimits {
        /// The axis label.
        axis: String,
        /// Lower limit asked for.
        lo: f64,
        /// Upper limit asked for.
        hi: f64,
        /// `linear` or `log`.
        scale: &'static str,
    },
    /// A file name whose extension names no image format this crate writes.
    #[error("`{0}`: the figure's file name must end in .svg or .png")]
    UnknownFormat(PathBuf),
    /// The plotting backend failed.
    #[error("{0}")]
    Draw(String),
    /// Drawing failed inside one panel.
    #[error("panel `{panel}`: {source}")]
    Panel {
        /// The panel's title.
        panel: String,
        /// What failed.
        source: Box<PlotError>,
    },
    /// Drawing or writing failed for one file.
    #[error("drawing {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: Box<PlotError>,
    },
    /// A file or directory could not be written.
    #[error("writing {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The CSV beside a figure could not be written.
    #[error("writing {path}: {source}")]
    Csv {
        /// The CSV file.
        path: PathBuf,
        /// The writer's error.
        source: csv::Error,
    },
}

impl PlotError {
    /// This error, as having happened while drawing `path`.
    fn at(self, path: &std::path::Path) -> Self {
        Self::File {
            path: path.to_path_buf(),
            source: Box::new(self),
        }
    }

    /// This error, as having happened inside the panel titled `panel`.
    fn in_panel(self, panel: &str) -> Self {
        Self::Panel {
            panel: panel.to_string(),
            source: Box::new(self),
        }
    }
}

impl<E: std::error::Error + Send + Sync> From<plotters::drawing::DrawingAreaErrorKind<E>>
    for PlotError
{
    fn from(error: plotters::drawing::DrawingAreaErrorKind<E>) -> Self {
        Self::Draw(error.to_string())
    }
}
