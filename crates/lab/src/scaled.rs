//! A schedule in units: `η_t = unit · s(t)`, for schedules written relative to a curvature
//! (`1/λ0`, `2/S0`) and turned into step sizes once that curvature is measured.

use catapult_optim::{LrSchedule, Schedule};

/// `η_t = unit · schedule(t)`.
pub struct Scaled<'a> {
    /// The schedule in units.
    pub schedule: &'a LrSchedule,
    /// The unit: the step size of a schedule value of 1.
    pub unit: f64,
}

impl Schedule for Scaled<'_> {
    fn learning_rate(&self, t: usize) -> f64 {
        self.schedule.learning_rate(t) * self.unit
    }

    fn horizon(&self) -> Option<usize> {
        self.schedule.horizon()
    }
}
