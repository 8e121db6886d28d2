/* wasmux compat: wasi-libc's <arpa/inet.h> plus the IPv4-only helpers. */
#ifndef WASMUX_ARPA_INET_H
#define WASMUX_ARPA_INET_H
#include_next <arpa/inet.h>

in_addr_t inet_addr(const char *text);
char *inet_ntoa(struct in_addr addr);
int inet_aton(const char *text, struct in_addr *addr);
#endif
