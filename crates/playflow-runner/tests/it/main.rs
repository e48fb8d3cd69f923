//! Real game processes on loopback: echo through the relays, isolation, lifecycle, no orphans.

mod builds;
mod common;
mod echo;
mod isolation;
mod lifecycle;
mod orphans;
mod usage;
