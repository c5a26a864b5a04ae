//! Reading a spec string (grammar in the module docs) into an [`LrSchedule`].
//!
//! ```text
//! spec       := name ':' parameters | 'seq:[' (spec '@' count ',')* spec ']'
//! parameters := key '=' value (',' key '=' value)*
//! value      := number | '[' count (',' count)* ']' | spec     (a spec only for warmup's then)
//! ```
//!
//! A plain value runs to the next `,`, `@`, `]` or the end. Parsing is a recursive descent
//! whose depth is capped at [`MAX_NESTING_DEPTH`], so no input can overflow the stack.

use super::cyclic::split_cyclic_name;
use super::{
    AmplitudeDecay, CosineAnnealing, CycleMode, Cyclic, ExponentialDecay, Fixed, InverseDecay,
    LrSchedule, MAX_NESTING_DEPTH, MultiStepDecay, OneCycle, PolynomialDecay, ScheduleError,
    Sequence, StepDecay, WarmRestarts, Warmup, Waveform, validate,
};
use std::str::FromStr;

impl FromStr for LrSchedule {
    type Err = ScheduleError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let mut parser = Parser { spec, position: 0 };
        let schedule = parser.schedule(0)?;
        if parser.position < spec.len() {
            return Err(parser.syntax("the end of the spec"));
        }
        Ok(schedule)
    }
}

/// The policies other than `seq` by spec name, and the parameters each takes.
#[derive(Clone, Copy)]
enum Policy<'a> {
    Fixed,
    Step,
    MultiStep,
    Exponential,
    Inverse,
    Polynomial,
    Cyclic(Waveform, CycleMode, &'a str),
    Cosine,
    WarmRestarts,
    OneCycle,
    Warmup,
}

impl<'a> Policy<'a> {
    fn from_name(name: &'a str) -> Option<Self> {
        Some(match name {
            "fix" => Self::Fixed,
            "step" => Self::Step,
            "nstep" => Self::MultiStep,
            "exp" => Self::Exponential,
            "inv" => Self::Inverse,
            "poly" => Self::Polynomial,
            "cosine" => Self::Cosine,
            "sgdr" => Self::WarmRestarts,
            "onecycle" => Self::OneCycle,
            "warmup" => Self::Warmup,
            _ => {
                let (waveform, mode, suffix) = split_cyclic_name(name)?;
                Self::Cyclic(waveform, mode, suffix)
            }
        })
    }

    fn accepted(self) -> &'static [&'static str] {
        match self {
            Self::Fixed => &["k0"],
            Self::Step | Self::MultiStep => &["k0", "k1", "gamma", "l"],
            Self::Exponential => &["k0", "k1", "gamma"],
            Self::Inverse => &["k0", "k1", "gamma", "p"],
            Self::Polynomial => &["k0", "k1", "p", "l"],
            Self::Cyclic(_, _, "exp") => &["k0", "k1", "gamma", "l"],
            Self::Cyclic(..) => &["k0", "k1", "l"],
            Self::Cosine => &["k0", "floor", "T"],
            Self::WarmRestarts => &["k0", "floor", "T0", "Tmult"],
            Self::OneCycle => &["k0", "k1", "l", "T", "floor"],
            Self::Warmup => &["steps", "then"],
        }
    }

    /// Builds the schedule from its checked parameters.
    fn build(self, mut params: Parameters<'_>) -> Result<LrSchedule, ScheduleError> {
        let p = &mut params;
        Ok(match self {
            Self::Fixed => Fixed::new(p.number("k0")?)?.into(),
            Self::Step => {
                StepDecay::new(p.number("k0")?, p.k1()?, p.number("gamma")?, p.count("l")?)?.into()
            }
            Self::MultiStep => {
                MultiStepDecay::new(p.number("k0")?, p.k1()?, p.number("gamma")?, p.counts("l")?)?
                    .into()
            }
            Self::Exponential => {
                ExponentialDecay::new(p.number("k0")?, p.k1()?, p.number("gamma")?)?.into()
            }
            Self::Inverse => {
                InverseDecay::new(p.number("k0")?, p.k1()?, p.number("gamma")?, p.number("p")?)?
                    .into()
            }
            Self::Polynomial => {
                PolynomialDecay::new(p.number("k0")?, p.k1()?, p.number("p")?, p.count("l")?)?
                    .into()
            }
            Self::Cyclic(waveform, mode, suffix) => {
                let decay = match suffix {
                    "2" => AmplitudeDecay::Halving,
                    "exp" => AmplitudeDecay::Exponential {
                        gamma: p.number("gamma")?,
                    },
                    _ => AmplitudeDecay::Constant,
                };
                Cyclic::new(
                    waveform,
                    mode,
                    decay,
                    p.number("k0")?,
                    p.number("k1")?,
                    p.count("l")?,
                )?
                .into()
            }
            Self::Cosine => {
                CosineAnnealing::new(p.number("k0")?, p.floor()?, p.count("T")?)?.into()
            }
            Self::WarmRestarts => WarmRestarts::new(
                p.number("k0")?,
                p.floor()?,
                p.count("T0")?,
                p.optional_count("Tmult")?.unwrap_or(1),
            )?
            .into(),
            Self::OneCycle => OneCycle::new(
                p.number("k0")?,
                p.number("k1")?,
                p.count("l")?,
                p.count("T")?,
                p.floor()?,
            )?
            .into(),
            Self::Warmup => Warmup::new(p.count("steps")?, p.schedule("then")?)?.into(),
        })
    }
}

