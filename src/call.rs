//! One facade call of a generated operation: run it in the transport's call scope, and convert
//! its result, classifying an error with what the transport saw of the call.

use std::future::Future;

use progenitor_client::ResponseValue;

use crate::error::{CallContext, Error, ErrorBody, from_raw};
use crate::raw::operations::Operation;
use crate::raw::types;
use crate::transport::{call_scope, headers};

/// Await a generated call and convert its result. `operation` names it in errors and traces;
/// it is a generated constant, so a renamed operation fails to compile here instead of
/// silently naming an operation that no longer exists.
pub(crate) async fn send<T, E, F>(operation: Operation, call: F) -> Result<T, Error>
where
    E: ErrorBody,
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
{
    call_scope::scope(async move {
        call.await
            .map(ResponseValue::into_inner)
            .map_err(|e| from_raw(e, operation.name, &call_scope::context()))
    })
    .await
}

/// An error of the generated client ([`Client::raw`](crate::Client::raw)), classified as the
/// facade's calls are (a 403 is [`Error::Forbidden`], ...), so `?` works on escape-hatch calls.
/// The operation is named `raw` in the error.
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
        // No call scope here: what the error itself carries of its response is all there is.
        let last_response = match &e {
            Raw::ErrorResponse(rv) => {
                Some(headers::response_info(rv.status().as_u16(), rv.headers()))
            }
            Raw::UnexpectedResponse(r) => {
                Some(headers::response_info(r.status().as_u16(), r.headers()))
            }
            _ => None,
        };
        let context = CallContext {
            last_response,
            ..CallContext::default()
        };
        from_raw(e, "raw", &context)
    }
}
