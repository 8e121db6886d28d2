/* wasmux compat: wasi-libc's <netinet/in.h> without the packet-info
 * options. WASIX has no recvmsg/sendmsg control data, so a program must not
 * think it can learn or choose a datagram's local address that way (busybox
 * tests `#ifdef IP_PKTINFO` and then uses cmsg). */
#ifndef WASMUX_NETINET_IN_H
#define WASMUX_NETINET_IN_H
#include_next <netinet/in.h>

#undef IP_PKTINFO
#undef IPV6_PKTINFO
#undef IPV6_RECVPKTINFO
#endif
