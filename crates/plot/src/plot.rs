//! A small description of a figure (panels of lines, dashed curves, markers and guide lines)
//! and its rendering with plotters, to SVG and PNG alike.
//!
//! Every panel is drawn in *transformed* coordinates: a logarithmic axis holds `log10` of the
//! data, a linear axis the data itself. That keeps one chart type for every combination of
//! scales, lets lines be clipped exactly at the panel edge (plotters would only clamp the
//! end points), and lets the tick marks be chosen here (whole decades on log axes).
//!
//! Points that a log axis cannot show (zero, negative) and non-finite points are dropped when
//! a layer is added, so the figure's CSV (see `output`) holds exactly what is drawn.

use crate::PlotError;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use std::ops::Range;
use std::path::Path;

/// The font family registered with plotters in [`register_font`].
const FONT: &str = "sans-serif";

/// Colours for runs that differ only in their learning rate.
pub const RUN_COLORS: [RGBColor; 3] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
];

/// Neutral colour for reference curves and legend notes.
pub const GREY: RGBColor = RGBColor(90, 90, 90);

/// Registers DejaVu Sans (embedded, no system fonts) as plotters' `sans-serif` font. Must run
/// before anything is drawn: the bitmap backend cannot draw text without a font.
pub fn register_font() -> Result<(), PlotError> {
    plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
        .map_err(|_| PlotError::Font)
}

/// How an axis maps data to the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Plots the value itself.
    Linear,
    /// Plots `log10` of the value; zero, negative and non-finite values cannot be shown.
    Log,
}

impl Scale {
    /// Data value to plotting coordinate, or `None` when the axis cannot show it.
    fn to_plot(self, value: f64) -> Option<f64> {
        match self {
            Scale::Linear if value.is_finite() => Some(value),
            Scale::Log if value.is_finite() && value > 0.0 => Some(value.log10()),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Scale::Linear => "linear",
            Scale::Log => "log",
        }
    }
}

/// One axis of a panel.
#[derive(Debug, Clone)]
pub struct Axis {
    /// Axis title, also the `x_label`/`y_label` column of the figure's CSV.
    pub label: String,
    /// Linear or logarithmic mapping of data to the page.
    pub scale: Scale,
    /// Fixed limits in data units; `None` fits the data and the guides.
    pub limits: Option<(f64, f64)>,
    /// Labelled ticks in data units (e.g. the widths of a sweep); `None` chooses them.
    pub ticks: Option<Vec<f64>>,
}

impl Axis {
    /// A linear axis titled `label`, limits fitted to the data, ticks chosen.
    pub fn linear(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            scale: Scale::Linear,
            limits: None,
            ticks: None,
        }
    }

    /// A logarithmic (`log10`) axis titled `label`, limits fitted to the data, ticks at whole
    /// decades.
    pub fn log(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            scale: Scale::Log,
            limits: None,
            ticks: None,
        }
    }

    /// Fixed limits `lo..hi`, data units, instead of fitted ones; drawing fails with
    /// [`PlotError::AxisLimits`] unless the axis can show both and `lo < hi`.
    pub fn with_limits(mut self, lo: f64, hi: f64) -> Self {
        self.limits = Some((lo, hi));
        self
    }

    /// Labelled ticks (and grid lines) exactly at `values`, data units, instead of chosen
    /// ones; values the axis cannot show or outside its range are left out.
    pub fn with_ticks(mut self, values: &[f64]) -> Self {
        self.ticks = Some(values.to_vec());
        self
    }
}

/// Marker shapes for scatter layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// A filled circle.
    Circle,
    /// A filled triangle.
    Triangle,
    /// A cross (×) stroked 2 px wide.
    Cross,
}

/// How a layer's points are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A solid polyline through the points (`line` in the CSV).
    Line,
    /// A dashed polyline through the points (`dashed` in the CSV).
    Dashed,
    /// One marker of the given shape per point (`marker` in the CSV).
    Markers(Marker),
}

impl Style {
    /// The name written in the `kind` column of the CSV.
    pub fn kind(self) -> &'static str {
        match self {
            Style::Line => "line",
            Style::Dashed => "dashed",
            Style::Markers(_) => "marker",
        }
    }
}

/// A named set of points drawn in one style and colour.
#[derive(Debug, Clone)]
pub struct Layer {
    /// Series name: the legend label and the `series` column of the CSV.
    pub series: String,
    /// Whether the layer gets a legend entry.
    pub in_legend: bool,
    /// Stroke or fill colour.
    pub color: RGBColor,
    /// How the points are drawn.
    pub style: Style,
    /// Data units, already filtered to what the axes can show.
    pub points: Vec<(f64, f64)>,
}

