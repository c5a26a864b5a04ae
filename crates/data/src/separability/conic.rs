//! A small assembler for the conic programs of this module, and the call into clarabel.
//!
//! clarabel solves `min ½ vᵀPv + qᵀv` subject to `Av + s = b`, `s ∈ K`, with `K` a product of
//! cones given in row order. Here every constraint is one row, either an equality (zero cone) or
//! a `≤` (non-negative cone: `s = b − Av ≥ 0`); consecutive rows of one kind share one cone.

use super::SeparabilityError;
use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettingsBuilder, DefaultSolver, IPSolver, SolverStatus, SupportedConeT,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cone {
    Zero,
    Nonnegative,
}

/// A program in `vars` variables, built row by row.
pub(super) struct Program {
    problem: &'static str,
    vars: usize,
    quadratic: Vec<(usize, f64)>,
    linear: Vec<f64>,
    rows: Vec<usize>,
    cols: Vec<usize>,
    vals: Vec<f64>,
    rhs: Vec<f64>,
    cones: Vec<(Cone, usize)>,
}

/// The primal solution of a program that clarabel reports solved (fully or to its reduced
/// tolerances).
pub(super) struct Solution {
    pub(super) x: Vec<f64>,
}

impl Program {
    /// An empty program in `vars` variables; `problem` names it in error messages.
    pub(super) fn new(problem: &'static str, vars: usize) -> Self {
        Self {
            problem,
            vars,
            quadratic: Vec::new(),
            linear: vec![0.0; vars],
            rows: Vec::new(),
            cols: Vec::new(),
            vals: Vec::new(),
            rhs: Vec::new(),
            cones: Vec::new(),
        }
    }

    /// Adds `coefficient · v[var]` to the objective.
    pub(super) fn linear_cost(&mut self, var: usize, coefficient: f64) {
        self.linear[var] += coefficient;
    }

    /// Adds `½ · coefficient · v[var]²` to the objective.
    pub(super) fn quadratic_cost(&mut self, var: usize, coefficient: f64) {
        self.quadratic.push((var, coefficient));
    }

    /// The row `Σ a_j v_j ≤ rhs`.
    pub(super) fn less_equal(&mut self, entries: impl IntoIterator<Item = (usize, f64)>, rhs: f64) {
        self.row(Cone::Nonnegative, entries, rhs);
    }

    /// The row `Σ a_j v_j = rhs`.
    pub(super) fn equal(&mut self, entries: impl IntoIterator<Item = (usize, f64)>, rhs: f64) {
        self.row(Cone::Zero, entries, rhs);
    }

    fn row(&mut self, cone: Cone, entries: impl IntoIterator<Item = (usize, f64)>, rhs: f64) {
        self.push_row(entries, rhs);
        match self.cones.last_mut() {
            Some((last, count)) if *last == cone => *count += 1,
            _ => self.cones.push((cone, 1)),
        }
    }

    fn push_row(&mut self, entries: impl IntoIterator<Item = (usize, f64)>, rhs: f64) {
        let row = self.rhs.len();
        for (col, val) in entries {
            debug_assert!(col < self.vars);
            if val != 0.0 {
                self.rows.push(row);
                self.cols.push(col);
                self.vals.push(val);
            }
        }
        self.rhs.push(rhs);
    }

    /// Runs clarabel (quietly, default tolerances) and returns the primal solution, or an
    /// error carrying clarabel's status when it did not reach one.
    pub(super) fn solve(self) -> Result<Solution, SeparabilityError> {
        let problem = self.problem;
        let m = self.rhs.len();
        let p = CscMatrix::new_from_triplets(
            self.vars,
            self.vars,
            self.quadratic.iter().map(|&(i, _)| i).collect(),
            self.quadratic.iter().map(|&(i, _)| i).collect(),
            self.quadratic.iter().map(|&(_, v)| v).collect(),
        );
        let a = CscMatrix::new_from_triplets(m, self.vars, self.rows, self.cols, self.vals);
        let cones: Vec<SupportedConeT<f64>> = self
            .cones
            .iter()
            .map(|&(cone, count)| match cone {
                Cone::Zero => SupportedConeT::ZeroConeT(count),
                Cone::Nonnegative => SupportedConeT::NonnegativeConeT(count),
            })
            .collect();
        let settings = DefaultSettingsBuilder::default()
            .verbose(false)
            .build()
            .map_err(|e| SeparabilityError::Setup {
                problem,
                message: e.to_string(),
            })?;
        let mut solver = DefaultSolver::new(&p, &self.linear, &a, &self.rhs, &cones, settings)
            .map_err(|e| SeparabilityError::Setup {
                problem,
                message: e.to_string(),
            })?;
        solver.solve();
        match solver.solution.status {
            SolverStatus::Solved | SolverStatus::AlmostSolved => Ok(Solution {
                x: std::mem::take(&mut solver.solution.x),
            }),
            status => Err(SeparabilityError::Solver {
                problem,
                status: status.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_small_lp_and_qp() {
        // max v0 + v1 s.t. v0 + 2 v1 ≤ 4, 3 v0 + v1 ≤ 6, v ≥ 0: optimum (8/5, 6/5).
        let mut lp = Program::new("test LP", 2);
        lp.linear_cost(0, -1.0);
        lp.linear_cost(1, -1.0);
        lp.less_equal([(0, 1.0), (1, 2.0)], 4.0);
        lp.less_equal([(0, 3.0), (1, 1.0)], 6.0);
        lp.less_equal([(0, -1.0)], 0.0);
        lp.less_equal([(1, -1.0)], 0.0);
        let x = lp.solve().unwrap().x;
        assert!(
            (x[0] - 1.6).abs() < 1e-7 && (x[1] - 1.2).abs() < 1e-7,
            "{x:?}"
        );

        // min ½(v0² + v1²) s.t. v0 + v1 = 2: optimum (1, 1).
        let mut qp = Program::new("test QP", 2);
        qp.quadratic_cost(0, 1.0);
        qp.quadratic_cost(1, 1.0);
        qp.equal([(0, 1.0), (1, 1.0)], 2.0);
        let x = qp.solve().unwrap().x;
        assert!(
            (x[0] - 1.0).abs() < 1e-7 && (x[1] - 1.0).abs() < 1e-7,
            "{x:?}"
        );

        // Interleaved kinds make three cones: min v0 s.t. -v0 ≤ 5, v0 + v1 = 1, v1 ≤ 3.
        let mut lp = Program::new("test LP", 2);
        lp.linear_cost(0, 1.0);
        lp.less_equal([(0, -1.0)], 5.0);
        lp.equal([(0, 1.0), (1, 1.0)], 1.0);
        lp.less_equal([(1, 1.0)], 3.0);
        assert_eq!(lp.cones.len(), 3);
        let x = lp.solve().unwrap().x;
        assert!(
            (x[0] + 2.0).abs() < 1e-7 && (x[1] - 3.0).abs() < 1e-7,
            "{x:?}"
        );
    }

    #[test]
    fn infeasibility_is_an_error_naming_the_status() {
        let mut lp = Program::new("test LP", 1);
        lp.linear_cost(0, 1.0);
        lp.less_equal([(0, 1.0)], -1.0);
        lp.less_equal([(0, -1.0)], -1.0);
        let err = lp.solve().err().unwrap();
        assert_eq!(
            err.to_string(),
            "clarabel did not solve the test LP: status PrimalInfeasible"
        );
    }
}
