//! Parsing API keys: malformed input gets a clear error that names the expected prefix and
//! never echoes the key; keys print redacted.

use playflow::{ApiKey, ClientKey, KeyError, KeyKind, ServerKey};

const SERVER: &str = "pf_9f8e7d6c5b4a39281706SECRET";
const CLIENT: &str = "pfclient_9f8e7d6c5b4a39281706SECRET";

/// Every way an error can be printed.
fn all_texts(err: &KeyError) -> Vec<String> {
    vec![format!("{err}"), format!("{err:?}"), format!("{err:#?}")]
}

fn assert_never_echoed(err: &KeyError, input: &str) {
    let body = input.trim();
    // The characters after the prefix are the secret part.
    let secret = body
        .strip_prefix("pfclient_")
        .or_else(|| body.strip_prefix("pf_"))
        .unwrap_or(body);
    // Not the secret, nor any six characters of it.
    let chars: Vec<char> = secret.chars().collect();
    for text in all_texts(err) {
        assert!(!text.contains(secret), "{input:?} echoed in {text}");
        for window in chars.windows(6) {
            let piece: String = window.iter().collect();
            assert!(
                !text.contains(&piece),
                "{piece:?} of {input:?} echoed in {text}"
            );
        }
    }
}

#[test]
fn valid_keys_parse() {
    let server = ServerKey::new(SERVER).unwrap();
    assert_eq!(server.kind(), KeyKind::Server);
    assert_eq!(ServerKey::KIND, KeyKind::Server);
    let client: ClientKey = CLIENT.parse().unwrap();
    assert_eq!(client.kind(), KeyKind::Client);
    // Surrounding whitespace (a newline from a file or a copy) is tolerated.
    assert!(ServerKey::new(format!("  {SERVER}\n")).is_ok());
}

#[test]
fn empty_and_blank_keys_are_refused() {
    assert_eq!(ServerKey::new("").unwrap_err(), KeyError::Empty);
    assert_eq!(ClientKey::new(" \t\n").unwrap_err(), KeyError::Empty);
}

#[test]
fn whitespace_and_control_characters_inside_are_refused() {
    for bad in [
        "pf_9f8e7d6c 5b4a39281706",
        "pf_9f8e7d6c\t5b4a39281706",
        "pf_9f8e7d6c\n5b4a39281706",
        "pf_9f8e7d6c\u{7f}5b4a39281706",
    ] {
        let err = ServerKey::new(bad).unwrap_err();
        assert_eq!(err, KeyError::InvalidCharacters, "{bad:?}");
        assert_never_echoed(&err, bad);
    }
}

#[test]
fn non_ascii_is_refused() {
    for bad in [
        "pf_clé9f8e7d6c5b4a3928",
        "pfclient_９f8e7d6c5b4a3928",
        "pf_🔑9f8e7d6c5b4a3928",
    ] {
        let err = if bad.starts_with("pfclient_") {
            ClientKey::new(bad).unwrap_err()
        } else {
            ServerKey::new(bad).unwrap_err()
        };
        assert_eq!(err, KeyError::InvalidCharacters, "{bad:?}");
        assert_never_echoed(&err, bad);
    }
}

#[test]
fn a_client_key_is_not_a_server_key() {
    let err = ServerKey::new(CLIENT).unwrap_err();
    assert_eq!(
        err,
        KeyError::WrongKind {
            expected: KeyKind::Server,
            found: Some(KeyKind::Client)
        }
    );
    let text = err.to_string();
    assert!(text.contains("`pf_`"), "{text}");
    assert!(text.contains("client key"), "{text}");
    assert_never_echoed(&err, CLIENT);
}

#[test]
fn a_server_key_is_not_a_client_key() {
    let err = ClientKey::new(SERVER).unwrap_err();
    assert_eq!(
        err,
        KeyError::WrongKind {
            expected: KeyKind::Client,
            found: Some(KeyKind::Server)
        }
    );
    assert!(err.to_string().contains("`pfclient_`"), "{err}");
    assert_never_echoed(&err, SERVER);
}

#[test]
fn an_unknown_prefix_names_the_expected_one() {
    for (bad, expected) in [
        ("sk_live_9f8e7d6c5b4a39281706", "`pf_`"),
        ("PF_9f8e7d6c5b4a39281706", "`pf_`"),
        ("9f8e7d6c5b4a39281706", "`pf_`"),
    ] {
        let err = ServerKey::new(bad).unwrap_err();
        assert_eq!(
            err,
            KeyError::WrongKind {
                expected: KeyKind::Server,
                found: None
            }
        );
        assert!(err.to_string().contains(expected), "{err}");
        assert_never_echoed(&err, bad);
    }
    let err = ClientKey::new("pfclien_9f8e7d6c5b4a39281706").unwrap_err();
    assert!(err.to_string().contains("`pfclient_`"), "{err}");
}

