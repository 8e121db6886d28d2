/* wasmux compat: wasi-libc's <sys/socket.h> plus the calls WASI lacks
 * (implemented on WASIX sock_*). Socket type numbers are wasi-libc's; the
 * compat layer translates them to WASIX's. */
#ifndef WASMUX_SYS_SOCKET_H
#define WASMUX_SYS_SOCKET_H
#include_next <sys/socket.h>

#define SOCK_RAW 3
#define SOCK_RDM 4
#define SOCK_SEQPACKET 8
#define AF_PACKET 17
#define PF_UNSPEC AF_UNSPEC
#define PF_INET AF_INET
#define PF_INET6 AF_INET6
#define PF_UNIX AF_UNIX
#define PF_LOCAL AF_UNIX
#define AF_LOCAL AF_UNIX
#define SO_REUSEADDR 2
#define SO_ERROR 4
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_LINGER 13
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_REUSEPORT 15
/* Linux's numbers; they do not collide with wasi-libc's MSG_PEEK (1),
 * MSG_WAITALL (2) and MSG_TRUNC (4). */
#define MSG_DONTWAIT 0x40
#define MSG_NOSIGNAL 0x4000
#define MSG_MORE 0x8000

int socket(int domain, int type, int protocol);
int socketpair(int domain, int type, int protocol, int fds[2]);
int bind(int fd, const struct sockaddr *addr, socklen_t len);
int connect(int fd, const struct sockaddr *addr, socklen_t len);
int listen(int fd, int backlog);
int getsockname(int fd, struct sockaddr *addr, socklen_t *len);
int getpeername(int fd, struct sockaddr *addr, socklen_t *len);
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
               socklen_t addrlen);
ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr,
                 socklen_t *addrlen);
int setsockopt(int fd, int level, int name, const void *value, socklen_t len);
int getsockopt(int fd, int level, int name, void *value, socklen_t *len);
int accept(int fd, struct sockaddr *addr, socklen_t *len);
int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
#endif
