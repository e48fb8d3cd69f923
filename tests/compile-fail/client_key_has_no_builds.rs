//! Builds (upload, process, delete) need the server key.
use playflow::{Client, ClientKey};

fn game_client() -> Client<ClientKey> {
    Client::for_game_client(ClientKey::new("pfclient_1234567890abcdef1234").unwrap()).unwrap()
}

fn main() {
    let client = game_client();
    let _ = client.builds();
}
