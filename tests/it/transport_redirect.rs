//! The `api-key` header never reaches another origin, even through a redirect.

use playflow::Error;
use playflow::raw::operations as ops;
use playflow_test_support::*;

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed_and_never_carries_the_key() {
    let elsewhere = TestServer::start(|_| Reply::server(200)).await;
    let target = format!("{}/api/v3/servers/s-1", elsewhere.url());
    let api =
        TestServer::start(move |_| Reply::json(302, "").header("location", target.clone())).await;

    let err = client(api.url()).servers().get("s-1").await.unwrap_err();

    // The second server saw nothing at all, so certainly no key.
    assert_eq!(elsewhere.count(), 0);
    assert!(
        elsewhere
            .requests()
            .iter()
            .all(|s| s.header("api-key").is_none())
    );
    // The caller gets the 302 as an error naming only the target's origin.
    assert_eq!(err.status(), Some(302));
    assert!(!err.is_retryable());
    let Error::Api(api_error) = &err else {
        panic!("expected Api, got {err:?}")
    };
    assert_eq!(api_error.operation, ops::GET_SERVER.name);
    let text = err.to_string();
    assert!(text.contains(elsewhere.url()), "{text}");
    assert!(!text.contains("/api/v3/servers/s-1"), "{text}");
    // The first server got the key, once (a 302 is not retried).
    assert_eq!(api.count(), 1);
    assert_eq!(api.requests()[0].header("api-key"), Some(SERVER_KEY));
}

#[tokio::test]
async fn an_injected_client_with_the_redirect_policy_is_as_safe() {
    let elsewhere = TestServer::start(|_| Reply::server(200)).await;
    let target = format!("{}/api/v3/servers/s-1", elsewhere.url());
    let api =
        TestServer::start(move |_| Reply::json(307, "").header("location", target.clone())).await;
    let http = reqwest::Client::builder()
        .redirect(playflow::redirect_policy())
        .build()
        .unwrap();
    let client = client_builder(api.url()).http_client(http).build().unwrap();

    let err = client.servers().get("s-1").await.unwrap_err();
    assert_eq!(err.status(), Some(307));
    assert_eq!(elsewhere.count(), 0);
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed_with_the_key() {
    let api = TestServer::start(|seen| {
        if seen.path.ends_with("/old") {
            Reply::json(307, "").header("location", "/api/v3/servers/s-1")
        } else {
            Reply::server(200)
        }
    })
    .await;
    let server = client(api.url()).servers().get("old").await.unwrap();
    assert_eq!(server.instance_id, "s-1");
    let seen = api.requests();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|s| s.header("api-key") == Some(SERVER_KEY)));
}

#[tokio::test]
async fn a_loop_of_redirects_ends() {
    let api = TestServer::start(|seen| {
        Reply::json(307, "").header("location", format!("{}x", seen.path))
    })
    .await;
    let err = client(api.url()).servers().get("s-1").await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(!err.is_retryable());
    assert!(api.count() <= 7, "{}", api.count());
}