/// Where a guide line sits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GuideAt {
    /// `y = value` across the panel.
    Horizontal(f64),
    /// `x = value` across the panel.
    Vertical(f64),
}

/// A dashed straight line across the whole panel (a predicted level or boundary).
#[derive(Debug, Clone)]
pub struct Guide {
    /// Series name: the `series` column of the CSV (guides have no legend entry).
    pub series: String,
    /// Line colour.
    pub color: RGBColor,
    /// Horizontal or vertical, and where (data units).
    pub at: GuideAt,
}

/// A legend entry with no data of its own (explains the dashed guides).
#[derive(Debug, Clone)]
struct LegendNote {
    label: String,
    color: RGBColor,
    style: Style,
}

/// One chart: axes, layers, guides.
#[derive(Debug, Clone)]
pub struct Panel {
    /// Panel caption, also the `panel` column of the CSV.
    pub title: String,
    /// Horizontal axis.
    pub x: Axis,
    /// Vertical axis.
    pub y: Axis,
    /// Data layers, drawn in order.
    pub layers: Vec<Layer>,
    /// Dashed guide lines across the panel.
    pub guides: Vec<Guide>,
    notes: Vec<LegendNote>,
    legend_position: SeriesLabelPosition,
}

impl Panel {
    /// An empty panel titled `title` on axes `x` and `y`, legend in the upper right.
    pub fn new(title: impl Into<String>, x: Axis, y: Axis) -> Self {
        Self {
            title: title.into(),
            x,
            y,
            layers: Vec::new(),
            guides: Vec::new(),
            notes: Vec::new(),
            legend_position: SeriesLabelPosition::UpperRight,
        }
    }

    /// Where the legend box goes (default: upper right).
    pub fn legend_at(mut self, position: SeriesLabelPosition) -> Self {
        self.legend_position = position;
        self
    }

    /// A solid line, listed in the legend.
    pub fn line(
        &mut self,
        series: impl Into<String>,
        color: RGBColor,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) {
        self.add(series.into(), true, color, Style::Line, points);
    }

    /// A dashed curve, listed in the legend.
    pub fn dashed(
        &mut self,
        series: impl Into<String>,
        color: RGBColor,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) {
        self.add(series.into(), true, color, Style::Dashed, points);
    }

    /// A line or dashed curve (`style`) left out of the legend: one of several curves that a
    /// single legend entry stands for.
    pub fn unlisted(
        &mut self,
        series: impl Into<String>,
        color: RGBColor,
        style: Style,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) {
        self.add(series.into(), false, color, style, points);
    }

    /// Scatter markers, listed in the legend.
    pub fn markers(
        &mut self,
        series: impl Into<String>,
        color: RGBColor,
        marker: Marker,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) {
        self.add(series.into(), true, color, Style::Markers(marker), points);
    }

    /// A vertical bar from `mean − sd` to `mean + sd` at each `(x, mean, sd)`, in `color`,
    /// not listed in the legend (the markers of the same series are).
    pub fn error_bars(
        &mut self,
        series: &str,
        color: RGBColor,
        bars: impl IntoIterator<Item = (f64, f64, f64)>,
    ) {
        for (x, mean, sd) in bars {
            let points = [(x, mean - sd), (x, mean + sd)];
            self.add(format!("{series} ± sd"), false, color, Style::Line, points);
        }
    }

    /// A dashed guide line across the panel (not in the legend: see [`Panel::legend_note`]).
    /// A value the axis cannot show is dropped.
    pub fn guide(&mut self, series: impl Into<String>, color: RGBColor, at: GuideAt) {
        let visible = match at {
            GuideAt::Horizontal(y) => self.y.scale.to_plot(y).is_some(),
            GuideAt::Vertical(x) => self.x.scale.to_plot(x).is_some(),
        };
        if visible {
            self.guides.push(Guide {
                series: series.into(),
                color,
                at,
            });
        }
    }

    /// A legend entry drawn in `style` that stands for no data of its own.
    pub fn legend_note(&mut self, label: impl Into<String>, color: RGBColor, style: Style) {
        self.notes.push(LegendNote {
            label: label.into(),
            color,
            style,
        });
    }

