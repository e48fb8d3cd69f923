//! Isolation without root: a user namespace owning the game's network namespace, and a socket
//! helper inside it.
//!
//! An unprivileged runner may create `CLONE_NEWUSER | CLONE_NEWNET` for its child (where the
//! kernel allows), but cannot `setns` into that network namespace afterwards (that needs
//! `CAP_SYS_ADMIN` in its own user namespace). So between fork and exec the child forks once
//! more: that grandchild stays in the new namespaces as a *socket helper*, creating sockets on
//! request and passing them back over a `SOCK_SEQPACKET` pair (`SCM_RIGHTS`). It is a
//! copy-on-write copy of the runner that touches a few pages, lives in the game's process group
//! and dies with the game (`PR_SET_PDEATHSIG`).
//!
//! Everything that runs in the child is hand-written against `libc`, with buffers on the stack:
//! after `fork` in a threaded program only async-signal-safe calls are allowed, and nix's
//! `sendmsg` allocates its control buffer.

use std::ffi::CString;
use std::io;
use std::io::IoSliceMut;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::{Arc, Mutex};

use nix::sys::socket::{
    AddressFamily, ControlMessageOwned, MsgFlags, SockFlag, SockType, recvmsg, send, socketpair,
};

use crate::isolation::{NamespacedSocket, SocketKind, loopback_up};

/// The uid/gid maps of the new user namespace (the runner's own ids, mapped to themselves),
/// formatted before fork.
pub(crate) struct IdMaps {
    uid_map: CString,
    gid_map: CString,
}

impl IdMaps {
    pub(crate) fn of_this_process() -> IdMaps {
        let (uid, gid) = (nix::unistd::getuid(), nix::unistd::getgid());
        IdMaps {
            uid_map: CString::new(format!("{uid} {uid} 1")).unwrap_or_default(),
            gid_map: CString::new(format!("{gid} {gid} 1")).unwrap_or_default(),
        }
    }
}

fn check(result: libc::c_int) -> io::Result<libc::c_int> {
    if result < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

/// Writes `content` to `path` with raw system calls (async-signal-safe).
fn write_file(path: &std::ffi::CStr, content: &[u8]) -> io::Result<()> {
    // SAFETY: path is NUL-terminated; content is a valid buffer of its length.
    unsafe {
        let fd = check(libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC))?;
        let written = libc::write(fd, content.as_ptr().cast(), content.len());
        libc::close(fd);
        if written < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// In the child, between fork and exec: new user and network namespaces, ids mapped, loopback
/// up.
pub(crate) fn enter_in_child(maps: &IdMaps) -> io::Result<()> {
    nix::sched::unshare(
        nix::sched::CloneFlags::CLONE_NEWUSER | nix::sched::CloneFlags::CLONE_NEWNET,
    )?;
    // Unprivileged gid maps need setgroups denied first; the file is missing on old kernels.
    match write_file(c"/proc/self/setgroups", b"deny") {
        Err(error) if error.raw_os_error() != Some(libc::ENOENT) => return Err(error),
        _ => {}
    }
    write_file(c"/proc/self/uid_map", maps.uid_map.as_bytes())?;
    write_file(c"/proc/self/gid_map", maps.gid_map.as_bytes())?;
    loopback_up()
}

/// Whether this process can give a child its own user and network namespaces: spawns a child
/// that tries, then exits without ever running a program.
pub(crate) fn probe() -> io::Result<()> {
    use std::os::unix::process::CommandExt;
    let maps = IdMaps::of_this_process();
    let mut command = std::process::Command::new("/proc/self/exe");
    // SAFETY: the closure only makes system calls; `_exit` never returns into the child's copy
    // of the runner.
    unsafe {
        command.pre_exec(move || {
            enter_in_child(&maps)?;
            libc::_exit(0);
        });
    }
    let status = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "the probe child ended with {status}"
        )))
    }
}

/// The runner's end of a server's socket helper channel, and the helper's end to hand to the
/// child.
pub(crate) fn channel() -> io::Result<(SocketHelper, OwnedFd)> {
    let (ours, theirs) = socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )?;
    // A helper that stopped answering must not hold a relay (and a blocking thread) forever.
    nix::sys::socket::setsockopt(
        &ours,
        nix::sys::socket::sockopt::ReceiveTimeout,
        &nix::sys::time::TimeVal::new(5, 0),
    )?;
    Ok((
        SocketHelper {
            channel: Arc::new(Mutex::new(ours)),
        },
        theirs,
    ))
}

/// In the child, after [`enter_in_child`]: forks the socket helper, which serves `channel`
/// until the runner's end closes or the game dies. Async-signal-safe.
pub(crate) fn fork_helper(channel: RawFd) -> io::Result<()> {
    // SAFETY: fork in the single-threaded child; the helper only makes system calls.
    match unsafe { libc::fork() } {
        -1 => Err(io::Error::last_os_error()),
        0 => unsafe {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            // Keep nothing but the channel: the game's output pipes must close when the game
            // exits, and the runner's spawn waits for its exec-status pipe to close.
            close_all_but(channel);
            serve(channel);
            libc::_exit(0)
        },
        _ => Ok(()),
    }
}