/// A parameter's value as written.
enum Value<'a> {
    Text(&'a str),
    List(Vec<&'a str>),
    Schedule(LrSchedule),
}

struct Entry<'a> {
    key: &'a str,
    /// The value's text in the spec, for error messages.
    written: &'a str,
    value: Value<'a>,
}

/// The parameters of one policy, checked for unknown and repeated keys, taken one by one.
struct Parameters<'a> {
    policy: &'a str,
    entries: Vec<Entry<'a>>,
}

impl<'a> Parameters<'a> {
    fn new(
        policy_name: &'a str,
        policy: Policy<'_>,
        entries: Vec<Entry<'a>>,
    ) -> Result<Self, ScheduleError> {
        let accepted = policy.accepted();
        for (index, entry) in entries.iter().enumerate() {
            if !accepted.contains(&entry.key) {
                return Err(ScheduleError::UnknownParameter {
                    policy: policy_name.to_owned(),
                    parameter: entry.key.to_owned(),
                    accepted,
                });
            }
            if entries[..index]
                .iter()
                .any(|earlier| earlier.key == entry.key)
            {
                return Err(ScheduleError::DuplicateParameter {
                    policy: policy_name.to_owned(),
                    parameter: entry.key.to_owned(),
                });
            }
        }
        Ok(Self {
            policy: policy_name,
            entries,
        })
    }

    fn take(&mut self, key: &'static str) -> Option<Entry<'a>> {
        let index = self.entries.iter().position(|entry| entry.key == key)?;
        Some(self.entries.swap_remove(index))
    }

    fn invalid(&self, key: &'static str, written: &str, reason: &'static str) -> ScheduleError {
        validate::invalid(self.policy, key, written, reason)
    }

    fn missing(&self, key: &'static str) -> ScheduleError {
        ScheduleError::MissingParameter {
            policy: self.policy.to_owned(),
            parameter: key,
        }
    }

    fn optional_number(&mut self, key: &'static str) -> Result<Option<f64>, ScheduleError> {
        let Some(entry) = self.take(key) else {
            return Ok(None);
        };
        match entry.value {
            Value::Text(text) => text
                .parse()
                .map(Some)
                .map_err(|_| self.invalid(key, entry.written, "is not a number")),
            _ => Err(self.invalid(key, entry.written, "must be a single number")),
        }
    }

    fn number(&mut self, key: &'static str) -> Result<f64, ScheduleError> {
        self.optional_number(key)?.ok_or_else(|| self.missing(key))
    }

    fn k1(&mut self) -> Result<f64, ScheduleError> {
        Ok(self.optional_number("k1")?.unwrap_or(0.0))
    }

    fn floor(&mut self) -> Result<f64, ScheduleError> {
        Ok(self.optional_number("floor")?.unwrap_or(0.0))
    }

    fn optional_count(&mut self, key: &'static str) -> Result<Option<usize>, ScheduleError> {
        let Some(entry) = self.take(key) else {
            return Ok(None);
        };
        match entry.value {
            Value::Text(text) => parse_count(text)
                .map(Some)
                .ok_or_else(|| self.invalid(key, entry.written, NOT_A_COUNT)),
            _ => Err(self.invalid(key, entry.written, NOT_A_COUNT)),
        }
    }

    fn count(&mut self, key: &'static str) -> Result<usize, ScheduleError> {
        self.optional_count(key)?.ok_or_else(|| self.missing(key))
    }

    fn counts(&mut self, key: &'static str) -> Result<Vec<usize>, ScheduleError> {
        let entry = self.take(key).ok_or_else(|| self.missing(key))?;
        match entry.value {
            Value::List(items) => items
                .into_iter()
                .map(parse_count)
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    self.invalid(key, entry.written, "must list whole numbers of steps")
                }),
            _ => Err(self.invalid(key, entry.written, "must be a list such as [100,200]")),
        }
    }

    fn schedule(&mut self, key: &'static str) -> Result<LrSchedule, ScheduleError> {
        let entry = self.take(key).ok_or_else(|| self.missing(key))?;
        match entry.value {
            Value::Schedule(schedule) => Ok(schedule),
            _ => Err(self.invalid(key, entry.written, "must be a schedule spec")),
        }
    }
}