    fn add(
        &mut self,
        series: String,
        in_legend: bool,
        color: RGBColor,
        style: Style,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) {
        let (xs, ys) = (self.x.scale, self.y.scale);
        let points = points
            .into_iter()
            .filter(|&(x, y)| xs.to_plot(x).is_some() && ys.to_plot(y).is_some())
            .collect();
        self.layers.push(Layer {
            series,
            in_legend,
            color,
            style,
            points,
        });
    }
}

/// A titled row of panels with its pixel size.
#[derive(Debug, Clone)]
pub struct Figure {
    /// Title drawn above the panels.
    pub title: String,
    /// Width and height, pixels.
    pub size: (u32, u32),
    /// The panels, laid out in a grid (one row up to four panels); at least one.
    pub panels: Vec<Panel>,
}

/// Draws `figure` as an SVG file at `path`.
pub fn render_svg(figure: &Figure, path: &Path) -> Result<(), PlotError> {
    let root = SVGBackend::new(path, figure.size).into_drawing_area();
    draw_figure(&root, figure).map_err(|e| e.at(path))?;
    root.present().map_err(|e| PlotError::from(e).at(path))
}

/// Draws `figure` as a PNG file at `path`.
pub fn render_png(figure: &Figure, path: &Path) -> Result<(), PlotError> {
    let root = BitMapBackend::new(path, figure.size).into_drawing_area();
    draw_figure(&root, figure).map_err(|e| e.at(path))?;
    root.present().map_err(|e| PlotError::from(e).at(path))
}

fn font(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

fn draw_figure<DB>(root: &DrawingArea<DB, Shift>, figure: &Figure) -> Result<(), PlotError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    if figure.panels.is_empty() {
        return Err(PlotError::NoPanels(figure.title.clone()));
    }
    root.fill(&WHITE)?;
    let body = root.titled(&figure.title, font(24))?;
    let areas = body.split_evenly(grid(figure.panels.len()));
    for (area, panel) in areas.iter().zip(&figure.panels) {
        draw_panel(area, panel).map_err(|e| e.in_panel(&panel.title))?;
    }
    Ok(())
}

/// `(rows, columns)` for `n` panels: one row of up to four, else a grid ⌈√n⌉ wide.
fn grid(n: usize) -> (usize, usize) {
    let columns = if n <= 4 {
        n
    } else {
        n.isqrt() + usize::from(n.isqrt().pow(2) < n)
    };
    (n.div_ceil(columns), columns)
}

/// The visible interval of one axis in plotting coordinates, with its tick marks. It is the
/// plotters coordinate of the axis too (a linear map with the ticks chosen here).
#[derive(Debug, Clone)]
struct AxisFrame {
    lo: f64,
    hi: f64,
    bold: Vec<f64>,
    light: Vec<f64>,
    scale: Scale,
}

impl AxisFrame {
    fn new(axis: &Axis, values: &[f64]) -> Result<Self, PlotError> {
        let (lo, hi) = match axis.limits {
            Some((lo, hi)) => {
                let lo_hi = axis.scale.to_plot(lo).zip(axis.scale.to_plot(hi));
                match lo_hi {
                    Some((lo, hi)) if lo < hi => (lo, hi),
                    _ => {
                        return Err(PlotError::AxisLimits {
                            axis: axis.label.clone(),
                            lo,
                            hi,
                            scale: axis.scale.name(),
                        });
                    }
                }
            }
            None => fit(axis.scale, values),
        };
        let (bold, light) = match (&axis.ticks, axis.scale) {
            (Some(ticks), scale) => {
                let inside = |v: &f64| *v >= lo - 1e-9 && *v <= hi + 1e-9;
                let bold = ticks.iter().filter_map(|&t| scale.to_plot(t));
                (bold.filter(inside).collect(), Vec::new())
            }
            (None, Scale::Linear) => linear_ticks(lo, hi),
            (None, Scale::Log) => log_ticks(lo, hi),
        };
        Ok(Self {
            lo,
            hi,
            bold,
            light,
            scale: axis.scale,
        })
    }

    fn label(&self, value: f64) -> String {
        match self.scale {
            Scale::Linear => short_number(value),
            Scale::Log => {
                let decade = value.round();
                if (value - decade).abs() < 1e-9 && !(-3.0..=4.0).contains(&decade) {
                    format!("1e{decade}")
                } else {
                    short_number(10f64.powf(value))
                }
            }
        }
    }
}

