//! The facade's client: one type, parameterised by the kind of key it holds.

use crate::raw::operations;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{InvalidInput, Result};
use crate::keys::{ApiKey, ClientKey, ServerKey};
use crate::raw;
use crate::transport::{RateLimitConfig, RetryConfig, Transport};

/// PlayFlow's production host root (paths carry the `/api` prefix).
pub const DEFAULT_BASE_URL: &str = "https://api.computeflow.cloud";

/// The environment variable [`Client::from_env`] reads the base URL from.
pub const BASE_URL_ENV: &str = "PLAYFLOW_BASE_URL";

/// The `User-Agent` sent unless configured otherwise: `playflow-rust/<version>`.
pub const USER_AGENT: &str = concat!("playflow-rust/", env!("CARGO_PKG_VERSION"));

/// A PlayFlow client. Cheap to clone (clones share one connection pool, one rate-limit
/// budget and one retry policy), `Send + Sync`.
///
/// ```no_run
/// # async fn demo() -> playflow::Result<()> {
/// let client = playflow::Client::new(playflow::ServerKey::from_env()?)?;
/// let health = client.health().await?;
/// println!("{health:?}");
/// # Ok(()) }
/// ```
///
/// # Capabilities
///
/// The key type decides, at compile time, which calls exist. `Client<ServerKey>` (the default
/// type parameter) offers every call. `Client<ClientKey>`, for game builds, offers only what
/// PlayFlow lets a client key do; calling anything else does not compile.
///
/// | Calls | `Client<ServerKey>` | `Client<ClientKey>` | Evidence |
/// |---|---|---|---|
/// | [`health`](Self::health) | yes | yes | `tests/it/capabilities.rs` |
/// | `servers()`: `list` (and its streams), `get`, `start`, `start_request`, `wait_until_running` | yes | yes | `tests/it/capabilities.rs` |
/// | `servers()`: `stop`, `restart` | yes | **no** | `compile_fail` doctests |
/// | `servers()`: `update_custom_data`, `logs` (pages and streams), `metrics` | yes | **no** | `compile_fail` doctests |
/// | `builds()` (list, get, upload, `create_upload_url`, Docker images, `start_processing`, delete, `processing_logs`, `wait_until_ready`) | yes | **no** | `compile_fail` doctests |
/// | `project()` (settings, project logs and their streams) | yes | **no** | `compile_fail` doctests |
/// | `lobbies(config)`: `browse`, `player(id)` and its player-scoped calls, `events`, `find_match` | yes | yes | `tests/it/capabilities.rs` |
/// | `lobbies(config)`: `get`, `delete` (admin) | yes | **no** | `compile_fail` doctests |
/// | [`Client::new`] / [`Client::for_game_client`] with the other kind of key | — | — | `compile_fail` doctests |
/// | [`raw`](Self::raw): every operation of the spec | yes | yes (the server decides) | `tests/it/capabilities.rs` |
///
/// The `compile_fail` doctests live in `playflow-test-support` (`src/compile_fail.rs`), each
/// with a twin that compiles through a server-key client, so a case fails only because the
/// call does not exist for the key kind; `tests/it/capabilities.rs` calls every listed method
/// of both client types against a loopback server.
///
/// ```compile_fail
/// # fn demo(client: playflow::Client<playflow::ClientKey>) {
/// client.builds(); // builds need the server key: no such method
/// # }
/// ```
///
/// **Escape hatch.** [`Client::raw`] returns the generated client with every operation of the
/// spec, whatever the key type. It sends this client's key, shares its connection pool, rate
/// limits and retries; what a client key may not do, PlayFlow then refuses with 403.
///
/// # Transport
///
/// Every call goes through the [`transport`](crate::transport): the key is sent only to the
/// base URL's origin; idempotent calls are retried ([`RetryConfig`]); each class of call is
/// paced below PlayFlow's per-key limits ([`RateLimitConfig`]); each attempt is traced.
pub struct Client<K: ApiKey = ServerKey> {
    shared: Arc<Shared>,
    _key: PhantomData<fn() -> K>,
}