/// Closes every descriptor but `keep` (async-signal-safe).
unsafe fn close_all_but(keep: RawFd) {
    // SAFETY: closing descriptors; close_range (Linux 5.9) with a loop as the fallback.
    unsafe {
        let keep = keep as libc::c_uint;
        let below = keep == 0 || libc::syscall(libc::SYS_close_range, 0u32, keep - 1, 0u32) == 0;
        let above = libc::syscall(libc::SYS_close_range, keep + 1, libc::c_uint::MAX, 0u32) == 0;
        if !(below && above) {
            for fd in 0..65536 {
                if fd != keep as RawFd {
                    libc::close(fd);
                }
            }
        }
    }
}

/// The helper's loop: one request byte (`T`cp or `U`dp) in, one reply out: a 4-byte errno (0
/// on success) with the new socket attached.
unsafe fn serve(channel: RawFd) {
    loop {
        let mut request = [0u8; 1];
        // SAFETY (whole block): plain system calls on stack buffers.
        unsafe {
            if libc::recv(channel, request.as_mut_ptr().cast(), 1, 0) <= 0 {
                return;
            }
            let fd = match request[0] {
                b'T' => libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0),
                _ => {
                    let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
                    if fd >= 0 {
                        let mut address: libc::sockaddr_in = std::mem::zeroed();
                        address.sin_family = libc::AF_INET as libc::sa_family_t;
                        address.sin_addr.s_addr = u32::from(std::net::Ipv4Addr::LOCALHOST).to_be();
                        let size = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
                        if libc::bind(fd, (&raw const address).cast(), size) < 0 {
                            libc::close(fd);
                            -1
                        } else {
                            fd
                        }
                    } else {
                        fd
                    }
                }
            };
            let errno = if fd < 0 { *libc::__errno_location() } else { 0 };
            send_reply(channel, errno, fd);
            if fd >= 0 {
                libc::close(fd);
            }
        }
    }
}

/// Sends `errno` with `fd` attached (when it is one). Async-signal-safe.
unsafe fn send_reply(channel: RawFd, errno: i32, fd: RawFd) {
    let mut payload = errno.to_ne_bytes();
    let mut iov = libc::iovec {
        iov_base: payload.as_mut_ptr().cast(),
        iov_len: payload.len(),
    };
    // Room for one SCM_RIGHTS message holding one descriptor, suitably aligned.
    let mut control = [0u64; 4];
    // SAFETY: msghdr is plain data; the CMSG macros stay within `control`, which is larger
    // than CMSG_SPACE(sizeof(int)).
    unsafe {
        let mut message: libc::msghdr = std::mem::zeroed();
        message.msg_iov = &mut iov;
        message.msg_iovlen = 1;
        if fd >= 0 {
            let fd_size = std::mem::size_of::<RawFd>() as u32;
            message.msg_control = control.as_mut_ptr().cast();
            message.msg_controllen = libc::CMSG_SPACE(fd_size) as _;
            let header = libc::CMSG_FIRSTHDR(&message);
            (*header).cmsg_level = libc::SOL_SOCKET;
            (*header).cmsg_type = libc::SCM_RIGHTS;
            (*header).cmsg_len = libc::CMSG_LEN(fd_size) as _;
            std::ptr::write_unaligned(libc::CMSG_DATA(header).cast::<RawFd>(), fd);
        }
        libc::sendmsg(channel, &message, libc::MSG_NOSIGNAL);
    }
}

/// The runner's end of one server's socket helper.
#[derive(Clone)]
pub(crate) struct SocketHelper {
    channel: Arc<Mutex<OwnedFd>>,
}

impl SocketHelper {
    /// Asks the helper for a socket inside the game's namespaces.
    pub(crate) async fn socket(&self, kind: SocketKind) -> io::Result<NamespacedSocket> {
        let channel = self.channel.clone();
        let fd = tokio::task::spawn_blocking(move || -> io::Result<OwnedFd> {
            let channel = channel.lock().unwrap_or_else(|p| p.into_inner());
            let request = match kind {
                SocketKind::Tcp => b"T",
                SocketKind::Udp => b"U",
            };
            send(channel.as_raw_fd(), request, MsgFlags::MSG_NOSIGNAL)?;
            let mut payload = [0u8; 4];
            let mut iov = [IoSliceMut::new(&mut payload)];
            let mut space = nix::cmsg_space!(RawFd);
            let message = recvmsg::<()>(
                channel.as_raw_fd(),
                &mut iov,
                Some(&mut space),
                MsgFlags::MSG_CMSG_CLOEXEC,
            )?;
            if message.bytes == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::NotConnected,
                    "the game's socket helper has exited",
                ));
            }
            let mut received = None;
            for control in message.cmsgs()? {
                if let ControlMessageOwned::ScmRights(fds) = control {
                    for fd in fds {
                        // SAFETY: the kernel just gave us this descriptor; we own it.
                        let owned = unsafe { OwnedFd::from_raw_fd(fd) };
                        received.get_or_insert(owned);
                    }
                }
            }
            match received {
                Some(fd) => Ok(fd),
                None => Err(io::Error::from_raw_os_error(i32::from_ne_bytes(payload))),
            }
        })
        .await
        .map_err(io::Error::other)??;
        Ok(match kind {
            SocketKind::Tcp => NamespacedSocket::Tcp(tokio::net::TcpSocket::from_std_stream(
                std::net::TcpStream::from(fd),
            )),
            SocketKind::Udp => NamespacedSocket::Udp(std::net::UdpSocket::from(fd)),
        })
    }
}