impl Ranged for AxisFrame {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let fraction = (value - self.lo) / (self.hi - self.lo);
        let pixels = f64::from(limit.1 - limit.0) * fraction;
        // Far-off values are clamped before the cast: plotters clamps them to the area anyway.
        limit.0 + pixels.clamp(-1e6, 1e6).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.bold.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// A range around `values` (plotting coordinates): 4% padding on a linear axis, whole
/// decades on a log axis spanning more than one decade.
fn fit(scale: Scale, values: &[f64]) -> (f64, f64) {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !(min.is_finite() && max.is_finite()) {
        return (0.0, 1.0);
    }
    let span = max - min;
    match scale {
        Scale::Linear => {
            let pad = if span > 1e-12 * max.abs().max(min.abs()) {
                0.04 * span
            } else {
                0.1 * max.abs().max(1e-12)
            };
            (min - pad, max + pad)
        }
        Scale::Log if span >= 1.0 => (min.floor(), max.ceil()),
        Scale::Log => {
            let pad = (0.06 * span).max(0.02);
            (min - pad, max + pad)
        }
    }
}

fn linear_ticks(lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>) {
    let coord: RangedCoordf64 = (lo..hi).into();
    (coord.key_points(8usize), coord.key_points(40usize))
}

/// Decades as labelled ticks (every k-th decade when there are many), 2 and 5 times a decade
/// too when the range is narrow; the remaining mantissas as light grid lines.
fn log_ticks(lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>) {
    let first = lo.floor() as i64;
    let last = hi.ceil() as i64;
    let span = hi - lo;
    let every = ((span / 8.0).ceil() as i64).max(1);
    let inside = |v: f64| v >= lo - 1e-9 && v <= hi + 1e-9;
    let mut bold = Vec::new();
    let mut light = Vec::new();
    for decade in first..=last {
        let d = decade as f64;
        if decade.rem_euclid(every) == 0 {
            bold.push(d);
        } else {
            light.push(d);
        }
        if every == 1 {
            for mantissa in 2..10 {
                let v = d + f64::from(mantissa).log10();
                if span <= 2.5 && (mantissa == 2 || mantissa == 5) {
                    bold.push(v);
                } else {
                    light.push(v);
                }
            }
        }
    }
    bold.retain(|v| inside(*v));
    light.retain(|v| inside(*v));
    if bold.len() < 2 {
        bold.append(&mut light);
        bold.sort_by(f64::total_cmp);
    }
    (bold, light)
}

/// A compact label: plain decimals for moderate magnitudes, `2.5e-7` style otherwise, at most
/// three significant digits.
pub fn short_number(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude < 1e-12 {
        return "0".to_string();
    }
    if (1e-3..1e5).contains(&magnitude) {
        let decimals = (2 - magnitude.log10().floor() as i32).clamp(0, 6) as usize;
        let text = format!("{value:.decimals$}");
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        }
    } else {
        let text = format!("{value:.2e}");
        match text.split_once('e') {
            Some((mantissa, exponent)) => {
                let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
                format!("{mantissa}e{exponent}")
            }
            None => text,
        }
    }
}

