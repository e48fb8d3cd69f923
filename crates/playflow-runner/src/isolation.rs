//! Network isolation: one network namespace per game process, and the runner's way into it.
//!
//! A game process gets a fresh network namespace (`unshare(CLONE_NEWNET)` between fork and exec)
//! holding only a loopback interface, which it brings up. Inside, it binds whatever internal ports
//! it likes: two servers of one build both on 7777 do not meet. The runner keeps the namespace
//! open (`/proc/<pid>/ns/net`) and creates the relay's inner sockets in it from a dedicated thread
//! ([`NamespaceWorker`]): a socket stays in the namespace it was created in, whichever thread
//! later uses it.

use std::fmt;
use std::fs::File;
use std::io;
use std::os::fd::AsFd;
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;

use nix::sched::{CloneFlags, setns, unshare};
use nix::sys::socket::{AddressFamily, SockFlag, SockType, socket};
use tokio::sync::oneshot;

/// How the runner separates game servers' networks, as probed by [`Runner::new`](crate::Runner::new).
///
/// ```
/// use playflow_runner::Isolation;
///
/// let isolation = Isolation::probe();
/// // Printed once when an emulator starts: says plainly what two servers on one port will do.
/// println!("{isolation}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Isolation {
    /// Each game process has its own network namespace; its internal ports are its own (the
    /// runner has root or `CAP_SYS_ADMIN` and enters the namespaces itself).
    Namespaces,
    /// Each game process has its own user and network namespaces, made without root where the
    /// kernel allows unprivileged user namespaces; a small helper process inside each one hands
    /// the relay its sockets.
    UserNamespaces,
    /// Game processes share the host's network: internal ports are bound on the host as they are,
    /// so two servers on one internal port conflict (the second one's bind fails, and it never
    /// becomes listening). `reason` says why namespaces are not available.
    SharedHost {
        /// Why the runner could not create and enter network namespaces.
        reason: String,
    },
}

impl Isolation {
    /// Finds out how this process can isolate game servers: network namespaces it enters itself
    /// (root, or `CAP_SYS_ADMIN` + `CAP_NET_ADMIN`), else user namespaces (unprivileged, where
    /// the kernel allows), else none.
    ///
    /// ```
    /// let isolation = playflow_runner::Isolation::probe();
    /// assert!(matches!(
    ///     isolation,
    ///     playflow_runner::Isolation::Namespaces
    ///         | playflow_runner::Isolation::UserNamespaces
    ///         | playflow_runner::Isolation::SharedHost { .. }
    /// ));
    /// ```
    pub fn probe() -> Isolation {
        match probe_network_namespaces() {
            Ok(()) => Isolation::Namespaces,
            Err(root) => Isolation::probe_user_namespaces(Some(root)),
        }
    }

    /// User namespaces, or the shared host with both reasons.
    pub(crate) fn probe_user_namespaces(root: Option<String>) -> Isolation {
        match crate::userns::probe() {
            Ok(()) => Isolation::UserNamespaces,
            Err(error) => Isolation::SharedHost {
                reason: match root {
                    Some(root) => format!(
                        "{root} (network namespaces need root or CAP_SYS_ADMIN), and user namespaces are not available either ({error})"
                    ),
                    None => format!("user namespaces are not available ({error})"),
                },
            },
        }
    }

    /// Whether each game process gets its own network namespace.
    ///
    /// ```
    /// assert!(playflow_runner::Isolation::Namespaces.is_isolated());
    /// assert!(playflow_runner::Isolation::UserNamespaces.is_isolated());
    /// ```
    pub fn is_isolated(&self) -> bool {
        matches!(self, Isolation::Namespaces | Isolation::UserNamespaces)
    }
}

/// unshare(CLONE_NEWNET) moves only the calling thread: a throwaway thread tries the whole round
/// trip (new namespace, loopback up, back into the host's namespace).
fn probe_network_namespaces() -> Result<(), String> {
    let outcome = std::thread::spawn(|| -> io::Result<()> {
        let host = File::open("/proc/thread-self/ns/net")?;
        unshare(CloneFlags::CLONE_NEWNET).map_err(|e| annotate("unshare(CLONE_NEWNET)", e))?;
        loopback_up().map_err(|e| io::Error::new(e.kind(), format!("bringing lo up: {e}")))?;
        setns(host.as_fd(), CloneFlags::CLONE_NEWNET).map_err(|e| annotate("setns", e))?;
        Ok(())
    })
    .join();
    match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("the namespace probe panicked".to_owned()),
    }
}

impl fmt::Display for Isolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Isolation::Namespaces => f.write_str(
                "game servers run in their own network namespaces: each one's internal ports are its own",
            ),
            Isolation::UserNamespaces => f.write_str(
                "game servers run in their own user and network namespaces (no root needed): each one's internal ports are its own",
            ),
            Isolation::SharedHost { reason } => write!(
                f,
                "game servers share the host network ({reason}): two servers binding the same internal port conflict"
            ),
        }
    }
}

