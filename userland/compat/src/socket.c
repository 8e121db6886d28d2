/* BSD sockets on WASIX `sock_*`. The kernel hands the calls to its
 * networking (the host's natively; the network proxy in a browser), so a
 * socket here is a real TCP or UDP endpoint; Unix-domain sockets exist only
 * as `socketpair`.
 *
 * Addresses: wasi-libc's AF_* numbers are WASIX's address families, and its
 * `sockaddr_in`/`sockaddr_in6` carry the port in network order. WASIX puts
 * the port in the first two bytes of its address, read by wasmer-wasix in the
 * host's byte order (little-endian everywhere wasmux runs) but written back
 * big-endian: the two directions are converted differently on purpose.
 *
 * wasi-libc's own accept, recv, send and getsockopt are replaced: they know
 * neither peer addresses nor the Linux flags programs pass. Its shutdown is
 * kept. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <wasi/api.h>

#include "errnos.h"
#include "imports.h"

#undef fcntl

/* WASIX socket types, protocols, options and states. */
enum { WASIX_STREAM = 1, WASIX_DGRAM = 2 };
enum { WASIX_PROTO_TCP = 6, WASIX_PROTO_UDP = 17 };
enum {
    OPT_REUSE_PORT = 1,
    OPT_REUSE_ADDR = 2,
    OPT_NO_DELAY = 3,
    OPT_ONLY_V6 = 5,
    OPT_BROADCAST = 6,
    OPT_KEEP_ALIVE = 12,
    OPT_RECV_BUF = 15,
    OPT_SEND_BUF = 16,
    OPT_RECV_TIMEOUT = 19,
    OPT_SEND_TIMEOUT = 20,
};
enum { STATUS_OPENING = 0, STATUS_OPENED = 1, STATUS_FAILED = 3 };
enum { RECV_PEEK = 1, RECV_WAITALL = 2, RECV_DONT_WAIT = 8, SEND_DONT_WAIT = 1 };

static int fail(int err)
{
    errno = err;
    return -1;
}

/* WASIX's form of `family`'s address `bytes` and port (network order). */
static int put_address(wasix_addr_port *out, int family, in_port_t port, const void *bytes,
                       size_t size)
{
    uint16_t host_port = ntohs(port);
    out->family = (uint8_t)family;
    out->octets[0] = host_port & 0xff;
    out->octets[1] = host_port >> 8;
    memcpy(out->octets + 2, bytes, size);
    return 0;
}

/* A Linux socket address in WASIX's form. */
static int to_wasix(const struct sockaddr *sa, socklen_t len, wasix_addr_port *out)
{
    memset(out, 0, sizeof *out);
    if (!sa)
        return EFAULT;
    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return put_address(out, AF_INET, in->sin_port, &in->sin_addr, 4);
    }
    if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        return put_address(out, AF_INET6, in6->sin6_port, &in6->sin6_addr, 16);
    }
    if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6)
        return EINVAL;
    return EAFNOSUPPORT;
}

/* WASIX's form of an address (as wasmer-wasix writes it) into `sa`,
 * truncated to `*len` bytes as Linux does; `*len` becomes the full size. */
static void from_wasix(const wasix_addr_port *in, struct sockaddr *sa, socklen_t *len)
{
    struct sockaddr_storage full;
    socklen_t size;
    memset(&full, 0, sizeof full);
    uint16_t port = (uint16_t)(in->octets[0] << 8 | in->octets[1]);
    if (in->family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&full;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        memcpy(&in6->sin6_addr, in->octets + 2, 16);
        size = sizeof *in6;
    } else {
        struct sockaddr_in *in4 = (struct sockaddr_in *)&full;
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        memcpy(&in4->sin_addr, in->octets + 2, 4);
        size = sizeof *in4;
    }
    if (sa && len) {
        memcpy(sa, &full, *len < size ? *len : size);
        *len = size;
    }
}

