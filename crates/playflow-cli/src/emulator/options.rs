//! `playflow emulator`'s options: each one a flag and a `PLAYFLOW_EMULATOR_*` variable, so a
//! script can fix the keys and the port before it starts the emulator and points other tools
//! at it.

use std::time::Duration;

use clap::{Args, ValueEnum};
use playflow_emulator::{EmulatorBuilder, LobbyServerLayout, Plan};

use crate::args::parse_duration;

/// PlayFlow's documented per-key budgets, per second: reads (GET) and writes.
pub const PLAYFLOW_LIMITS: Limits = Limits {
    reads: 100,
    writes: 10,
};

/// `playflow emulator`
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, env = "PLAYFLOW_EMULATOR_PORT", default_value_t = 8080)]
    pub port: u16,
    /// How many times faster than the wall clock PlayFlow time runs (build processing,
    /// server launch, TTLs).
    #[arg(long, env = "PLAYFLOW_EMULATOR_TIME_SCALE", default_value_t = 1.0)]
    pub time_scale: f64,
    /// Simulate game servers (nothing listens on their ports) instead of running the uploaded
    /// ZIP builds as processes.
    #[arg(long)]
    pub simulate: bool,
    /// The project's plan: `free` allows one small server with a TTL of at most an hour.
    #[arg(long, value_enum, env = "PLAYFLOW_EMULATOR_PLAN", default_value_t = PlanArg::Pro)]
    pub plan: PlanArg,
    /// Per-key rate limits: `off` (the default: no call is refused), `playflow` (PlayFlow's:
    /// 100 reads and 10 writes a second), `scaled` (PlayFlow's times --time-scale), `3x`
    /// (PlayFlow's times 3), or `READS/WRITES` a second (e.g. `50/5`).
    #[arg(
        long,
        value_parser = parse_rate_limits,
        env = "PLAYFLOW_EMULATOR_RATE_LIMITS",
        default_value = "off",
        value_name = "LIMITS"
    )]
    pub rate_limits: RateLimits,
    /// Use this server key (pf_…, at least 8 characters) instead of a random one. Prefer the
    /// variable: other users of the machine can read command lines.
    #[arg(long, env = "PLAYFLOW_EMULATOR_SERVER_KEY", hide_env_values = true)]
    pub server_key: Option<String>,
    /// Use this client key (pfclient_…, at least 14 characters) instead of a random one.
    #[arg(long, env = "PLAYFLOW_EMULATOR_CLIENT_KEY", hide_env_values = true)]
    pub client_key: Option<String>,
    /// Layout of a lobby's `server` block: `compact` (camelCase, the ports only) or `full`
    /// (the whole server object, as `getServer` returns it); PlayFlow has sent both.
    #[arg(
        long,
        value_enum,
        env = "PLAYFLOW_EMULATOR_LOBBY_SERVER_LAYOUT",
        default_value_t = LayoutArg::Compact
    )]
    pub lobby_server_layout: LayoutArg,
    /// How long a build is processed, in PlayFlow time (default 1m).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub build_delay: Option<Duration>,
    /// How long a server launches, in PlayFlow time (default 10s).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub launch_delay: Option<Duration>,
}

impl EmulatorArgs {
    /// Applies every option but the address and the game-server mode to `builder`.
    pub fn configure(&self, mut builder: EmulatorBuilder) -> EmulatorBuilder {
        builder = builder
            .time_scale(self.time_scale)
            .plan(match self.plan {
                PlanArg::Free => Plan::Free,
                PlanArg::Pro => Plan::Pro,
            })
            .lobby_server_layout(match self.lobby_server_layout {
                LayoutArg::Compact => LobbyServerLayout::Compact,
                LayoutArg::Full => LobbyServerLayout::Full,
            });
        builder = match self.limits() {
            Some(limits) => builder.rate_limits(limits.reads, limits.writes),
            None => builder.no_rate_limits(),
        };
        if let Some(key) = &self.server_key {
            builder = builder.server_key(key);
        }
        if let Some(key) = &self.client_key {
            builder = builder.client_key(key);
        }
        if let Some(delay) = self.build_delay {
            builder = builder.build_processing_delay(delay);
        }
        if let Some(delay) = self.launch_delay {
            builder = builder.server_launch_delay(delay);
        }
        builder
    }