fn draw_panel<DB>(area: &DrawingArea<DB, Shift>, panel: &Panel) -> Result<(), PlotError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let to_x = |v: f64| panel.x.scale.to_plot(v);
    let to_y = |v: f64| panel.y.scale.to_plot(v);
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for layer in &panel.layers {
        for &(x, y) in &layer.points {
            xs.extend(to_x(x));
            ys.extend(to_y(y));
        }
    }
    for guide in &panel.guides {
        match guide.at {
            GuideAt::Horizontal(y) => ys.extend(to_y(y)),
            GuideAt::Vertical(x) => xs.extend(to_x(x)),
        }
    }
    let fx = AxisFrame::new(&panel.x, &xs)?;
    let fy = AxisFrame::new(&panel.y, &ys)?;

    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, font(19))
        .margin(14)
        .margin_right(22)
        .x_label_area_size(52)
        .y_label_area_size(78)
        .build_cartesian_2d(fx.clone(), fy.clone())?;
    let x_label = |v: &f64| fx.label(*v);
    let y_label = |v: &f64| fy.label(*v);
    chart
        .configure_mesh()
        .x_desc(panel.x.label.as_str())
        .y_desc(panel.y.label.as_str())
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .label_style(font(14))
        .axis_desc_style(font(16))
        .bold_line_style(RGBColor(205, 205, 205).stroke_width(1))
        .light_line_style(RGBColor(238, 238, 238).stroke_width(1))
        .draw()?;

    let bounds = Bounds {
        x0: fx.lo,
        x1: fx.hi,
        y0: fy.lo,
        y1: fy.hi,
    };
    let mut any_legend = false;
    for guide in &panel.guides {
        let segment = match guide.at {
            GuideAt::Horizontal(y) => to_y(y).map(|y| vec![(fx.lo, y), (fx.hi, y)]),
            GuideAt::Vertical(x) => to_x(x).map(|x| vec![(x, fy.lo), (x, fy.hi)]),
        };
        if let Some(segment) = segment {
            draw_layer(&mut chart, &[segment], guide.color, Style::Dashed, None)?;
        }
    }
    for layer in &panel.layers {
        let plotted: Vec<(f64, f64)> = layer
            .points
            .iter()
            .filter_map(|&(x, y)| to_x(x).zip(to_y(y)))
            .collect();
        let pieces = match layer.style {
            Style::Line | Style::Dashed => bounds
                .clip_polyline(&plotted)
                .into_iter()
                .flat_map(|piece| split_sharp_turns(piece, |p| chart.backend_coord(&p)))
                .collect(),
            Style::Markers(_) => vec![
                plotted
                    .into_iter()
                    .filter(|p| bounds.contains(*p))
                    .collect(),
            ],
        };
        let label = layer.in_legend.then_some(layer.series.as_str());
        any_legend |= label.is_some();
        draw_layer(&mut chart, &pieces, layer.color, layer.style, label)?;
    }
    for note in &panel.notes {
        draw_layer(
            &mut chart,
            &[],
            note.color,
            note.style,
            Some(note.label.as_str()),
        )?;
        any_legend = true;
    }
    if any_legend {
        chart
            .configure_series_labels()
            .position(panel.legend_position.clone())
            .margin(10)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(160, 160, 160))
            .label_font(font(14))
            .draw()?;
    }
    Ok(())
}

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<AxisFrame, AxisFrame>>;

const DASH: i32 = 8;
const GAP: i32 = 6;
const SWATCH: i32 = 22;

/// Draws polylines (lines and dashed curves) or one group of points (markers), with an
/// optional legend entry.
fn draw_layer<DB>(
    chart: &mut Chart<'_, DB>,
    pieces: &[Vec<(f64, f64)>],
    color: RGBColor,
    style: Style,
    label: Option<&str>,
) -> Result<(), PlotError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let line = color.stroke_width(2);
    let points = || pieces.iter().flatten().copied();
    match style {
        Style::Line => {
            let anno =
                chart.draw_series(pieces.iter().map(|p| PathElement::new(p.clone(), line)))?;
            if let Some(label) = label {
                anno.label(label)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + SWATCH, y)], line));
            }
        }
        Style::Dashed => {
            let dashed = |p: Vec<(f64, f64)>| DashedPathElement::new(p, DASH, GAP, line);
            let anno = chart.draw_series(pieces.iter().map(|p| dashed(p.clone())))?;
            if let Some(label) = label {
                anno.label(label).legend(move |(x, y)| {
                    DashedPathElement::new(vec![(x, y), (x + SWATCH, y)], 6, 4, line)
                });
            }
        }
        Style::Markers(Marker::Circle) => {
            let fill = color.filled();
            let anno = chart.draw_series(points().map(|p| Circle::new(p, 5, fill)))?;
            if let Some(label) = label {
                anno.label(label)
                    .legend(move |(x, y)| Circle::new((x + SWATCH / 2, y), 5, fill));
            }
        }
        Style::Markers(Marker::Triangle) => {
            let fill = color.filled();
            let anno = chart.draw_series(points().map(|p| TriangleMarker::new(p, 7, fill)))?;
            if let Some(label) = label {
                anno.label(label)
                    .legend(move |(x, y)| TriangleMarker::new((x + SWATCH / 2, y), 7, fill));
            }
        }
        Style::Markers(Marker::Cross) => {
            let stroke = color.stroke_width(2);
            let anno = chart.draw_series(points().map(|p| Cross::new(p, 6, stroke)))?;
            if let Some(label) = label {
                anno.label(label)
                    .legend(move |(x, y)| Cross::new((x + SWATCH / 2, y), 6, stroke));
            }
        }
    }
    Ok(())
}

