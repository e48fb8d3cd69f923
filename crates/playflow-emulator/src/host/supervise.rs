//! One game process's supervisor: its events become the server's lifecycle and log lines, a stop
//! or restart of the server (or its TTL) stops the process, and its usage is sampled for metrics.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use playflow::raw::enums::ServerStatus;
use playflow_runner::{Event, RunningServer, Stream};

use super::GameHost;
use crate::world::LiveWorld;
use crate::world::clock::delta;
use crate::world::logs::RunLabels;
use crate::world::servers::ServerRecord;

/// How often the supervisor checks whether the server was stopped or restarted through the API.
const POLL: Duration = Duration::from_millis(20);
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

pub(super) async fn supervise(
    host: Weak<GameHost>,
    world: Arc<LiveWorld>,
    run: Run,
    mut server: RunningServer,
) {
    let (id, generation) = (run.id.clone(), run.generation);
    let Some(mut events) = server.take_events() else {
        return;
    };
    let mut poll = tokio::time::interval(POLL);
    let mut sample = tokio::time::interval(SAMPLE);
    let mut last_usage = (server.cpu_and_memory(), Instant::now());
    let mut stopping = false;
    let mut timed_out = false;
    let grace = host
        .upgrade()
        .map_or(Duration::from_secs(5), |h| h.stop_grace);
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Some(Event::Listening { after, .. }) => world.with(|world, now| {
                    if let Some(record) = mine(&mut world.servers, &id, generation)
                        && record.status == ServerStatus::Launching
                    {
                        record.log(now, "info", format!("Game process listening on its ports after {} ms", after.as_millis()));
                        record.become_running(now);
                        let usage = server.cpu_and_memory();
                        record.samples.push((now, 0.0, mib(usage.memory_bytes)));
                    }
                }),
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
            _ = poll.tick(), if !stopping => {
                let wanted = world.with(|world, _| {
                    mine(&mut world.servers, &id, generation).is_some_and(|record| record.is_active())
                });
                if !wanted {
                    stopping = true;
                    server.stop(grace).await;
                }
            }
            _ = sample.tick() => {
                let usage = server.cpu_and_memory();
                let elapsed = last_usage.1.elapsed();
                let cpu = usage.cpu_percent_since(&last_usage.0, elapsed);
                last_usage = (usage, Instant::now());
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