/* SOCK_NONBLOCK and SOCK_CLOEXEC (or their O_ forms, from accept4). */
static int apply_flags(int fd, int nonblock, int cloexec)
{
    if (nonblock && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
        return -1;
    if (cloexec && fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        return -1;
    return 0;
}

/* The WASIX type and protocol of a Linux socket type and protocol. */
static int wasix_kind(int type, int protocol, int *wtype, int *wproto)
{
    switch (type) {
    case SOCK_STREAM:
        *wtype = WASIX_STREAM;
        *wproto = WASIX_PROTO_TCP;
        return protocol == 0 || protocol == IPPROTO_TCP ? 0 : EPROTONOSUPPORT;
    case SOCK_DGRAM:
        *wtype = WASIX_DGRAM;
        *wproto = WASIX_PROTO_UDP;
        return protocol == 0 || protocol == IPPROTO_UDP ? 0 : EPROTONOSUPPORT;
    case SOCK_RAW:
        return EPROTONOSUPPORT; /* WASIX has no raw sockets */
    default:
        return EINVAL;
    }
}

/* Which descriptors are datagram sockets, for SO_TYPE: WASIX calls a bound
 * UDP socket's type "unknown". Set by socket(), so a descriptor reused for
 * another socket is set again; one reused for a non-socket is told apart
 * by WASIX's socket status call failing. */
#define KNOWN_SOCKETS 1024
static unsigned char is_dgram[KNOWN_SOCKETS];

static void note_type(int fd, int type)
{
    if (fd >= 0 && fd < KNOWN_SOCKETS)
        is_dgram[fd] = type == SOCK_DGRAM;
}

int socket(int domain, int type, int protocol)
{
    int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    int wtype, wproto;
    if (domain != AF_INET && domain != AF_INET6)
        return fail(EAFNOSUPPORT);
    int err = wasix_kind(type & ~flags, protocol, &wtype, &wproto);
    if (err)
        return fail(err);
    uint32_t fd;
    if ((err = wasix_sock_open(domain, wtype, wproto, &fd)))
        return fail(err);
    if (apply_flags((int)fd, flags & SOCK_NONBLOCK, flags & SOCK_CLOEXEC) < 0) {
        close((int)fd);
        return -1;
    }
    note_type((int)fd, type & ~flags);
    return (int)fd;
}

/* A connected pair: WASIX makes it a duplex pipe, whatever the family. */
int socketpair(int domain, int type, int protocol, int fds[2])
{
    int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    int wtype, wproto;
    if (domain != AF_UNIX)
        return fail(EOPNOTSUPP);
    int err = wasix_kind(type & ~flags, 0, &wtype, &wproto);
    if (err || protocol != 0)
        return fail(err ? err : EPROTONOSUPPORT);
    uint32_t a, b;
    if ((err = wasix_sock_pair(AF_UNIX, wtype, wproto, &a, &b)))
        return fail(err);
    if (apply_flags((int)a, flags & SOCK_NONBLOCK, flags & SOCK_CLOEXEC) < 0 ||
        apply_flags((int)b, flags & SOCK_NONBLOCK, flags & SOCK_CLOEXEC) < 0) {
        close((int)a);
        close((int)b);
        return -1;
    }
    fds[0] = (int)a;
    fds[1] = (int)b;
    return 0;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    wasix_addr_port at;
    int err = to_wasix(addr, len, &at);
    RETURN_ERRNO(err ? err : wasix_sock_bind((uint32_t)fd, &at), 0);
}

/* SO_ERROR, from the socket's status: 0 while connecting or connected,
 * ECONNREFUSED once connecting failed (WASIX does not say why). */
static int pending_error(int fd, int *value)
{
    uint8_t status;
    int err = wasix_sock_status((uint32_t)fd, &status);
    if (err)
        return err;
    *value = status == STATUS_FAILED ? ECONNREFUSED : 0;
    return 0;
}

/* wasmer-wasix's blocking connect returns once the socket is writable,
 * which a refused connection is too: the failure only shows in the socket's
 * status, which does not say why. A refusal is by far the likeliest. */
int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    wasix_addr_port to;
    int err = to_wasix(addr, len, &to);
    if (!err)
        err = wasix_sock_connect((uint32_t)fd, &to);
    if (!err && !(fcntl(fd, F_GETFL) & O_NONBLOCK)) {
        int pending;
        err = pending_error(fd, &pending);
        if (!err)
            err = pending;
    }
    RETURN_ERRNO(err, 0);
}

/* ENOTSOCK for a descriptor WASIX knows to be a file, a directory or a
 * device (wasmer-wasix would say EACCES: it lacks the socket rights); 0
 * for a socket, or for what WASIX cannot tell from one (it calls a bound
 * UDP socket and a listening one "unknown", like a pipe). */
static int not_socket(int fd)
{
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get((uint32_t)fd, &st))
        return 0; /* the call itself says EBADF */
    switch (st.fs_filetype) {
    case __WASI_FILETYPE_REGULAR_FILE:
    case __WASI_FILETYPE_DIRECTORY:
    case __WASI_FILETYPE_CHARACTER_DEVICE:
    case __WASI_FILETYPE_BLOCK_DEVICE:
    case __WASI_FILETYPE_SYMBOLIC_LINK:
        return ENOTSOCK;
    default:
        return 0;
    }
}