    /// The budgets in force, or `None` when off.
    pub fn limits(&self) -> Option<Limits> {
        let scale = |factor: f64| Limits {
            // At least one call a second: the emulator refuses a budget of zero.
            reads: (f64::from(PLAYFLOW_LIMITS.reads) * factor).round().max(1.0) as u32,
            writes: (f64::from(PLAYFLOW_LIMITS.writes) * factor)
                .round()
                .max(1.0) as u32,
        };
        match self.rate_limits {
            RateLimits::Off => None,
            RateLimits::PlayFlow => Some(PLAYFLOW_LIMITS),
            RateLimits::TimeScaled => Some(scale(self.time_scale)),
            RateLimits::Times(factor) => Some(scale(factor)),
            RateLimits::Fixed(limits) => Some(limits),
        }
    }
}

/// `--plan`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanArg {
    /// One server at a time, `small` only, TTL of at most an hour.
    Free,
    /// No server limits.
    Pro,
}

/// `--lobby-server-layout`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    /// camelCase: `instanceId`, `status`, `region`, `ports`.
    Compact,
    /// The full server object in snake_case.
    Full,
}

/// Calls a second allowed to each key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// GET calls.
    pub reads: u32,
    /// Every other call.
    pub writes: u32,
}

/// `--rate-limits`
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RateLimits {
    /// No call is refused.
    Off,
    /// PlayFlow's budgets.
    PlayFlow,
    /// PlayFlow's budgets times the time scale: a client that polls as often in PlayFlow time
    /// as it would against PlayFlow fits.
    TimeScaled,
    /// PlayFlow's budgets times this factor.
    Times(f64),
    /// These budgets.
    Fixed(Limits),
}

fn parse_rate_limits(text: &str) -> Result<RateLimits, String> {
    let text = text.trim().to_ascii_lowercase();
    let bad = || {
        format!(
            "`{text}` is not a rate limit: use off, playflow, scaled, a factor such as 3x, \
             or READS/WRITES a second such as 50/5"
        )
    };
    let positive = |number: &str| number.trim().parse::<u32>().ok().filter(|n| *n > 0);
    match text.as_str() {
        "off" | "none" => Ok(RateLimits::Off),
        "playflow" => Ok(RateLimits::PlayFlow),
        "scaled" => Ok(RateLimits::TimeScaled),
        _ => {
            if let Some(factor) = text.strip_suffix('x') {
                return factor
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite() && *f > 0.0 && *f <= 10_000.0)
                    .map(RateLimits::Times)
                    .ok_or_else(bad);
            }
            let (reads, writes) = text.split_once('/').ok_or_else(bad)?;
            match (positive(reads), positive(writes)) {
                (Some(reads), Some(writes)) => Ok(RateLimits::Fixed(Limits { reads, writes })),
                _ => Err(bad()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_read_every_form() {
        assert_eq!(parse_rate_limits("off"), Ok(RateLimits::Off));
        assert_eq!(parse_rate_limits("PlayFlow"), Ok(RateLimits::PlayFlow));
        assert_eq!(parse_rate_limits("scaled"), Ok(RateLimits::TimeScaled));
        assert_eq!(parse_rate_limits("2.5x"), Ok(RateLimits::Times(2.5)));
        assert_eq!(
            parse_rate_limits("50/5"),
            Ok(RateLimits::Fixed(Limits {
                reads: 50,
                writes: 5
            }))
        );
        for bad in ["", "fast", "0x", "-1x", "0/5", "5/", "a/b", "infx"] {
            assert!(parse_rate_limits(bad).is_err(), "{bad}");
        }
    }
}