const NOT_A_COUNT: &str = "is not a whole number of steps";

fn parse_count(text: &str) -> Option<usize> {
    text.parse().ok()
}

/// Delimiters that end a name, key or plain value.
fn is_delimiter(byte: u8) -> bool {
    matches!(byte, b':' | b'=' | b',' | b'@' | b'[' | b']')
}

/// A cursor over the spec. It only stops at ASCII delimiters, so every slice it takes falls
/// on character boundaries.
struct Parser<'a> {
    spec: &'a str,
    position: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.spec.as_bytes().get(self.position).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.position += 1;
        }
        found
    }

    fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), ScheduleError> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(self.syntax(expected))
        }
    }

    fn syntax(&self, expected: &'static str) -> ScheduleError {
        ScheduleError::Syntax {
            position: self.position,
            expected,
        }
    }

    /// The text up to the next byte that `stop` accepts, or the end.
    fn until(&mut self, stop: impl Fn(u8) -> bool) -> &'a str {
        let start = self.position;
        while self.peek().is_some_and(|byte| !stop(byte)) {
            self.position += 1;
        }
        &self.spec[start..self.position]
    }

    /// A plain value: up to the next `,`, `@`, `]` or the end.
    fn plain_value(&mut self) -> &'a str {
        self.until(|byte| matches!(byte, b',' | b'@' | b']'))
    }

    fn schedule(&mut self, depth: usize) -> Result<LrSchedule, ScheduleError> {
        if depth > MAX_NESTING_DEPTH {
            return Err(ScheduleError::TooDeep {
                limit: MAX_NESTING_DEPTH,
            });
        }
        let name = self.until(is_delimiter);
        if name.is_empty() {
            return Err(self.syntax("a policy name"));
        }
        if name == "seq" {
            self.expect(b':', "`:` after the policy name")?;
            return self.sequence(depth);
        }
        let policy = Policy::from_name(name).ok_or_else(|| ScheduleError::UnknownPolicy {
            name: name.to_owned(),
        })?;
        self.expect(b':', "`:` after the policy name")?;
        let entries = self.entries(policy, depth)?;
        policy.build(Parameters::new(name, policy, entries)?)
    }

    fn entries(
        &mut self,
        policy: Policy<'_>,
        depth: usize,
    ) -> Result<Vec<Entry<'a>>, ScheduleError> {
        let mut entries = Vec::new();
        loop {
            let key = self.until(is_delimiter);
            if key.is_empty() {
                return Err(self.syntax("a parameter name"));
            }
            self.expect(b'=', "`=` after the parameter name")?;
            let start = self.position;
            let value = if matches!(policy, Policy::Warmup) && key == "then" {
                Value::Schedule(self.schedule(depth + 1)?)
            } else if self.eat(b'[') {
                Value::List(self.list()?)
            } else {
                Value::Text(self.plain_value())
            };
            entries.push(Entry {
                key,
                written: &self.spec[start..self.position],
                value,
            });
            if !self.eat(b',') {
                return Ok(entries);
            }
        }
    }

    /// The items of a list whose `[` has been read, through the closing `]`.
    fn list(&mut self) -> Result<Vec<&'a str>, ScheduleError> {
        let mut items = Vec::new();
        if self.eat(b']') {
            return Ok(items);
        }
        loop {
            items.push(self.plain_value());
            if self.eat(b']') {
                return Ok(items);
            }
            self.expect(b',', "`,` or `]` in a list")?;
        }
    }

    /// The pieces of a `seq` whose `seq:` has been read.
    fn sequence(&mut self, depth: usize) -> Result<LrSchedule, ScheduleError> {
        self.expect(b'[', "`[` after `seq:`")?;
        let mut timed = Vec::new();
        loop {
            let piece = self.schedule(depth + 1)?;
            if self.eat(b']') {
                return Ok(Sequence::new(timed, piece)?.into());
            }
            self.expect(b'@', "`@steps` after a piece that is not the last, or `]`")?;
            let written = self.plain_value();
            let steps = parse_count(written)
                .ok_or_else(|| validate::invalid("seq", "@steps", written, NOT_A_COUNT))?;
            timed.push((piece, steps));
            self.expect(b',', "`,` and the next piece after `@steps`")?;
        }
    }
}
