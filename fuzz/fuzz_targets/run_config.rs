//! Any bytes as a run config: parsing and validation return a value or an error, never panic.
#![no_main]

use catapult_lab::RunConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(config) = RunConfig::from_json(text)
    {
        let written = serde_json::to_string(&config).expect("a parsed config serialises");
        assert_eq!(RunConfig::from_json(&written).ok(), Some(config));
    }
});
