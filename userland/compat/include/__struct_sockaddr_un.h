/* wasmux compat: a Unix socket address with its path (wasi-libc's has only
 * the family). Same guard as wasi-libc's, so this one wins. */
#ifndef __wasilibc___struct_sockaddr_un_h
#define __wasilibc___struct_sockaddr_un_h
#define __need_STDDEF_H_misc
#include <stddef.h>
#include <__typedef_sa_family_t.h>

struct sockaddr_un {
    _Alignas(max_align_t) sa_family_t sun_family;
    char sun_path[108];
};
#endif
