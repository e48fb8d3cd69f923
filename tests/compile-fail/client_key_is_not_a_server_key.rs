//! A client key cannot make a server-key client, nor the other way round.
use playflow::{Client, ClientKey, ServerKey};

fn main() {
    let client_key = ClientKey::new("pfclient_1234567890abcdef1234").unwrap();
    let _ = Client::new(client_key);
    let server_key = ServerKey::new("pf_1234567890abcdef1234").unwrap();
    let _ = Client::for_game_client(server_key);
}