int listen(int fd, int backlog)
{
    int err = not_socket(fd);
    if (err)
        return fail(err);
    RETURN_ERRNO(wasix_sock_listen((uint32_t)fd, backlog > 0 ? (uint32_t)backlog : 1), 0);
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return fail(EINVAL);
    uint32_t out;
    wasix_addr_port peer;
    int err = wasix_sock_accept((uint32_t)fd, 0, &out, &peer);
    if (err)
        return fail(err);
    if (apply_flags((int)out, flags & SOCK_NONBLOCK, flags & SOCK_CLOEXEC) < 0) {
        close((int)out);
        return -1;
    }
    from_wasix(&peer, addr, len);
    note_type((int)out, SOCK_STREAM);
    return (int)out;
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    return accept4(fd, addr, len, 0);
}

/* One of a socket's two addresses, `which` WASIX asks. */
static int socket_address(int (*which)(uint32_t, wasix_addr_port *), int fd,
                          struct sockaddr *addr, socklen_t *len)
{
    wasix_addr_port at;
    int err = which((uint32_t)fd, &at);
    if (err)
        return fail(err);
    from_wasix(&at, addr, len);
    return 0;
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
    return socket_address(wasix_sock_addr_local, fd, addr, len);
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
    return socket_address(wasix_sock_addr_peer, fd, addr, len);
}

static int recv_flags(int flags, uint16_t *out)
{
    if (flags & ~(MSG_PEEK | MSG_WAITALL | MSG_DONTWAIT | MSG_NOSIGNAL))
        return EOPNOTSUPP;
    *out = (flags & MSG_PEEK ? RECV_PEEK : 0) | (flags & MSG_WAITALL ? RECV_WAITALL : 0) |
           (flags & MSG_DONTWAIT ? RECV_DONT_WAIT : 0);
    return 0;
}

static int send_flags(int flags, uint16_t *out)
{
    if (flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE))
        return EOPNOTSUPP;
    *out = flags & MSG_DONTWAIT ? SEND_DONT_WAIT : 0;
    return 0;
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr,
                 socklen_t *addrlen)
{
    __wasi_iovec_t iov = {buf, len};
    uint16_t wflags, out_flags;
    size_t got;
    int err = recv_flags(flags, &wflags);
    if (err)
        return fail(err);
    if (addr) {
        wasix_addr_port from;
        err = wasix_sock_recv_from((uint32_t)fd, &iov, 1, wflags, &got, &out_flags, &from);
        if (!err)
            from_wasix(&from, addr, addrlen);
    } else {
        err = wasix_sock_recv((uint32_t)fd, &iov, 1, wflags, &got, &out_flags);
    }
    return err ? fail(err) : (ssize_t)got;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    return recvfrom(fd, buf, len, flags, NULL, NULL);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
               socklen_t addrlen)
{
    __wasi_ciovec_t iov = {buf, len};
    uint16_t wflags;
    size_t sent;
    int err = send_flags(flags, &wflags);
    if (err)
        return fail(err);
    if (addr) {
        wasix_addr_port to;
        err = to_wasix(addr, addrlen, &to);
        if (!err)
            err = wasix_sock_send_to((uint32_t)fd, &iov, 1, wflags, &to, &sent);
    } else {
        err = wasix_sock_send((uint32_t)fd, &iov, 1, wflags, &sent);
    }
    return err ? fail(err) : (ssize_t)sent;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    return sendto(fd, buf, len, flags, NULL, 0);
}

