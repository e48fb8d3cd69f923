//! A server's metrics: the [`ServerMetricsRequest`] builder and the spec's accepted windows
//! ([`MetricsPeriod`]) and sampling intervals ([`MetricsStep`]).

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::str::FromStr;
use std::time::Duration;

use crate::Client;
use crate::call::send;
use crate::error::{InvalidInput, Result};
use crate::keys::ServerKey;
use crate::model::ServerMetrics;
use crate::raw::operations;
use crate::validate;

/// Declares a closed enum of the values a metrics query parameter accepts: each with its wire
/// spelling and its length of time; parsed from the spelling (`FromStr`) or from a `Duration`
/// (`TryFrom`), printed as the spelling (padded to the formatter's width).
macro_rules! metrics_values {
    (
        $(#[doc = $doc:expr])* $name:ident, $field:literal {
            $($(#[doc = $vdoc:expr])* $variant:ident = $wire:literal, $secs:literal;)+
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[doc = $vdoc])* $variant,)+
        }

        impl $name {
            /// Every accepted value, shortest first.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The value as the query parameter spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)+
                }
            }

            /// The length of time it stands for.
            pub fn as_duration(self) -> Duration {
                match self {
                    $(Self::$variant => Duration::from_secs($secs),)+
                }
            }

            fn refused(got: impl fmt::Display) -> InvalidInput {
                let accepted: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                InvalidInput::new(
                    $field,
                    format!("must be one of {}, got {got}", accepted.join(", ")),
                )
            }
        }

        impl FromStr for $name {
            type Err = InvalidInput;

            fn from_str(value: &str) -> std::result::Result<Self, InvalidInput> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == value.trim())
                    .ok_or_else(|| Self::refused(format_args!("`{value}`")))
            }
        }

        impl TryFrom<Duration> for $name {
            type Error = InvalidInput;

            fn try_from(length: Duration) -> std::result::Result<Self, InvalidInput> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_duration() == length)
                    .ok_or_else(|| Self::refused(format_args!("{length:?}")))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }
    };
}

metrics_values! {
    /// The window a metrics query covers: the values the spec accepts for `period`
    /// (PlayFlow's default is [`MetricsPeriod::Hour`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// use playflow::servers::MetricsPeriod;
    /// assert_eq!("6h".parse::<MetricsPeriod>().unwrap(), MetricsPeriod::SixHours);
    /// assert_eq!(MetricsPeriod::try_from(Duration::from_secs(300)).unwrap(), MetricsPeriod::FiveMinutes);
    /// assert_eq!(MetricsPeriod::Day.as_duration(), Duration::from_secs(86_400));
    /// assert!("2h".parse::<MetricsPeriod>().unwrap_err().to_string().contains("5m, 15m, 1h, 6h, 24h"));
    /// ```
    MetricsPeriod, "period" {
        /// `5m`
        FiveMinutes = "5m", 300;
        /// `15m`
        FifteenMinutes = "15m", 900;
        /// `1h`
        Hour = "1h", 3600;
        /// `6h`
        SixHours = "6h", 21_600;
        /// `24h`
        Day = "24h", 86_400;
    }
}

metrics_values! {
    /// The sampling interval of a metrics query: the values the spec accepts for `step`
    /// (PlayFlow's default is [`MetricsStep::Minute`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// use playflow::servers::MetricsStep;
    /// assert_eq!("30s".parse::<MetricsStep>().unwrap(), MetricsStep::ThirtySeconds);
    /// assert_eq!(MetricsStep::try_from(Duration::from_secs(60)).unwrap(), MetricsStep::Minute);
    /// assert!(MetricsStep::try_from(Duration::from_secs(45)).is_err());
    /// ```
    MetricsStep, "step" {
        /// `15s`
        FifteenSeconds = "15s", 15;
        /// `30s`
        ThirtySeconds = "30s", 30;
        /// `60s`
        Minute = "60s", 60;
        /// `300s`
        FiveMinutes = "300s", 300;
    }
}

/// A metrics query (`GET /api/v3/servers/{id}/metrics`), to give a
/// [`period`](Self::period) and [`step`](Self::step) (PlayFlow's defaults otherwise: one hour
/// in steps of a minute) and then `.await` (or [`send`](Self::send)). Obtain with
/// [`Servers::metrics`](super::Servers::metrics).
///
/// ```no_run
/// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
/// use playflow::servers::{MetricsPeriod, MetricsStep};
/// let metrics = client
///     .servers()
///     .metrics("9b2f6c1e")
///     .period(MetricsPeriod::Hour)
///     .step(MetricsStep::ThirtySeconds)
///     .await?;
/// # let _ = metrics; Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a metrics query does nothing until it is awaited or sent"]
pub struct ServerMetricsRequest {
    client: Client<ServerKey>,
    instance_id: String,
    period: Option<MetricsPeriod>,
    step: Option<MetricsStep>,
}

impl ServerMetricsRequest {
    pub(super) fn new(client: Client<ServerKey>, instance_id: String) -> Self {
        Self {
            client,
            instance_id,
            period: None,
            step: None,
        }
    }

    /// The window to cover (default: PlayFlow's, one hour).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use playflow::servers::MetricsPeriod;
    /// client.servers().metrics("9b2f6c1e").period(MetricsPeriod::Day).await?;
    /// # Ok(()) }
    /// ```
    pub fn period(mut self, period: MetricsPeriod) -> Self {
        self.period = Some(period);
        self
    }

    /// The sampling interval (default: PlayFlow's, 60 s).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use playflow::servers::MetricsStep;
    /// client.servers().metrics("9b2f6c1e").step(MetricsStep::FiveMinutes).await?;
    /// # Ok(()) }
    /// ```
    pub fn step(mut self, step: MetricsStep) -> Self {
        self.step = Some(step);
        self
    }

    /// Send the query.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let metrics = client.servers().metrics("9b2f6c1e").send().await?;
    /// # let _ = metrics; Ok(()) }
    /// ```
    pub fn send(self) -> impl Future<Output = Result<ServerMetrics>> + Send + 'static {
        let Self {
            client,
            instance_id,
            period,
            step,
        } = self;
        async move {
            validate::non_empty("instance_id", &instance_id)?;
            let mut call = client.raw().get_server_metrics().instance_id(&instance_id);
            if let Some(period) = period {
                call = call.period(period.as_str());
            }
            if let Some(step) = step {
                call = call.step(step.as_str());
            }
            send(operations::GET_SERVER_METRICS, call.send()).await
        }
    }
}

impl IntoFuture for ServerMetricsRequest {
    type Output = Result<ServerMetrics>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