struct Shared {
    raw: raw::Client,
    base_url: String,
    /// Keeps the key known to the redactor while any clone of this client lives, so errors
    /// of `raw()` calls and traces are scrubbed of it too.
    _key_guard: crate::error::SecretGuard,
    max_response_body: u64,
}

impl<K: ApiKey> Clone for Client<K> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            _key: PhantomData,
        }
    }
}

impl<K: ApiKey> std::fmt::Debug for Client<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("key_kind", &K::KIND)
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl Client<ServerKey> {
    /// A client for a server key, with the default configuration.
    ///
    /// ```
    /// let key = playflow::ServerKey::new("pf_1234567890abcdef1234")?;
    /// let client = playflow::Client::new(key)?;
    /// # let _ = client;
    /// # Ok::<(), playflow::Error>(())
    /// ```
    pub fn new(key: ServerKey) -> Result<Self> {
        Self::builder(key).build()
    }

    /// A server-key client from `PLAYFLOW_API_KEY`, calling `PLAYFLOW_BASE_URL`
    /// ([`BASE_URL_ENV`]) when it is set and not empty (PlayFlow's production host otherwise).
    /// A base URL that is not usable is an [`Error::InvalidInput`](crate::Error) naming the
    /// variable and what to set it to.
    ///
    /// ```no_run
    /// let client = playflow::Client::from_env()?;
    /// # let _ = client;
    /// # Ok::<(), playflow::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        let builder = Self::builder(ServerKey::from_env()?);
        let Some(url) = std::env::var(BASE_URL_ENV)
            .ok()
            .filter(|u| !u.trim().is_empty())
        else {
            return builder.build();
        };
        builder.base_url(url.trim()).build().map_err(|e| match e {
            crate::Error::InvalidInput(input) if input.field == "base_url" => {
                // The builder's reason may name a builder method; a user of the environment
                // variable needs to know what to set instead. The value is not echoed.
                let reason = input.reason.split(" (").next().unwrap_or_default();
                InvalidInput::new(
                    BASE_URL_ENV,
                    format!(
                        "{reason}; set {BASE_URL_ENV} to an https:// URL (http:// only on a loopback host such as 127.0.0.1), or unset it to call {DEFAULT_BASE_URL}"
                    ),
                )
                .into()
            }
            other => other,
        })
    }
}

impl Client<ClientKey> {
    /// A client for a game client's key (`pfclient_…`).
    ///
    /// ```
    /// let key = playflow::ClientKey::new("pfclient_1234567890abcdef1234")?;
    /// let client = playflow::Client::for_game_client(key)?;
    /// # let _ = client;
    /// # Ok::<(), playflow::Error>(())
    /// ```
    pub fn for_game_client(key: ClientKey) -> Result<Self> {
        Self::builder(key).build()
    }
}

impl<K: ApiKey> Client<K> {
    /// Configure a client: base URL, timeouts, user agent, or your own `reqwest::Client`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let key = playflow::ServerKey::new("pf_1234567890abcdef1234")?;
    /// let client = playflow::Client::builder(key)
    ///     .base_url("http://127.0.0.1:8080")
    ///     .timeout(Duration::from_secs(10))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), playflow::Error>(())
    /// ```
    pub fn builder(key: K) -> ClientBuilder<K> {
        ClientBuilder::new(key)
    }

    /// The generated low-level client, for operations or options the facade does not offer.
    ///
    /// It sends this client's key and shares its connection pool. This is the escape hatch:
    /// whatever the key type, every operation is callable here, and the server decides.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let settings = client.raw().get_project_settings().send().await?;
    /// # let _ = settings; Ok(()) }
    /// ```
    pub fn raw(&self) -> &raw::Client {
        &self.shared.raw
    }