fn annotate(call: &str, errno: nix::Error) -> io::Error {
    let error = io::Error::from(errno);
    io::Error::new(error.kind(), format!("{call}: {error}"))
}

nix::ioctl_readwrite_bad!(get_interface_flags, libc::SIOCGIFFLAGS, libc::ifreq);
nix::ioctl_write_ptr_bad!(set_interface_flags, libc::SIOCSIFFLAGS, libc::ifreq);

/// Brings the loopback interface of the calling thread's network namespace up.
///
/// Hand-written because neither nix nor rustix wraps `SIOCSIFFLAGS`, and it runs between fork
/// and exec, where spawning `ip link set lo up` is not an option. It only makes system calls
/// (no allocation), so it is safe there.
pub(crate) fn loopback_up() -> io::Result<()> {
    let socket = socket(
        AddressFamily::Inet,
        SockType::Datagram,
        SockFlag::SOCK_CLOEXEC,
        None,
    )?;
    // SAFETY: ifreq is plain old data; all zeroes is a valid (empty) request.
    let mut request: libc::ifreq = unsafe { std::mem::zeroed() };
    for (slot, byte) in request.ifr_name.iter_mut().zip(b"lo\0") {
        *slot = *byte as libc::c_char;
    }
    use std::os::fd::AsRawFd;
    // SAFETY: the socket is open and `request` names an interface, as both ioctls expect.
    unsafe {
        get_interface_flags(socket.as_raw_fd(), &mut request)?;
        request.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
        set_interface_flags(socket.as_raw_fd(), &request)?;
    }
    Ok(())
}

/// Moves the calling process (between fork and exec) into a new network namespace with its
/// loopback up. Async-signal-safe: system calls only.
pub(crate) fn isolate_in_child() -> io::Result<()> {
    unshare(CloneFlags::CLONE_NEWNET)?;
    loopback_up()
}

/// A game process's network namespace, held open so the relay can create sockets in it.
pub(crate) type Namespace = Arc<File>;

/// Opens the network namespace of a running process.
pub(crate) fn open_namespace(pid: u32) -> io::Result<Namespace> {
    File::open(format!("/proc/{pid}/ns/net")).map(Arc::new)
}

/// A socket made inside a namespace, not yet connected.
pub(crate) enum NamespacedSocket {
    Tcp(tokio::net::TcpSocket),
    Udp(std::net::UdpSocket),
}

/// What kind of socket a [`NamespaceWorker`] should create.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SocketKind {
    Tcp,
    Udp,
}

struct SocketRequest {
    namespace: Namespace,
    kind: SocketKind,
    reply: oneshot::Sender<io::Result<NamespacedSocket>>,
}

/// A thread that creates sockets inside game servers' namespaces on request.
///
/// `setns` moves only the calling thread, and a tokio worker thread must not wander between
/// namespaces, so one dedicated thread does it: enter the namespace, `socket()`, go back home.
/// No blocking call happens there (connecting is left to the caller), so one thread serves
/// every server of a runner.
#[derive(Clone)]
pub(crate) struct NamespaceWorker {
    requests: std_mpsc::Sender<SocketRequest>,
}

impl NamespaceWorker {
    pub(crate) fn start() -> io::Result<NamespaceWorker> {
        let (requests, incoming) = std_mpsc::channel::<SocketRequest>();
        let home = File::open("/proc/self/ns/net")?;
        std::thread::Builder::new()
            .name("playflow-netns".to_owned())
            .stack_size(256 * 1024)
            .spawn(move || {
                for request in incoming {
                    let made = make_socket(&home, &request.namespace, request.kind);
                    let _ = request.reply.send(made);
                }
            })?;
        Ok(NamespaceWorker { requests })
    }

    /// Creates a socket inside `namespace` (UDP ones bound to an ephemeral loopback port).
    pub(crate) async fn socket(
        &self,
        namespace: &Namespace,
        kind: SocketKind,
    ) -> io::Result<NamespacedSocket> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(SocketRequest {
                namespace: namespace.clone(),
                kind,
                reply,
            })
            .map_err(|_| io::Error::other("the namespace thread has stopped"))?;
        answer
            .await
            .map_err(|_| io::Error::other("the namespace thread has stopped"))?
    }
}

fn make_socket(home: &File, namespace: &File, kind: SocketKind) -> io::Result<NamespacedSocket> {
    setns(namespace.as_fd(), CloneFlags::CLONE_NEWNET)?;
    let made = match kind {
        SocketKind::Tcp => tokio::net::TcpSocket::new_v4().map(NamespacedSocket::Tcp),
        SocketKind::Udp => std::net::UdpSocket::bind(("127.0.0.1", 0)).map(NamespacedSocket::Udp),
    };
    // Back home, so that this thread does not keep a finished server's namespace alive.
    setns(home.as_fd(), CloneFlags::CLONE_NEWNET)?;
    made
}