#[test]
fn a_prefix_alone_is_refused() {
    assert_eq!(
        ServerKey::new("pf_").unwrap_err(),
        KeyError::MissingBody {
            kind: KeyKind::Server
        }
    );
    assert_eq!(
        ClientKey::new("pfclient_").unwrap_err(),
        KeyError::MissingBody {
            kind: KeyKind::Client
        }
    );
    // A client prefix alone is still a client key's prefix, not a server key.
    assert!(matches!(
        ServerKey::new("pfclient_").unwrap_err(),
        KeyError::WrongKind { .. }
    ));
    assert!(
        ServerKey::new("pf_")
            .unwrap_err()
            .to_string()
            .contains("`pf_`")
    );
}

#[test]
fn keys_print_at_most_their_last_four_characters() {
    let server = ServerKey::new(SERVER).unwrap();
    let client = ClientKey::new(CLIENT).unwrap();
    assert_eq!(server.to_string(), "pf_…CRET");
    assert_eq!(format!("{server:?}"), "ServerKey(pf_…CRET)");
    assert_eq!(client.to_string(), "pfclient_…CRET");
    assert_eq!(format!("{client:?}"), "ClientKey(pfclient_…CRET)");
    for text in [
        format!("{server}"),
        format!("{server:?}"),
        format!("{server:#?}"),
        format!("{client}"),
        format!("{client:?}"),
    ] {
        assert!(!text.contains("SECRET"), "{text}");
        assert!(!text.contains("9f8e"), "{text}");
    }
    // A short key shows nothing of its body.
    let short = ServerKey::new("pf_abcdefgh").unwrap();
    assert_eq!(short.to_string(), "pf_…");
}

/// All environment cases in one test: tests run in parallel threads of one process, and the
/// environment is process-wide.
#[test]
fn from_env_explains_missing_and_wrong_keys() {
    // SAFETY: no other test of this binary reads or writes the environment.
    unsafe { std::env::remove_var(playflow::API_KEY_ENV) };
    unsafe { std::env::remove_var(playflow::BASE_URL_ENV) };
    let err = ServerKey::from_env().unwrap_err();
    assert_eq!(
        err,
        KeyError::MissingEnv {
            var: "PLAYFLOW_API_KEY"
        }
    );
    assert!(err.to_string().contains("PLAYFLOW_API_KEY"), "{err}");
    assert!(ClientKey::from_env().is_err());

    // SAFETY: as above.
    unsafe { std::env::set_var(playflow::API_KEY_ENV, CLIENT) };
    let err = ServerKey::from_env().unwrap_err();
    let text = err.to_string();
    assert!(text.contains("PLAYFLOW_API_KEY"), "{text}");
    assert!(text.contains("`pf_`"), "{text}");
    assert!(text.contains("for_game_client"), "{text}");
    assert_never_echoed(&err, CLIENT);
    let source = std::error::Error::source(&err).expect("the parse error is the source");
    assert!(source.to_string().contains("client key"));
    assert_eq!(ClientKey::from_env().unwrap().kind(), KeyKind::Client);
    // The facade's constructor reports it as invalid input, still without the key.
    let err = playflow::Client::from_env().unwrap_err();
    assert!(matches!(err, playflow::Error::InvalidInput(_)), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("SECRET"));

    // SAFETY: as above.
    unsafe { std::env::set_var(playflow::API_KEY_ENV, SERVER) };
    let err = ClientKey::from_env().unwrap_err();
    assert!(err.to_string().contains("never ship a server key"), "{err}");
    assert_never_echoed(&err, SERVER);
    assert!(ServerKey::from_env().is_ok());
    assert!(playflow::Client::from_env().is_ok());
    // PLAYFLOW_BASE_URL is read too; a bad one names the variable and what to set.
    unsafe { std::env::set_var(playflow::BASE_URL_ENV, "http://127.0.0.1:8080/") };
    assert_eq!(
        playflow::Client::from_env().unwrap().base_url(),
        "http://127.0.0.1:8080"
    );
    unsafe { std::env::set_var(playflow::BASE_URL_ENV, "http://example.com") };
    let text = playflow::Client::from_env().unwrap_err().to_string();
    assert!(text.contains("PLAYFLOW_BASE_URL"), "{text}");
    assert!(
        text.contains("set PLAYFLOW_BASE_URL to an https:// URL"),
        "{text}"
    );
    assert!(!text.contains("allow_insecure_http"), "{text}");
    unsafe { std::env::remove_var(playflow::BASE_URL_ENV) };

    // SAFETY: as above.
    unsafe { std::env::set_var(playflow::API_KEY_ENV, "pf_has space inside") };
    let err = ServerKey::from_env().unwrap_err();
    assert!(matches!(err, KeyError::InvalidEnv { .. }), "{err:?}");
    assert_never_echoed(&err, "pf_has space inside");
    unsafe { std::env::remove_var(playflow::API_KEY_ENV) };
}