    /// The base URL requests go to.
    ///
    /// ```
    /// let client = playflow::Client::new(playflow::ServerKey::new("pf_1234567890abcdef1234")?)?;
    /// assert_eq!(client.base_url(), "https://api.computeflow.cloud");
    /// # Ok::<(), playflow::Error>(())
    /// ```
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The largest response body this client reads, in bytes (see
    /// [`ClientBuilder::max_response_body`]).
    ///
    /// ```
    /// let client = playflow::Client::new(playflow::ServerKey::new("pf_1234567890abcdef1234")?)?;
    /// assert_eq!(client.max_response_body(), playflow::transport::DEFAULT_MAX_RESPONSE_BODY);
    /// # Ok::<(), playflow::Error>(())
    /// ```
    pub fn max_response_body(&self) -> u64 {
        self.shared.max_response_body
    }

    /// `GET /api/health`: whether the API is up. Needs no key (none is sent).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let health = client.health().await?;
    /// assert_eq!(health.status.as_deref(), Some("ok"));
    /// # Ok(()) }
    /// ```
    pub fn health(
        &self,
    ) -> impl std::future::Future<Output = Result<crate::model::HealthStatus>> + Send + 'static
    {
        let client = self.clone();
        async move { crate::call::send(operations::GET_HEALTH, client.raw().get_health().send()).await }
    }
}

/// Builder of a [`Client`]. Obtain one with [`Client::builder`].
#[must_use]
pub struct ClientBuilder<K: ApiKey> {
    key: K,
    base_url: String,
    timeout: Option<Duration>,
    connect_timeout: Duration,
    user_agent: String,
    http: Option<reqwest::Client>,
    allow_insecure_http: bool,
    retry: Option<RetryConfig>,
    rate_limit: Option<RateLimitConfig>,
    max_response_body: u64,
    #[cfg(feature = "redis")]
    redis_rate_limit: Option<crate::transport::RedisRateLimit>,
}

impl<K: ApiKey> std::fmt::Debug for ClientBuilder<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut f = f.debug_struct("ClientBuilder");
        f.field("key", &self.key)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("custom_http_client", &self.http.is_some())
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("max_response_body", &self.max_response_body);
        #[cfg(feature = "redis")]
        f.field("redis_rate_limit", &self.redis_rate_limit);
        f.finish()
    }
}

impl<K: ApiKey> ClientBuilder<K> {
    fn new(key: K) -> Self {
        Self {
            key,
            base_url: DEFAULT_BASE_URL.to_string(),
            timeout: Some(Duration::from_secs(30)),
            connect_timeout: Duration::from_secs(10),
            user_agent: USER_AGENT.to_string(),
            http: None,
            allow_insecure_http: false,
            retry: Some(RetryConfig::default()),
            rate_limit: Some(RateLimitConfig::default()),
            max_response_body: crate::transport::DEFAULT_MAX_RESPONSE_BODY,
            #[cfg(feature = "redis")]
            redis_rate_limit: None,
        }
    }

    /// How failed calls are retried (default [`RetryConfig::default`]). Idempotent calls are
    /// retried on connection failures, timeouts, 408, 429 and 500–504; others only when the
    /// connection could not be made. See [`transport::RetryConfig`](crate::transport::RetryConfig).
    ///
    /// ```
    /// # let key = playflow::ServerKey::new("pf_1234567890abcdef1234").unwrap();
    /// let builder = playflow::Client::builder(key).retry(playflow::RetryConfig::new().max_retries(5));
    /// # let _ = builder;
    /// ```
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Send every call once: no automatic retry.
    ///
    /// ```
    /// # let key = playflow::ServerKey::new("pf_1234567890abcdef1234").unwrap();
    /// let builder = playflow::Client::builder(key).no_retry();
    /// # let _ = builder;
    /// ```
    pub fn no_retry(mut self) -> Self {
        self.retry = None;
        self
    }

    /// Client-side rate limits (default: PlayFlow's published 100 reads and 10 writes per
    /// second). Shared by all clones of the client. See
    /// [`transport::RateLimitConfig`](crate::transport::RateLimitConfig).
    ///
    /// ```
    /// # let key = playflow::ServerKey::new("pf_1234567890abcdef1234").unwrap();
    /// let limits = playflow::RateLimitConfig::new().writes_per_second(20);
    /// let builder = playflow::Client::builder(key).rate_limit(limits);
    /// # let _ = builder;
    /// ```
    pub fn rate_limit(mut self, limits: RateLimitConfig) -> Self {
        self.rate_limit = Some(limits);
        self
    }

