//! A server's custom data, logs and metrics need the server key.
use playflow::{Client, ClientKey};

fn game_client() -> Client<ClientKey> {
    Client::for_game_client(ClientKey::new("pfclient_1234567890abcdef1234").unwrap()).unwrap()
}

fn main() {
    let client = game_client();
    let _ = client.servers().update_custom_data("9b2f6c1e", Default::default());
    let _ = client.servers().logs_page("9b2f6c1e", None, None);
    let _ = client.servers().metrics("9b2f6c1e", None, None);
    let _ = client.servers().logs("9b2f6c1e");
}
