//! Criterion benches for catapult: see `benches/` and `docs/performance.md`.
//! Run them with `cargo bench -p catapult-benches`.
