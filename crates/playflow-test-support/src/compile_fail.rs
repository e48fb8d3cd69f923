//! What a game-client key cannot even express: the server-only calls do not exist on
//! `Client<ClientKey>`, and neither key kind makes the other's client.
//!
//! Each case is a `compile_fail` doctest carrying the error code it fails with, one failing call
//! per test (a test with two failing lines would pass if only one of them failed), next to a twin
//! that compiles: the same call, with the same arguments, through a server-key client, and the
//! shared setup below compiles too. So a case can only fail on its one call, because the method
//! does not exist for the key kind, and not because a name or a signature changed. (Stable
//! rustdoc does not compare the error codes, only nightly does; the twins are what keep a case
//! honest on stable.) They are doctests of this crate, which depends
//! on `playflow`, because rustdoc compiles each against the already built library in a second or
//! so, where trybuild built the crate and its dependencies again in a project of its own.
//!
//! The setup every case shares compiles, and a game client has the calls a game client needs:
//!
//! ```no_run
//! use playflow::{Client, ClientKey};
//! let client: Client<ClientKey> =
//!     Client::for_game_client(ClientKey::new("pfclient_1234567890abcdef1234").unwrap()).unwrap();
//! let _ = client.servers().get("9b2f6c1e");
//! let _ = client.servers().list();
//! let _ = client.lobbies("casual").browse();
//! ```
//!
//! # Builds (upload, process, delete) need the server key
//!
//! ```compile_fail,E0599
//! # use playflow::{Client, ClientKey};
//! # let client = Client::for_game_client(ClientKey::new("pfclient_1234567890abcdef1234").unwrap()).unwrap();
//! let _ = client.builds();
//! ```
//!
//! ```no_run
//! # use playflow::{Client, ServerKey};
//! # let client = Client::new(ServerKey::new("pf_1234567890abcdef1234").unwrap()).unwrap();
//! let _ = client.builds();
//! ```
//!
//! # Project settings and project logs need the server key
//!
//! ```compile_fail,E0599
//! # use playflow::{Client, ClientKey};
//! # let client = Client::for_game_client(ClientKey::new("pfclient_1234567890abcdef1234").unwrap()).unwrap();
//! let _ = client.project();
//! ```
//!
//! ```no_run
//! # use playflow::{Client, ServerKey};
//! # let client = Client::new(ServerKey::new("pf_1234567890abcdef1234").unwrap()).unwrap();
//! let _ = client.project();
//! ```
//!
//! # Stopping and restarting servers need the server key
//!
//! ```compile_fail,E0599
//! # use playflow::{Client, ClientKey};
//! # let client = Client::for_game_client(ClientKey::new("pfclient_1234567890abcdef1234").unwrap()).unwrap();
//! let _ = client.servers().stop("9b2f6c1e").reason("match over");
//! ```
//!
//! ```compile_fail,E0599
//! # use playflow::{Client, ClientKey};
//! # let client = Client::for_game_client(ClientKey::new("pfclient_1234567890abcdef1234").unwrap()).unwrap();
//! let _ = client.servers().restart("9b2f6c1e", Default::default());
//! ```
//!
//! ```no_run
//! # use playflow::{Client, ServerKey};
//! # let client = Client::new(ServerKey::new("pf_1234567890abcdef1234").unwrap()).unwrap();
//! let _ = client.servers().stop("9b2f6c1e").reason("match over");
//! let _ = client.servers().restart("9b2f6c1e", Default::default());
//! ```
//!
//! # A server's custom data, logs and metrics need the server key
//!
//! ```compile_fail,E0599
//! # use playflow::{Client, ClientKey};
//! # let client = Client::for_game_client(ClientKey::new("pfclient_1234567890abcdef1234").unwrap()).unwrap();
//! let _ = client.servers().update_custom_data("9b2f6c1e", serde_json::Map::new());
//! ```
//!
//! ```compile_fail,E0599
//! # use playflow::{Client, ClientKey};
//! # let client = Client::for_game_client(ClientKey::new("pfclient_1234567890abcdef1234").unwrap()).unwrap();
//! let _ = client.servers().logs_page("9b2f6c1e", None, None);
//! ```
//!
//! ```compile_fail,E0599
//! # use playflow::{Client, ClientKey};
//! # let client = Client::for_game_client(ClientKey::new("pfclient_1234567890abcdef1234").unwrap()).unwrap();
//! let _ = client.servers().metrics("9b2f6c1e").period(playflow::servers::MetricsPeriod::Hour);
//! ```
//!
//! ```compile_fail,E0599
//! # use playflow::{Client, ClientKey};
//! # let client = Client::for_game_client(ClientKey::new("pfclient_1234567890abcdef1234").unwrap()).unwrap();
//! let _ = client.servers().logs("9b2f6c1e");
//! ```
//!
//! ```no_run
//! # use playflow::{Client, ServerKey};
//! # let client = Client::new(ServerKey::new("pf_1234567890abcdef1234").unwrap()).unwrap();
//! let _ = client.servers().update_custom_data("9b2f6c1e", serde_json::Map::new());
//! #[allow(deprecated)]
//! let _ = client.servers().logs_page("9b2f6c1e", None, None);
//! let _ = client.servers().metrics("9b2f6c1e").period(playflow::servers::MetricsPeriod::Hour);
//! let _ = client.servers().logs("9b2f6c1e");
//! ```
//!
//! # Reading or deleting any lobby by id (admin) needs the server key
//!
//! ```compile_fail,E0599
//! # use playflow::{Client, ClientKey};
//! # let client = Client::for_game_client(ClientKey::new("pfclient_1234567890abcdef1234").unwrap()).unwrap();
//! let _ = client.lobbies("casual").get("lobby-1");
//! ```
//!
//! ```compile_fail,E0599
//! # use playflow::{Client, ClientKey};
//! # let client = Client::for_game_client(ClientKey::new("pfclient_1234567890abcdef1234").unwrap()).unwrap();
//! let _ = client.lobbies("casual").delete("lobby-1");
//! ```
//!
//! ```no_run
//! # use playflow::{Client, ServerKey};
//! # let client = Client::new(ServerKey::new("pf_1234567890abcdef1234").unwrap()).unwrap();
//! let _ = client.lobbies("casual").get("lobby-1");
//! let _ = client.lobbies("casual").delete("lobby-1");
//! ```
//!
//! # A client key cannot make a server-key client, nor the other way round
//!
//! ```compile_fail,E0308
//! # use playflow::{Client, ClientKey};
//! let client_key = ClientKey::new("pfclient_1234567890abcdef1234").unwrap();
//! let _ = Client::new(client_key);
//! ```
//!
//! ```compile_fail,E0308
//! # use playflow::{Client, ServerKey};
//! let server_key = ServerKey::new("pf_1234567890abcdef1234").unwrap();
//! let _ = Client::for_game_client(server_key);
//! ```
//!
//! ```no_run
//! # use playflow::{Client, ClientKey, ServerKey};
//! let server_key = ServerKey::new("pf_1234567890abcdef1234").unwrap();
//! let _ = Client::new(server_key);
//! let client_key = ClientKey::new("pfclient_1234567890abcdef1234").unwrap();
//! let _ = Client::for_game_client(client_key);
//! ```
//!
//! # An open enum's unknown value is sealed
//!
//! `Unknown` cannot be built outside `playflow` (its value's field is private), so no code can
//! pass a string off as a value this version does not know:
//!
//! ```compile_fail,E0423
//! use playflow::raw::enums::{ServerStatus, UnknownValue};
//! let _forged = ServerStatus::Unknown(UnknownValue("running".to_owned()));
//! ```
//!
//! and matching on it is deprecated (denied here, as a user's CI would), so code names the
//! value instead (`other if other.as_str() == "…"`):
//!
//! ```compile_fail
//! #![deny(deprecated)]
//! use playflow::raw::enums::ServerStatus;
//! let status = ServerStatus::from("hibernating");
//! let _matched = matches!(status, ServerStatus::Unknown(_));
//! ```
//!
//! ```
//! use playflow::raw::enums::ServerStatus;
//! let status = ServerStatus::from("hibernating");
//! assert!(!status.is_known());
//! assert_eq!(status.as_str(), "hibernating");
//! #[allow(deprecated)]
//! let matched = matches!(status, ServerStatus::Unknown(_));
//! assert!(matched);
//! ```
