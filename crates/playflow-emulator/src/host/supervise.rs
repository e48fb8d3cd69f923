//! One game process's supervisor: its events become the server's lifecycle and log lines, a stop
//! or restart of the server (or its TTL) stops the process, and its usage is sampled for metrics.
//!
//! Everything here is event-driven: the runner says when the process listens or exits, and the
//! server's [`Lifecycle`](crate::world::servers::Lifecycle) says when it was stopped or
//! relaunched. Nothing polls the world: between usage samples, an idle server costs nothing.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use playflow::raw::enums::ServerStatus;
use playflow_runner::{Event, RunningServer, Stream, Usage};
use tokio::sync::watch;

use super::GameHost;
use crate::world::LiveWorld;
use crate::world::clock::delta;
use crate::world::logs::RunLabels;
use crate::world::servers::ServerRecord;

/// How often CPU and memory are sampled.
const SAMPLE: Duration = Duration::from_secs(5);
/// Samples kept per server (a day at one per five seconds).
const MAX_SAMPLES: usize = 17_280;
/// Pause before an `auto_restart` relaunch, so that a game crashing at start does not spin.
const RESTART_PAUSE: Duration = Duration::from_millis(500);

/// The launch a supervisor follows: the server, which of its launches, and the labels its
/// lines carry (the machine it ran on, the name it had), even once a restart has replaced it.
pub(super) struct Run {
    pub(super) id: String,
    pub(super) generation: u64,
    pub(super) labels: RunLabels,
}

impl Run {
    /// Logs a line of this run's process into its server, labelled as this run: also after a
    /// restart, so that the old process's last words and its exit are not lost.
    fn log(&self, world: &LiveWorld, level: &'static str, message: String) {
        world.with(|world, now| {
            if let Some(record) = world.servers.iter_mut().find(|s| s.id == self.id) {
                record.log_for_run(self.labels.clone(), now, level, message);
            }
        });
    }
}

/// The server of this launch, if it still is this launch.
fn mine<'w>(
    servers: &'w mut [ServerRecord],
    id: &str,
    generation: u64,
) -> Option<&'w mut ServerRecord> {
    servers
        .iter_mut()
        .find(|server| server.id == id && server.generation == generation)
}

/// Follows `server` (the process of launch `run`) until it exits. `lifecycle` was subscribed to
/// while that launch was current, so no stop or relaunch since then goes unnoticed.
pub(super) async fn supervise(
    host: Weak<GameHost>,
    world: Arc<LiveWorld>,
    run: Run,
    mut server: RunningServer,
    mut lifecycle: watch::Receiver<()>,
) {
    let (id, generation) = (run.id.clone(), run.generation);
    let Some(mut events) = server.take_events() else {
        return;
    };
    // The first sample is taken when the process listens; the next ones every SAMPLE.
    let mut sample = tokio::time::interval_at(tokio::time::Instant::now() + SAMPLE, SAMPLE);
    let mut last_usage: Option<(Usage, Instant)> = None;
    let mut stopping = false;
    let mut timed_out = false;
    let grace = host
        .upgrade()
        .map_or(Duration::from_secs(5), |h| h.stop_grace);
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Some(Event::Listening { after, .. }) => {
                    // Sampled before `running`, so that a running server has a memory point,
                    // and outside the world's lock. Inline: it reads only the group's few
                    // /proc files, and a hop to the blocking pool would delay `running`.
                    let usage = server.cpu_and_memory();
                    last_usage = Some((usage, Instant::now()));
                    world.with(|world, now| {
                        if let Some(record) = mine(&mut world.servers, &id, generation)
                            && record.status == ServerStatus::Launching
                        {
                            record.log(now, "info", format!("Game process listening on its ports after {} ms", after.as_millis()));
                            record.become_running(now);
                            record.samples.push((now, 0.0, mib(usage.memory_bytes)));
                        }
                    });
                }
                Some(Event::Log { stream, line, .. }) => {
                    let level = if stream == Stream::Stderr { "error" } else { "info" };
                    run.log(&world, level, line);
                }
                Some(Event::LaunchTimedOut { after }) => {
                    timed_out = true;
                    world.with(|world, now| {
                        if let Some(record) = mine(&mut world.servers, &id, generation) {
                            record.log(now, "error", format!(
                                "The game process did not listen on all its ports within {} s; stopping it",
                                after.as_secs_f64()
                            ));
                        }
                    });
                }
                Some(Event::Exited { .. }) | None => {
                    let status = status_text(server.exit_status());
                    let pid = server.pid();
                    let relaunch = world.with(|world, now| {
                        let launch_delay = delta(world.timing.launch_delay);
                        let crate::world::World { servers, ports, .. } = world;
                        let Some(record) = mine(servers, &id, generation) else {
                            // Restarted: the server runs another process now; this one's end
                            // still belongs in its log, labelled with the machine it ran on.
                            if let Some(record) = servers.iter_mut().find(|s| s.id == id) {
                                record.log_for_run(run.labels.clone(), now, "info", format!("Game process {pid} {status}"));
                            }
                            return false;
                        };
                        if !record.is_active() {
                            record.log(now, "info", format!("Game process {status}"));
                            return false;
                        }
                        if record.auto_restart && !timed_out {
                            record.log(now, "error", format!("Game process {status}; restarting it (auto_restart)"));
                            record.launch(now, launch_delay, ports);
                            record.process = true;
                            return true;
                        }
                        let level = if timed_out { "error" } else { "info" };
                        record.log(now, level, format!("Game process {status}"));
                        let reason = if timed_out { "LAUNCH_TIMEOUT" } else { "PROCESS_EXITED" };
                        record.stop(now, reason, ports);
                        false
                    });
                    if relaunch && let Some(host) = host.upgrade() {
                        tokio::time::sleep(RESTART_PAUSE).await;
                        // A task of its own: this supervisor ends here.
                        tokio::spawn(host.launch(&world, &id));
                    }
                    break;
                }
                Some(_) => {}
            },
            changed = lifecycle.changed(), if !stopping => {
                // A closed channel: the server's record is gone, and with it the reason to run.
                let wanted = changed.is_ok() && world.with(|world, _| {
                    mine(&mut world.servers, &id, generation).is_some_and(|record| record.is_active())
                });
                if !wanted {
                    stopping = true;
                    server.stop(grace).await;
                }
            }
            _ = sample.tick() => {
                let usage = server.usage().await;
                let cpu = last_usage.map_or(0.0, |(last, at)| usage.cpu_percent_since(&last, at.elapsed()));
                last_usage = Some((usage, Instant::now()));
                world.with(|world, now| {
                    if let Some(record) = mine(&mut world.servers, &id, generation) {
                        if record.samples.len() >= MAX_SAMPLES {
                            record.samples.remove(0);
                        }
                        record.samples.push((now, cpu, mib(usage.memory_bytes)));
                    }
                });
            }
        }
    }
}

fn status_text(status: Option<playflow_runner::Exit>) -> String {
    match status {
        Some(status) => status.to_string(),
        None => "ended".to_owned(),
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