    /// Share the rate limits with every client of the same key, in any process, through Redis
    /// (feature `redis`; by default they are per process). See
    /// [`transport::RedisRateLimit`](crate::transport::RedisRateLimit).
    ///
    /// ```
    /// # let key = playflow::ServerKey::new("pf_1234567890abcdef1234").unwrap();
    /// let shared = playflow::transport::RedisRateLimit::new("redis://127.0.0.1:6379/");
    /// let builder = playflow::Client::builder(key).redis_rate_limit(shared);
    /// # let _ = builder;
    /// ```
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn redis_rate_limit(mut self, shared: crate::transport::RedisRateLimit) -> Self {
        self.redis_rate_limit = Some(shared);
        self
    }

    /// No client-side rate limiting: calls go out as fast as they are made, and the server's
    /// 429s (retried for idempotent calls) are the only brake.
    ///
    /// ```
    /// # let key = playflow::ServerKey::new("pf_1234567890abcdef1234").unwrap();
    /// let builder = playflow::Client::builder(key).no_rate_limit();
    /// # let _ = builder;
    /// ```
    pub fn no_rate_limit(mut self) -> Self {
        self.rate_limit = None;
        self
    }

    /// The largest response body the client reads, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_BODY`](crate::transport::DEFAULT_MAX_RESPONSE_BODY), 32 MiB).
    /// A larger answer fails the call with [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge)
    /// and its connection is dropped: one announced larger by its `Content-Length` is not read
    /// at all, one that grows past the cap is read no further. Error answers are capped at
    /// [`MAX_ERROR_BODY`](crate::transport::MAX_ERROR_BODY) (64 KiB), or this if smaller. The
    /// lobby event stream is exempt (its parser has its own limits). Applies to
    /// [`Client::raw`] calls too.
    ///
    /// ```
    /// # let key = playflow::ServerKey::new("pf_1234567890abcdef1234").unwrap();
    /// let client = playflow::Client::builder(key).max_response_body(4 << 20).build()?;
    /// assert_eq!(client.max_response_body(), 4 << 20);
    /// # Ok::<(), playflow::Error>(())
    /// ```
    pub fn max_response_body(mut self, bytes: u64) -> Self {
        self.max_response_body = bytes;
        self
    }

