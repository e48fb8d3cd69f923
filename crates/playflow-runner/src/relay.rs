//! Relays from the external loopback ports into a game server's internal ports.
//!
//! TCP: each accepted connection gets its own inner connection (after the TLS handshake on a
//! `tls` port). UDP: each outer peer address gets its own inner socket, so the game sees one
//! client per player, as behind PlayFlow's own proxy; it is dropped after an idle timeout.

use std::collections::HashMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpSocket, TcpStream, UdpSocket};
use tokio::task::JoinSet;
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;

use crate::isolation::{Namespace, NamespaceWorker, NamespacedSocket, SocketKind};
use crate::userns::SocketHelper;

/// At most this many relayed TCP connections per port; further ones are closed at once.
const MAX_TCP_CONNECTIONS: usize = 1024;
/// At most this many UDP peers per port; datagrams from further peers are dropped.
const MAX_UDP_PEERS: usize = 1024;
/// Largest UDP datagram.
const DATAGRAM: usize = 65536;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a relay's inner sockets go: a port inside a namespace, or on the host.
pub(crate) struct Inner {
    pub(crate) target: Target,
    pub(crate) port: u16,
}

pub(crate) enum Target {
    /// Inside the game's namespace (`None`: the process was gone before it could be opened).
    Namespace {
        namespace: Option<Namespace>,
        worker: NamespaceWorker,
    },
    /// Inside the game's user and network namespaces, through its socket helper.
    Helper(SocketHelper),
    /// On the host's network (no isolation).
    Host,
}

impl Inner {
    fn address(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    async fn namespaced(&self, kind: SocketKind) -> io::Result<Option<NamespacedSocket>> {
        match &self.target {
            Target::Host => Ok(None),
            Target::Helper(helper) => helper.socket(kind).await.map(Some),
            Target::Namespace {
                namespace: Some(namespace),
                worker,
            } => worker.socket(namespace, kind).await.map(Some),
            Target::Namespace {
                namespace: None, ..
            } => Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the game process has exited",
            )),
        }
    }

    async fn tcp(&self) -> io::Result<TcpStream> {
        let socket = match self.namespaced(SocketKind::Tcp).await? {
            Some(NamespacedSocket::Tcp(socket)) => socket,
            Some(NamespacedSocket::Udp(_)) => return Err(io::Error::other("wrong socket kind")),
            None => TcpSocket::new_v4()?,
        };
        timeout(CONNECT_TIMEOUT, socket.connect(self.address()))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connecting to the game"))?
    }

    async fn udp(&self) -> io::Result<UdpSocket> {
        let socket = match self.namespaced(SocketKind::Udp).await? {
            Some(NamespacedSocket::Udp(socket)) => socket,
            Some(NamespacedSocket::Tcp(_)) => return Err(io::Error::other("wrong socket kind")),
            None => std::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?,
        };
        socket.set_nonblocking(true)?;
        let socket = UdpSocket::from_std(socket)?;
        socket.connect(self.address()).await?;
        Ok(socket)
    }
}

/// Accepts connections on `listener` and relays each one into the game.
pub(crate) async fn tcp(listener: TcpListener, inner: Arc<Inner>, tls: Option<TlsAcceptor>) {
    // Owned here: when the relay is aborted, every connection it started goes with it.
    let mut connections = JoinSet::new();
    loop {
        let outer = match listener.accept().await {
            Ok((outer, _)) => outer,
            // Out of file descriptors and the like: back off instead of spinning.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        while connections.try_join_next().is_some() {}
        if connections.len() >= MAX_TCP_CONNECTIONS {
            continue;
        }
        let inner = inner.clone();
        let tls = tls.clone();
        connections.spawn(async move {
            let _ = relay_connection(outer, &inner, tls).await;
        });
    }
}

async fn relay_connection(
    outer: TcpStream,
    inner: &Inner,
    tls: Option<TlsAcceptor>,
) -> io::Result<()> {
    let _ = outer.set_nodelay(true);
    match tls {
        Some(acceptor) => {
            let mut outer = timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(outer))
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "TLS handshake"))??;
            let mut game = inner.tcp().await?;
            let _ = game.set_nodelay(true);
            copy_bidirectional(&mut outer, &mut game).await?;
        }
        None => {
            let mut outer = outer;
            let mut game = inner.tcp().await?;
            let _ = game.set_nodelay(true);
            copy_bidirectional(&mut outer, &mut game).await?;
        }
    }
    Ok(())
}

/// One outer peer's inner socket.
struct Peer {
    socket: UdpSocket,
    /// Milliseconds since `epoch` of the last datagram either way.
    last_seen: AtomicU64,
}

type Peers = Arc<Mutex<HashMap<SocketAddr, Arc<Peer>>>>;

/// Relays datagrams between `outer` and the game, one inner socket per outer peer.
pub(crate) async fn udp(outer: UdpSocket, inner: Arc<Inner>, idle: Duration) {
    let outer = Arc::new(outer);
    let epoch = Instant::now();
    let peers: Peers = Arc::default();
    let mut returns = JoinSet::new();
    let mut datagram = vec![0u8; DATAGRAM];
    loop {
        let Ok((size, from)) = outer.recv_from(&mut datagram).await else {
            tokio::time::sleep(Duration::from_millis(1)).await;
            continue;
        };
        let known = peers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&from)
            .cloned();
        let peer = match known {
            Some(peer) => peer,
            None => {
                while returns.try_join_next().is_some() {}
                if returns.len() >= MAX_UDP_PEERS {
                    continue;
                }
                let Ok(socket) = inner.udp().await else {
                    continue;
                };
                let peer = Arc::new(Peer {
                    socket,
                    last_seen: AtomicU64::new(0),
                });
                peers
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(from, peer.clone());
                returns.spawn(send_back(
                    peer.clone(),
                    outer.clone(),
                    from,
                    peers.clone(),
                    epoch,
                    idle,
                ));
                peer
            }
        };
        peer.last_seen
            .store(epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
        let _ = peer.socket.send(&datagram[..size]).await;
    }
}

/// Copies the game's answers to one peer back out, until the peer has been idle for `idle`.
async fn send_back(
    peer: Arc<Peer>,
    outer: Arc<UdpSocket>,
    to: SocketAddr,
    peers: Peers,
    epoch: Instant,
    idle: Duration,
) {
    let mut datagram = vec![0u8; DATAGRAM];
    loop {
        match timeout(idle, peer.socket.recv(&mut datagram)).await {
            Ok(Ok(size)) => {
                peer.last_seen
                    .store(epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
                let _ = outer.send_to(&datagram[..size], to).await;
            }
            // ECONNREFUSED (the game's port was not bound yet when a datagram went in): the
            // next datagram may find it bound. Pause a little so a lasting error cannot spin.
            Ok(Err(_)) => tokio::time::sleep(Duration::from_millis(1)).await,
            Err(_) => {
                let last = Duration::from_millis(peer.last_seen.load(Ordering::Relaxed));
                if epoch.elapsed().saturating_sub(last) >= idle {
                    break;
                }
            }
        }
    }
    peers.lock().unwrap_or_else(|p| p.into_inner()).remove(&to);
}
