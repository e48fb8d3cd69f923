//! Reading or deleting any lobby by id (admin) needs the server key.
use playflow::{Client, ClientKey};

fn game_client() -> Client<ClientKey> {
    Client::for_game_client(ClientKey::new("pfclient_1234567890abcdef1234").unwrap()).unwrap()
}

fn main() {
    let client = game_client();
    let _ = client.lobbies("casual").get("lobby-1");
    let _ = client.lobbies("casual").delete("lobby-1");
}
