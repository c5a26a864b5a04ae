//! With the `serde` feature, an [`LrSchedule`] is serialised as its spec string.

use super::LrSchedule;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

impl Serialize for LrSchedule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LrSchedule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(de::Error::custom)
    }
}
