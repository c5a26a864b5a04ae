//! Phases on a figure: one colour and marker per phase, markers of runs at their
//! `(η·λ0, width)`, and the predicted boundaries of `catapult-theory` as guide lines.

use crate::plot::{Axis, GuideAt, Marker, Panel, Style};
use catapult_theory::{Phase, PredictedBoundary};
use plotters::style::RGBColor;

/// Colour of predicted boundaries (as opposed to measured ones).
pub const BOUNDARY_COLOR: RGBColor = RGBColor(148, 103, 189);

/// Colour and marker of each phase, in every figure.
pub fn phase_style(phase: Phase) -> (RGBColor, Marker) {
    match phase {
        Phase::Lazy => (RGBColor(31, 119, 180), Marker::Circle),
        Phase::Catapult => (RGBColor(255, 127, 14), Marker::Triangle),
        Phase::Divergent => (RGBColor(214, 39, 40), Marker::Cross),
    }
}

/// Adds one marker layer per phase present in `points` (`(x, y, phase)`), in the order lazy,
/// catapult, divergent, each labelled with the phase's name.
pub fn phase_markers(panel: &mut Panel, points: &[(f64, f64, Phase)]) {
    for phase in [Phase::Lazy, Phase::Catapult, Phase::Divergent] {
        let (color, marker) = phase_style(phase);
        let at: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| p.2 == phase)
            .map(|p| (p.0, p.1))
            .collect();
        if !at.is_empty() {
            panel.markers(phase.name(), color, marker, at);
        }
    }
}

/// Adds a vertical guide at each predicted boundary (x in units of `η·λ0`, scaled by
/// `x_unit`) and, when there is any, one legend entry naming them.
pub fn boundary_guides(panel: &mut Panel, boundaries: &[PredictedBoundary], x_unit: f64) {
    for boundary in boundaries {
        let name = format!(
            "{} ({} | {})",
            boundary.formula,
            boundary.below.name(),
            boundary.above.name()
        );
        panel.guide(
            name,
            BOUNDARY_COLOR,
            GuideAt::Vertical(boundary.factor * x_unit),
        );
    }
    if !boundaries.is_empty() {
        let formulas: Vec<&str> = boundaries.iter().map(|b| b.formula.as_str()).collect();
        panel.legend_note(
            format!("predicted: {}", formulas.join(", ")),
            BOUNDARY_COLOR,
            Style::Dashed,
        );
    }
}

/// The phase diagram of a sweep: one marker per `(η·λ0, width, phase)` cell on log-log axes,
/// with the predicted boundaries.
pub fn phase_diagram_panel(
    title: impl Into<String>,
    cells: &[(f64, usize, Phase)],
    boundaries: &[PredictedBoundary],
) -> Panel {
    let points: Vec<(f64, f64, Phase)> = cells.iter().map(|&(x, w, p)| (x, w as f64, p)).collect();
    let mut panel = Panel::new(title, Axis::log("η·λ0"), Axis::log("width m"));
    phase_markers(&mut panel, &points);
    boundary_guides(&mut panel, boundaries, 1.0);
    panel
}
