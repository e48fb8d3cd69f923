//! The world behind its lock, kept at the current PlayFlow time: every access first applies the
//! transitions that fell due, and a ticker applies them regularly so that event streams hear of
//! them without any call.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::World;
use super::clock::Clock;
use crate::config::EmulatorBuilder;

/// The world and the clock it follows.
pub(crate) struct LiveWorld {
    clock: Clock,
    world: Mutex<World>,
}

impl LiveWorld {
    pub(crate) fn new(config: &EmulatorBuilder) -> LiveWorld {
        let clock = Clock::new(config.time_scale);
        let world = World::new(config, clock.now());
        LiveWorld {
            clock,
            world: Mutex::new(world),
        }
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Runs `f` on the world brought up to the current PlayFlow time; lobby changes it makes are
    /// announced to event streams afterwards.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut World, DateTime<Utc>) -> R) -> R {
        let now = self.clock.now();
        let mut world = self.world.lock().unwrap_or_else(|e| e.into_inner());
        world.advance(now);
        let result = f(&mut world, now);
        world.flush(now);
        result
    }

    /// Moves PlayFlow time forward by `by` and applies what fell due.
    pub(crate) fn skip(&self, by: Duration) {
        self.clock.advance(by);
        self.tick();
    }

    /// Applies the transitions that fell due (and announces them).
    pub(crate) fn tick(&self) {
        self.with(|_, _| ());
    }
}

/// Applies due transitions regularly until `stopped` turns true.
pub(crate) async fn run_ticker(live: Arc<LiveWorld>, mut stopped: watch::Receiver<bool>) {
    // One PlayFlow second, but never busier than every 2 ms nor lazier than every 50 ms.
    let period = live
        .clock
        .real(Duration::from_secs(1), Duration::from_millis(2))
        .min(Duration::from_millis(50));
    let mut interval = tokio::time::interval(period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => live.tick(),
            _ = stopped.wait_for(|stopped| *stopped) => break,
        }
    }
}
