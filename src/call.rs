//! One facade call of a generated operation: run it in the transport's call scope, and convert
//! its result, classifying an error with what the transport saw of the call.

use std::future::Future;

use progenitor_client::ResponseValue;
use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorBody, Locate, from_raw};
use crate::raw::operations::Operation;
use crate::raw::types;
use crate::transport::{call_scope, headers};

/// Await a generated call and convert its result. `operation` names it in errors and traces;
/// a body that does not decode is reported with the JSON path of the value at fault. It is a
/// generated constant, so a renamed operation fails to compile here instead of silently naming
/// an operation that no longer exists.
pub(crate) async fn send<T, E, F>(operation: Operation, call: F) -> Result<T, Error>
where
    T: DeserializeOwned,
    E: ErrorBody,
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
{
    run(operation.name, call, Some(locate::<T>)).await
}

/// [`send`] for a call whose answer is not JSON (the lobby event stream).
pub(crate) async fn send_any<T, E, F>(operation: Operation, call: F) -> Result<T, Error>
where
    E: ErrorBody,
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
{
    run(operation.name, call, None).await
}

async fn run<T, E, F>(operation: &'static str, call: F, locate: Option<Locate>) -> Result<T, Error>
where
    E: ErrorBody,
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
{
    // On the heap: the generated call with the transport's retry loop and body reading is
    // tens of KiB in a debug build, and a caller that awaits several facade calls in one
    // async fn would otherwise carry them all (a test body overflowed its 2 MiB thread).
    Box::pin(call_scope::scope(async move {
        call.await
            .map(ResponseValue::into_inner)
            .map_err(|e| from_raw(e, operation, &call_scope::context(), locate))
    }))
    .await
}

/// Where `body` stops decoding as a `T`: decoded again, only after progenitor's decode
/// failed, through `serde_path_to_error`, which tracks the path serde was at.
fn locate<T: DeserializeOwned>(body: &[u8]) -> Option<String> {
    let mut json = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut json) {
        Ok(_) => None,
        Err(e) => Some(e.path().to_string()),
    }
}

/// An error of the generated client ([`Client::raw`](crate::Client::raw)), classified as the
/// facade's calls are (a 403 is [`Error::Forbidden`], an HTML 502 is an [`Error::Api`] of
/// status 502, ...) and scrubbed of secrets the same way, so `?` works on escape-hatch calls.
/// The error names the generated operation (e.g. `get_server`) when the transport saw the
/// call, else `raw`; [`Error::is_retryable`] counts an operation it cannot name as not
/// idempotent.
///
/// ```no_run
/// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
/// // A client key may not read the project settings: PlayFlow answers 403.
/// let settings = client.raw().get_project_settings().send().await?;
/// # let _ = settings; Ok(()) }
/// ```
impl From<progenitor_client::Error<types::Error>> for Error {
    fn from(e: progenitor_client::Error<types::Error>) -> Self {
        use progenitor_client::Error as Raw;
        // No call scope here: what the transport recorded of this caller's last raw call
        // (status, operation, key), corrected by what the error itself carries.
        let mut context = call_scope::take_raw().unwrap_or_default();
        match &e {
            Raw::ErrorResponse(rv) => {
                context.last_response =
                    Some(headers::response_info(rv.status().as_u16(), rv.headers()));
            }
            Raw::UnexpectedResponse(r) => {
                context.last_response =
                    Some(headers::response_info(r.status().as_u16(), r.headers()));
            }
            // Only the recorded status is known (progenitor drops it).
            Raw::InvalidResponsePayload(..) => {}
            _ => context.last_response = None,
        }
        let operation = if context.operation.is_empty() {
            "raw"
        } else {
            context.operation
        };
        from_raw(e, operation, &context, None)
    }
}