/* The WASIX option behind a Linux (level, name), and how it is typed. */
enum kind { FLAG, SIZE, TIME };
static int option(int level, int name, int *wasix, enum kind *kind)
{
    static const struct {
        int level, name, wasix;
        enum kind kind;
    } table[] = {
        {SOL_SOCKET, SO_REUSEADDR, OPT_REUSE_ADDR, FLAG},
        {SOL_SOCKET, SO_REUSEPORT, OPT_REUSE_PORT, FLAG},
        {SOL_SOCKET, SO_KEEPALIVE, OPT_KEEP_ALIVE, FLAG},
        {SOL_SOCKET, SO_BROADCAST, OPT_BROADCAST, FLAG},
        {SOL_SOCKET, SO_RCVBUF, OPT_RECV_BUF, SIZE},
        {SOL_SOCKET, SO_SNDBUF, OPT_SEND_BUF, SIZE},
        {SOL_SOCKET, SO_RCVTIMEO, OPT_RECV_TIMEOUT, TIME},
        {SOL_SOCKET, SO_SNDTIMEO, OPT_SEND_TIMEOUT, TIME},
        {IPPROTO_TCP, TCP_NODELAY, OPT_NO_DELAY, FLAG},
        {IPPROTO_IPV6, IPV6_V6ONLY, OPT_ONLY_V6, FLAG},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].level == level && table[i].name == name) {
            *wasix = table[i].wasix;
            *kind = table[i].kind;
            return 0;
        }
    return ENOPROTOOPT;
}

int setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
    int wasix, err;
    enum kind kind;
    if (!value)
        return fail(EFAULT);
    if (level == SOL_SOCKET && name == SO_LINGER) {
        /* Closing never waits for unsent data here; accepted, not applied. */
        return len >= sizeof(struct linger) ? 0 : fail(EINVAL);
    }
    if ((err = option(level, name, &wasix, &kind)))
        return fail(err);
    if (kind == TIME) {
        if (len < sizeof(struct timeval))
            return fail(EINVAL);
        const struct timeval *tv = value;
        wasix_option_time t = {0, 0};
        if (tv->tv_sec || tv->tv_usec) {
            t.tag = 1;
            t.nanos = (uint64_t)tv->tv_sec * 1000000000u + (uint64_t)tv->tv_usec * 1000u;
        }
        RETURN_ERRNO(wasix_sock_set_opt_time((uint32_t)fd, wasix, &t), 0);
    }
    if (len < sizeof(int))
        return fail(EINVAL);
    int v = *(const int *)value;
    if (kind == FLAG)
        RETURN_ERRNO(wasix_sock_set_opt_flag((uint32_t)fd, wasix, v != 0), 0);
    RETURN_ERRNO(wasix_sock_set_opt_size((uint32_t)fd, wasix, v > 0 ? (uint64_t)v : 0), 0);
}

int getsockopt(int fd, int level, int name, void *value, socklen_t *len)
{
    int wasix, err, v = 0;
    enum kind kind;
    if (!value || !len)
        return fail(EFAULT);
    if (level == SOL_SOCKET && name == SO_TYPE) {
        __wasi_fdstat_t st;
        if ((err = __wasi_fd_fdstat_get((uint32_t)fd, &st)))
            return fail(err);
        uint8_t status;
        if (st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM)
            v = SOCK_STREAM;
        else if (st.fs_filetype == __WASI_FILETYPE_SOCKET_DGRAM)
            v = SOCK_DGRAM;
        else if (st.fs_filetype == __WASI_FILETYPE_UNKNOWN &&
                 wasix_sock_status((uint32_t)fd, &status) == 0)
            v = fd < KNOWN_SOCKETS && is_dgram[fd] ? SOCK_DGRAM : SOCK_STREAM;
        else
            return fail(ENOTSOCK);
    } else if (level == SOL_SOCKET && name == SO_ERROR) {
        if ((err = pending_error(fd, &v)))
            return fail(err);
    } else {
        if ((err = option(level, name, &wasix, &kind)))
            return fail(err);
        if (kind == TIME) {
            wasix_option_time t;
            if ((err = wasix_sock_get_opt_time((uint32_t)fd, wasix, &t)))
                return fail(err);
            struct timeval tv = {0, 0};
            if (t.tag == 1) {
                tv.tv_sec = (time_t)(t.nanos / 1000000000u);
                tv.tv_usec = (suseconds_t)(t.nanos % 1000000000u / 1000u);
            }
            memcpy(value, &tv, *len < sizeof tv ? *len : sizeof tv);
            *len = sizeof tv;
            return 0;
        }
        if (kind == FLAG) {
            uint8_t flag;
            if ((err = wasix_sock_get_opt_flag((uint32_t)fd, wasix, &flag)))
                return fail(err);
            v = flag;
        } else {
            uint64_t size;
            if ((err = wasix_sock_get_opt_size((uint32_t)fd, wasix, &size)))
                return fail(err);
            v = size > INT32_MAX ? INT32_MAX : (int)size;
        }
    }
    memcpy(value, &v, *len < sizeof v ? *len : sizeof v);
    *len = sizeof v;
    return 0;
}