/// Splits a polyline where it turns by more than 90 degrees on the page. The bitmap backend
/// joins thick lines with unbounded inner miters, which draw long spikes at such turns (a loss
/// that jumps up and straight back down); separate pieces have no join there.
fn split_sharp_turns(
    piece: Vec<(f64, f64)>,
    to_pixels: impl Fn((f64, f64)) -> (i32, i32),
) -> Vec<Vec<(f64, f64)>> {
    let mut pieces = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let mut last_direction: Option<(i64, i64)> = None;
    let mut last_pixel: Option<(i32, i32)> = None;
    for point in piece {
        let pixel = to_pixels(point);
        let Some(previous) = last_pixel else {
            current.push(point);
            last_pixel = Some(pixel);
            continue;
        };
        if pixel == previous {
            continue;
        }
        let direction = (
            i64::from(pixel.0 - previous.0),
            i64::from(pixel.1 - previous.1),
        );
        if let Some(before) = last_direction
            && before.0 * direction.0 + before.1 * direction.1 < 0
            && let Some(&corner) = current.last()
        {
            pieces.push(std::mem::replace(&mut current, vec![corner]));
        }
        current.push(point);
        last_direction = Some(direction);
        last_pixel = Some(pixel);
    }
    if current.len() >= 2 {
        pieces.push(current);
    }
    pieces
}

/// The visible rectangle in plotting coordinates.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Bounds {
    fn contains(&self, (x, y): (f64, f64)) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }

    /// The parts of a polyline inside the rectangle (Liang–Barsky on each segment).
    fn clip_polyline(&self, points: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
        let mut pieces = Vec::new();
        let mut current: Vec<(f64, f64)> = Vec::new();
        for pair in points.windows(2) {
            match self.clip_segment(pair[0], pair[1]) {
                Some((a, b)) => {
                    if current.last() != Some(&a) {
                        if current.len() >= 2 {
                            pieces.push(std::mem::take(&mut current));
                        }
                        current.clear();
                        current.push(a);
                    }
                    current.push(b);
                }
                None => {
                    if current.len() >= 2 {
                        pieces.push(std::mem::take(&mut current));
                    }
                    current.clear();
                }
            }
        }
        if current.len() >= 2 {
            pieces.push(current);
        }
        pieces
    }

    fn clip_segment(&self, a: (f64, f64), b: (f64, f64)) -> Option<((f64, f64), (f64, f64))> {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let mut t0: f64 = 0.0;
        let mut t1: f64 = 1.0;
        let edges = [
            (-dx, a.0 - self.x0),
            (dx, self.x1 - a.0),
            (-dy, a.1 - self.y0),
            (dy, self.y1 - a.1),
        ];
        for (p, q) in edges {
            if p == 0.0 {
                if q < 0.0 {
                    return None;
                }
            } else {
                let t = q / p;
                if p < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
            }
        }
        if t0 > t1 {
            return None;
        }
        let at = |t: f64| {
            if t == 0.0 {
                a
            } else if t == 1.0 {
                b
            } else {
                (a.0 + t * dx, a.1 + t * dy)
            }
        };
        Some((at(t0), at(t1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_inside_lines_and_cuts_at_the_edge() {
        let bounds = Bounds {
            x0: 0.0,
            x1: 10.0,
            y0: 0.0,
            y1: 1.0,
        };
        let pieces = bounds.clip_polyline(&[(0.0, 0.5), (1.0, 0.5), (2.0, 1.5), (3.0, 0.5)]);
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0], vec![(0.0, 0.5), (1.0, 0.5), (1.5, 1.0)]);
        assert_eq!(pieces[1], vec![(2.5, 1.0), (3.0, 0.5)]);
    }

    #[test]
    fn log_axes_drop_what_they_cannot_show() {
        let mut panel = Panel::new("t", Axis::linear("x"), Axis::log("y"));
        panel.line(
            "s",
            GREY,
            [(0.0, 1.0), (1.0, 0.0), (2.0, f64::NAN), (3.0, 1e-3)],
        );
        assert_eq!(panel.layers[0].points, vec![(0.0, 1.0), (3.0, 1e-3)]);
    }

    #[test]
    fn labels_are_short() {
        assert_eq!(short_number(0.5), "0.5");
        assert_eq!(short_number(2.0), "2");
        assert_eq!(short_number(1234.0), "1234");
        assert_eq!(short_number(2.5e-7), "2.5e-7");
        assert_eq!(short_number(0.30000000000000004), "0.3");
    }

    #[test]
    fn log_ticks_are_decades_when_wide() {
        let (bold, _) = log_ticks(-16.0, 0.0);
        assert!(bold.iter().all(|v| v.fract() == 0.0));
        assert!(bold.len() >= 2 && bold.len() <= 10);
    }
}