    /// Host root to call instead of PlayFlow's (a staging host, a proxy, the emulator). Must be
    /// `https://`, or `http://` on a loopback address, unless [`Self::allow_insecure_http`].
    ///
    /// ```
    /// # let key = playflow::ServerKey::new("pf_1234567890abcdef1234").unwrap();
    /// let err = playflow::Client::builder(key).base_url("http://example.com").build();
    /// assert!(err.is_err());
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Allow plain `http://` to a non-loopback host. The key then crosses the network in clear.
    ///
    /// ```
    /// # let key = playflow::ServerKey::new("pf_1234567890abcdef1234").unwrap();
    /// let client = playflow::Client::builder(key)
    ///     .base_url("http://playflow.internal:8080")
    ///     .allow_insecure_http(true)
    ///     .build();
    /// assert!(client.is_ok());
    /// ```
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Whole-request timeout (default 30 s) of each attempt; `None` for no limit. The lobby
    /// event stream is exempt (it stays open). Ignored with [`Self::http_client`], whose own
    /// settings apply.
    ///
    /// ```
    /// # let key = playflow::ServerKey::new("pf_1234567890abcdef1234").unwrap();
    /// let builder = playflow::Client::builder(key).timeout(std::time::Duration::from_secs(5));
    /// # let _ = builder;
    /// ```
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// Connection timeout (default 10 s). Ignored with [`Self::http_client`].
    ///
    /// ```
    /// # let key = playflow::ServerKey::new("pf_1234567890abcdef1234").unwrap();
    /// let builder = playflow::Client::builder(key).connect_timeout(std::time::Duration::from_secs(2));
    /// # let _ = builder;
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// `User-Agent` header (default `playflow-rust/<version>`). Ignored with
    /// [`Self::http_client`].
    ///
    /// ```
    /// # let key = playflow::ServerKey::new("pf_1234567890abcdef1234").unwrap();
    /// let builder = playflow::Client::builder(key).user_agent("my-matchmaker/1.2");
    /// # let _ = builder;
    /// ```
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Use your own `reqwest::Client` (proxies, TLS roots, connection pool).
    ///
    /// **Build it with [`redirect_policy`]** (or `Policy::none()`): reqwest strips only
    /// `Authorization` and cookies when a redirect changes origin, so with its default policy
    /// the `api-key` header would follow a redirect to another host. The client checks the
    /// origin of each request it sends, but cannot see inside reqwest's redirect handling.
    ///
    /// Its own timeouts and user agent apply ([`Self::timeout`], [`Self::connect_timeout`] and
    /// [`Self::user_agent`] are ignored); retries, rate limits, the key and tracing still come
    /// from this builder.
    ///
    /// ```
    /// # let key = playflow::ServerKey::new("pf_1234567890abcdef1234").unwrap();
    /// let http = reqwest::Client::builder()
    ///     .redirect(playflow::redirect_policy())
    ///     .build()
    ///     .unwrap();
    /// let client = playflow::Client::builder(key).http_client(http).build();
    /// assert!(client.is_ok());
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Check the configuration and build the client.
    ///
    /// ```
    /// # let key = playflow::ServerKey::new("pf_1234567890abcdef1234").unwrap();
    /// let client = playflow::Client::builder(key).build()?;
    /// # let _ = client;
    /// # Ok::<(), playflow::Error>(())
    /// ```
    pub fn build(self) -> Result<Client<K>> {
        let (base_url, parsed) = check_base_url(&self.base_url, self.allow_insecure_http)?;
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut builder = reqwest::Client::builder()
                    .user_agent(self.user_agent)
                    .connect_timeout(self.connect_timeout)
                    .redirect(redirect_policy());
                if let Some(timeout) = self.timeout {
                    builder = builder.timeout(timeout);
                }
                builder.build().map_err(|e| {
                    InvalidInput::new("http client", crate::TransportError::new(e, "").to_string())
                })?
            }
        };
        let transport =
            Transport::for_client(self.key.expose(), &parsed, self.retry, self.rate_limit)?
                .with_max_body(self.max_response_body);
        #[cfg(feature = "redis")]
        let transport = transport.share_rate_limit(self.key.expose(), self.redis_rate_limit)?;
        let raw = raw::Client::new_with_client(&base_url, http, transport);
        Ok(Client {
            shared: Arc::new(Shared {
                raw,
                base_url,
                _key_guard: crate::error::register_secret(self.key.expose()),
                max_response_body: self.max_response_body,
            }),
            _key: PhantomData,
        })
    }
}

/// Redirects are followed only within the same origin (scheme, host, port): the `api-key`
/// header is custom, so reqwest would otherwise send it along to any host a redirect names.
///
/// ```
/// let http = reqwest::Client::builder().redirect(playflow::redirect_policy()).build();
/// assert!(http.is_ok());
/// ```
pub fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if attempt.previous().len() > 5 {
            attempt.error("too many redirects")
        } else if same_origin {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

fn check_base_url(url: &str, allow_insecure_http: bool) -> Result<(String, reqwest::Url)> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| InvalidInput::new("base_url", format!("not a URL: {e}")))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        // Credentials in a URL end up in logs and `Debug` output; the key travels in a header.
        return Err(InvalidInput::new("base_url", "must not contain credentials").into());
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(InvalidInput::new("base_url", "must not have a query or fragment").into());
    }
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" => {}
        "http" if loopback || allow_insecure_http => {}
        "http" => {
            return Err(InvalidInput::new(
                "base_url",
                "plain http:// is allowed only for loopback hosts (use https://, or allow_insecure_http(true))",
            )
            .into());
        }
        other => {
            return Err(
                InvalidInput::new("base_url", format!("unsupported scheme `{other}`")).into(),
            );
        }
    }
    Ok((url.trim_end_matches('/').to_string(), parsed))
}
