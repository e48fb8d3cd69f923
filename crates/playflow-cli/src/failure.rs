//! What went wrong, as one line a person can act on, and the exit code a script can test.

use std::fmt;
use std::process::ExitCode;

use playflow::Error;

/// The exit codes listed in `--help` (2, usage, is clap's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Anything else: a failed build, a server that stopped while starting, a file not read.
    Other = 1,
    /// Invalid input, configuration or API key, refused before any request.
    Invalid = 3,
    /// No such resource.
    NotFound = 4,
    /// Wrong key, or a key that may not do this.
    Denied = 5,
    /// Too many requests.
    RateLimited = 6,
    /// A timeout or network failure, or a wait that ran out of time.
    Unreachable = 7,
    /// Another error status from the API, or an answer that could not be decoded.
    Api = 8,
    /// Stdout was closed before everything was printed (`| head`): 128 + SIGPIPE, what a shell
    /// reports for `seq 1000000 | head` or gh. Nothing is printed for it.
    StdoutClosed = 141,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

/// A failure of a command: what happened and what to do about it.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub exit: Exit,
    /// What happened.
    pub message: String,
    /// What to do about it, when there is something to say.
    pub hint: Option<String>,
}

/// The result of a command.
pub type Outcome<T = ()> = Result<T, Failure>;

impl Failure {
    /// A failure with this exit code and message, without a hint.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            hint: None,
        }
    }

    /// The same failure, with what to do about it.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        let (exit, hint) = match &error {
            Error::InvalidInput(_) => (Exit::Invalid, None),
            Error::NotFound(_) => (Exit::NotFound, None),
            Error::Unauthorized(_) => (
                Exit::Denied,
                Some("check that PLAYFLOW_API_KEY is a current key of this project"),
            ),
            Error::Forbidden(_) => (
                Exit::Denied,
                Some("this needs the project's server key (pf_…) in PLAYFLOW_API_KEY"),
            ),
            Error::RateLimited(_) => (Exit::RateLimited, Some("wait a moment and try again")),
            Error::Timeout(_) | Error::Transport(_) => (
                Exit::Unreachable,
                Some("check the network, and PLAYFLOW_BASE_URL if you set it"),
            ),
            Error::Api(_) | Error::Decode(_) => (Exit::Api, None),
            _ => (Exit::Other, None),
        };
        let failure = Failure::new(exit, one_line(&chain(&error)));
        match hint {
            Some(hint) => failure.hint(hint),
            None => failure,
        }
    }
}

/// The error and each of its causes, down to the root one (`Connection refused`), joined by
/// `: `. A cause that says what the one before it said is printed once.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut last = text.clone();
    let mut cause = error.source();
    while let Some(e) = cause {
        let message = e.to_string();
        if !message.is_empty() && message != last {
            text.push_str(": ");
            text.push_str(&message);
        }
        last = message;
        cause = e.source();
    }
    text
}

/// Messages from a server may span lines; a terminal error is one.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Adds what was looked for to a "not found", with the command that lists what exists.
pub trait NotFoundHint<T> {
    /// On `NotFound`, say that no `what` has this `id`, and how to list them.
    fn or_missing(self, what: &str, id: &str, list_command: &str) -> Outcome<T>;
}

impl<T> NotFoundHint<T> for playflow::Result<T> {
    fn or_missing(self, what: &str, id: &str, list_command: &str) -> Outcome<T> {
        self.map_err(|error| match error {
            Error::NotFound(_) => {
                Failure::new(Exit::NotFound, format!("no {what} `{id}` in this project"))
                    .hint(format!("`{list_command}` lists them"))
            }
            other => other.into(),
        })
    }
}
