//! Any bytes as a schedule spec: an error or a schedule that is positive and finite
//! everywhere and prints back to itself.
#![no_main]

use catapult_optim::{LrSchedule, Schedule};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(schedule) = text.parse::<LrSchedule>() else {
        return;
    };
    for t in [0, 1, 2, 99, 1000, 123_456, usize::MAX / 2, usize::MAX] {
        let eta = schedule.learning_rate(t);
        assert!(eta.is_finite() && eta > 0.0, "{schedule} at {t}: {eta}");
    }
    assert_eq!(schedule.to_string().parse::<LrSchedule>().ok(), Some(schedule));
});
