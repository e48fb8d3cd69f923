//! The data types the facade takes and returns.
//!
//! They are the generated types of [`crate::raw::types`] under stable names: when the live spec
//! renames a schema, only these aliases change, not your code.

use crate::raw::{enums, types};

/// A game-server instance.
pub type Server = types::Server;
/// A game port of a running server, with its public host and port.
pub type NetworkPort = types::NetworkPort;
/// A port to open on a server (name, internal port, protocol, TLS).
pub type PortConfig = types::PortConfig;
/// The body of a server start.
pub type StartServerRequest = types::StartServerRequest;
/// Overrides for a server restart.
pub type RestartServerRequest = types::RestartServerRequest;
/// A page of servers.
pub type ServerList = types::ServerList;
/// The answer to a server stop.
pub type StopServerResponse = types::StopServerResponse;
/// A page of a server's logs.
pub type ServerLogs = types::ServerLogs;
/// One log line.
pub type LogEntry = types::LogEntry;
/// A server's metrics (an open JSON object; its shape is not documented).
pub type ServerMetrics = types::ServerMetrics;
/// A build of the game server.
pub type Build = types::Build;
/// A page of builds.
pub type BuildList = types::BuildList;
/// A registered build and the presigned URL to PUT its ZIP to.
pub type BuildUploadUrl = types::BuildUploadUrl;
/// The body of a build from a Docker image.
pub type DockerImageBuildRequest = types::DockerImageBuildRequest;
/// Registry credentials for a Docker-image build.
pub type RegistryCredentials = types::RegistryCredentials;
/// The answer to processing a build.
pub type BuildActionResponse = types::BuildActionResponse;
/// The answer to deleting a build.
pub type DeleteBuildResponse = types::DeleteBuildResponse;
/// A build's logs (an open JSON object).
pub type BuildLogs = types::BuildLogs;
/// The project's settings.
pub type ProjectSettings = types::ProjectSettings;
/// A lobby configuration of the project settings (name, timeouts, matchmaking modes).
///
/// ```
/// # fn demo(settings: playflow::model::ProjectSettings) {
/// for config in &settings.lobby_configs {
///     let _: &playflow::model::LobbyConfig = config;
///     println!("{:?} closes after {:?} idle", config.name, config.timeout());
/// }
/// # }
/// ```
pub type LobbyConfig = types::LobbyConfig;
/// Changes to the project's settings.
pub type UpdateProjectSettingsRequest = types::UpdateProjectSettingsRequest;
/// A page of the project's logs.
pub type ProjectLogs = types::ProjectLogs;
/// A lobby.
pub type Lobby = types::Lobby;
/// A member of a lobby.
pub type LobbyPlayer = types::LobbyPlayer;
/// The server block of a lobby whose game started.
pub type LobbyServer = types::LobbyServer;
/// A lobby's matchmaking progress: mode, start, queue statistics, match confirmation.
///
/// ```
/// # fn demo(lobby: playflow::model::Lobby) {
/// if let Some(progress) = &lobby.matchmaking {
///     let _: &playflow::model::LobbyMatchmaking = progress;
///     println!("searching {:?} since {:?}", progress.mode, progress.started_at());
/// }
/// # }
/// ```
pub type LobbyMatchmaking = types::LobbyMatchmaking;
/// The confirmation a found match awaits: its deadline, and whether this lobby confirmed.
///
/// ```
/// # fn demo(progress: playflow::model::LobbyMatchmaking) {
/// if let Some(confirmation) = &progress.confirmation {
///     let _: &playflow::model::MatchConfirmation = confirmation;
///     println!("confirm by {:?}", confirmation.deadline());
/// }
/// # }
/// ```
pub type MatchConfirmation = types::MatchConfirmation;
/// Matchmaking queue statistics.
pub type QueueStats = types::QueueStats;
/// A page of lobbies.
pub type LobbyList = types::LobbyList;
/// The body of a lobby creation.
pub type CreateLobbyRequest = types::CreateLobbyRequest;
/// Changes to a lobby's settings (host only).
pub type UpdateLobbySettingsRequest = types::UpdateLobbySettingsRequest;
/// The answer to an admin lobby delete.
pub type DeleteLobbyResponse = types::DeleteLobbyResponse;
/// The answer of the health check.
pub type HealthStatus = types::HealthStatus;

/// A server's lifecycle state (open: new values decode as `Unknown`).
pub type ServerStatus = enums::ServerStatus;
/// A build's lifecycle state (open).
pub type BuildStatus = enums::BuildStatus;
/// A lobby's state (open).
pub type LobbyStatus = enums::LobbyStatus;
/// A machine size (open).
pub type ComputeSize = enums::ComputeSize;
/// Whether a server hosts matches or a persistent world (open).
///
/// ```
/// use playflow::model::ServerServiceType;
/// assert_eq!("match_based".parse::<ServerServiceType>().unwrap(), ServerServiceType::MatchBased);
/// ```
pub type ServerServiceType = enums::ServerServiceType;
/// `udp` or `tcp` (open).
pub type PortProtocol = enums::PortProtocol;

/// A generated builder's `try_into()` fails as [`Error::InvalidInput`](crate::Error), naming
/// the missing or invalid field, so `?` works in a function returning [`crate::Result`].
///
/// ```
/// fn request() -> playflow::Result<playflow::model::StartServerRequest> {
///     Ok(playflow::model::StartServerRequest::builder().region("eu-west").try_into()?)
/// }
/// let err = request().unwrap_err();
/// assert!(matches!(&err, playflow::Error::InvalidInput(input) if input.field == "name"), "{err}");
/// ```
impl From<types::error::ConversionError> for crate::Error {
    fn from(e: types::error::ConversionError) -> Self {
        let reason = e.to_string();
        // typify's messages end with the field: "no value supplied for name",
        // "error converting supplied value for region: …".
        let field = reason
            .split_once(" for ")
            .map(|(_, rest)| rest.split(':').next().unwrap_or(rest).trim().to_owned())
            .filter(|f| !f.is_empty() && !f.contains(' '))
            .unwrap_or_else(|| "request".to_owned());
        crate::InvalidInput::new(field, reason).into()
    }
}
