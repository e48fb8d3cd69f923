//! [`EmulatorError`]: why an emulator could not start.

use std::fmt;

/// Why an emulator could not start.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use playflow_emulator::{Emulator, EmulatorError};
/// let refused = Emulator::builder().bind("0.0.0.0:0".parse().unwrap()).start().await;
/// assert!(matches!(refused, Err(EmulatorError::Config(_))));
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum EmulatorError {
    /// A builder setting is out of range (the message says which and why).
    Config(String),
    /// The listening socket could not be bound.
    Bind(std::io::Error),
    /// Another I/O failure, e.g. creating the temporary upload folder.
    Io(std::io::Error),
}

impl fmt::Display for EmulatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmulatorError::Config(message) => write!(f, "invalid emulator setting: {message}"),
            EmulatorError::Bind(error) => {
                write!(f, "could not bind the emulator's socket: {error}")
            }
            EmulatorError::Io(error) => write!(f, "emulator I/O error: {error}"),
        }
    }
}

impl std::error::Error for EmulatorError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EmulatorError::Config(_) => None,
            EmulatorError::Bind(error) | EmulatorError::Io(error) => Some(error),
        }
    }
}
