/* Names and addresses: IPv4 text forms, getaddrinfo and friends, services.
 * A name is looked up in /etc/hosts first, then by the kernel (WASIX
 * `resolve`: the host's resolver natively, the network proxy in a browser);
 * there is no DNS client here and /etc/resolv.conf is not read. Services
 * come from /etc/services. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "imports.h"

int h_errno;

const char *hstrerror(int code)
{
    switch (code) {
    case HOST_NOT_FOUND: return "Unknown host";
    case TRY_AGAIN: return "Host name lookup failure";
    case NO_RECOVERY: return "Unknown server error";
    case NO_DATA: return "No address associated with name";
    default: return "Resolver internal error";
    }
}

int inet_aton(const char *text, struct in_addr *addr)
{
    return inet_pton(AF_INET, text, addr) == 1;
}

in_addr_t inet_addr(const char *text)
{
    struct in_addr addr;
    return inet_aton(text, &addr) ? addr.s_addr : (in_addr_t)-1;
}

char *inet_ntoa(struct in_addr addr)
{
    static char text[INET_ADDRSTRLEN];
    return (char *)inet_ntop(AF_INET, &addr, text, sizeof text);
}

/* One address of a name: its family (AF_INET, AF_INET6) and bytes. */
struct address {
    int family;
    unsigned char bytes[16];
};

enum { MAX_ADDRESSES = 16 };

static int address_size(int family) { return family == AF_INET6 ? 16 : 4; }

/* `text` as a numeric address of `family` (AF_UNSPEC: either). */
static int numeric_address(const char *text, int family, struct address *out)
{
    if (family != AF_INET6 && inet_pton(AF_INET, text, out->bytes) == 1) {
        out->family = AF_INET;
        return 1;
    }
    if (family != AF_INET && inet_pton(AF_INET6, text, out->bytes) == 1) {
        out->family = AF_INET6;
        return 1;
    }
    return 0;
}

/* The addresses /etc/hosts gives `name` (by name or alias), in file order. */
static int hosts_lookup(const char *name, int family, struct address *out, int max)
{
    FILE *f = fopen("/etc/hosts", "r");
    if (!f)
        return 0;
    char line[512];
    int count = 0;
    while (count < max && fgets(line, sizeof line, f)) {
        line[strcspn(line, "#\n")] = '\0';
        char *save, *text = strtok_r(line, " \t", &save);
        struct address addr;
        if (!text || !numeric_address(text, family, &addr))
            continue;
        for (char *n; (n = strtok_r(NULL, " \t", &save));)
            if (strcasecmp(n, name) == 0) {
                out[count++] = addr;
                break;
            }
    }
    fclose(f);
    return count;
}

/* The name /etc/hosts gives `addr`, if any. */
static int hosts_reverse(const struct address *addr, char *name, size_t size)
{
    FILE *f = fopen("/etc/hosts", "r");
    if (!f)
        return 0;
    char line[512];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        line[strcspn(line, "#\n")] = '\0';
        char *save, *text = strtok_r(line, " \t", &save);
        struct address entry;
        char *first = text ? strtok_r(NULL, " \t", &save) : NULL;
        if (first && numeric_address(text, addr->family, &entry) &&
            memcmp(entry.bytes, addr->bytes, (size_t)address_size(addr->family)) == 0) {
            snprintf(name, size, "%s", first);
            found = 1;
        }
    }
    fclose(f);
    return found;
}

/* The addresses of `name` by the kernel's resolver; an EAI_ code on failure. */
static int kernel_lookup(const char *name, int family, struct address *out, int *count)
{
    wasix_addr found[MAX_ADDRESSES];
    size_t n = 0;
    int err = wasix_resolve(name, strlen(name), 0, found, MAX_ADDRESSES, &n);
    if (err)
        return err == EAGAIN || err == ETIMEDOUT || err == ENETUNREACH || err == ENETDOWN ||
                       err == ECONNREFUSED
                   ? EAI_AGAIN
                   : EAI_NONAME;
    *count = 0;
    for (size_t i = 0; i < n && i < MAX_ADDRESSES; i++) {
        int f = found[i].family == AF_INET6 ? AF_INET6 : AF_INET;
        if (family != AF_UNSPEC && family != f)
            continue;
        out[*count].family = f;
        memcpy(out[*count].bytes, found[i].octets, (size_t)address_size(f));
        ++*count;
    }
    return *count ? 0 : EAI_NONAME;
}

/* Every address of `name`: numeric, from /etc/hosts, then the kernel's. */
static int lookup(const char *name, int family, int flags, struct address *out, int *count)
{
    if (numeric_address(name, family, out)) {
        *count = 1;
        return 0;
    }
    if (flags & AI_NUMERICHOST)
        return EAI_NONAME;
    if ((*count = hosts_lookup(name, family, out, MAX_ADDRESSES)))
        return 0;
    return kernel_lookup(name, family, out, count);
}

/* The one entry getservbyname and getservbyport return. */
static struct {
    struct servent entry;
    char name[64], proto[8];
    char *aliases[1];
} service;

/* The entry of /etc/services that `match` accepts, for `proto` (or any). */
static struct servent *services_find(int (*match)(const char *name, int port, const void *key),
                                     const void *key, const char *proto)
{
    FILE *f = fopen("/etc/services", "r");
    if (!f)
        return NULL;
    char line[512];
    struct servent *found = NULL;
    while (!found && fgets(line, sizeof line, f)) {
        line[strcspn(line, "#\n")] = '\0';
        char *save, *name = strtok_r(line, " \t", &save);
        char *port_proto = name ? strtok_r(NULL, " \t", &save) : NULL;
        char *slash = port_proto ? strchr(port_proto, '/') : NULL;
        if (!slash || (proto && strcmp(slash + 1, proto) != 0))
            continue;
        *slash = '\0';
        int port = atoi(port_proto);
        int hit = match(name, port, key);
        for (char *alias; !hit && (alias = strtok_r(NULL, " \t", &save));)
            hit = match(alias, port, key);
        if (!hit)
            continue;
        snprintf(service.name, sizeof service.name, "%s", name);
        snprintf(service.proto, sizeof service.proto, "%s", slash + 1);
        service.aliases[0] = NULL;
        service.entry = (struct servent){service.name, service.aliases, htons((uint16_t)port),
                                         service.proto};
        found = &service.entry;
    }
    fclose(f);
    return found;
}

static int name_is(const char *name, int port, const void *key)
{
    (void)port;
    return strcmp(name, key) == 0;
}

static int port_is(const char *name, int port, const void *key)
{
    (void)name;
    return port == *(const int *)key;
}

struct servent *getservbyname(const char *name, const char *proto)
{
    return services_find(name_is, name, proto);
}

struct servent *getservbyport(int port, const char *proto)
{
    int host_order = ntohs((uint16_t)port);
    return services_find(port_is, &host_order, proto);
}

/* The port `service` names, in host order; an EAI_ code on failure. */
static int service_port(const char *service, int socktype, int flags, int *port)
{
    *port = 0;
    if (!service || !*service)
        return 0;
    char *end;
    long n = strtol(service, &end, 10);
    if (!*end) {
        if (n < 0 || n > 65535)
            return EAI_SERVICE;
        *port = (int)n;
        return 0;
    }
    if (flags & AI_NUMERICSERV)
        return EAI_NONAME;
    struct servent *s = getservbyname(service, socktype == SOCK_DGRAM ? "udp" : "tcp");
    if (!s)
        return EAI_SERVICE;
    *port = ntohs((uint16_t)s->s_port);
    return 0;
}

/* One result of getaddrinfo, allocated with its address. */
struct addrinfo_entry {
    struct addrinfo info;
    struct sockaddr_storage addr;
};

static struct addrinfo *new_entry(const struct address *a, int port, int socktype)
{
    struct addrinfo_entry *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->info.ai_family = a->family;
    e->info.ai_socktype = socktype;
    e->info.ai_protocol = socktype == SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP;
    e->info.ai_addr = (struct sockaddr *)&e->addr;
    if (a->family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&e->addr;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        memcpy(&in6->sin6_addr, a->bytes, 16);
        e->info.ai_addrlen = sizeof *in6;
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)&e->addr;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        memcpy(&in->sin_addr, a->bytes, 4);
        e->info.ai_addrlen = sizeof *in;
    }
    return &e->info;
}

/* The address getaddrinfo gives a missing node: any, or loopback. */
static int default_addresses(int family, int passive, struct address *out)
{
    int count = 0;
    if (family != AF_INET6) {
        out[count] = (struct address){AF_INET, {0}};
        if (!passive)
            memcpy(out[count].bytes, (unsigned char[]){127, 0, 0, 1}, 4);
        count++;
    }
    if (family != AF_INET) {
        out[count] = (struct address){AF_INET6, {0}};
        if (!passive)
            out[count].bytes[15] = 1;
        count++;
    }
    return count;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **result)
{
    int family = hints ? hints->ai_family : AF_UNSPEC;
    int socktype = hints ? hints->ai_socktype : 0;
    int flags = hints ? hints->ai_flags : 0;
    if (!node && !service)
        return EAI_NONAME;
    if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
        return EAI_FAMILY;
    if (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM)
        return EAI_SOCKTYPE;
    int port, err;
    if ((err = service_port(service, socktype, flags, &port)))
        return err;
    struct address addrs[MAX_ADDRESSES];
    int count;
    if (!node)
        count = default_addresses(family, flags & AI_PASSIVE, addrs);
    else if ((err = lookup(node, family, flags, addrs, &count)))
        return err;

    /* Each address once per socket type asked (both when none was). */
    int types[2] = {socktype ? socktype : SOCK_STREAM, SOCK_DGRAM};
    int ntypes = socktype ? 1 : 2;
    struct addrinfo *head = NULL, **tail = &head;
    for (int i = 0; i < count; i++)
        for (int t = 0; t < ntypes; t++) {
            if (!(*tail = new_entry(&addrs[i], port, types[t]))) {
                freeaddrinfo(head);
                return EAI_MEMORY;
            }
            tail = &(*tail)->ai_next;
        }
    if ((flags & AI_CANONNAME) && node && !(head->ai_canonname = strdup(node))) {
        freeaddrinfo(head);
        return EAI_MEMORY;
    }
    *result = head;
    return 0;
}

void freeaddrinfo(struct addrinfo *list)
{
    while (list) {
        struct addrinfo *next = list->ai_next;
        free(list->ai_canonname);
        free(list);
        list = next;
    }
}

const char *gai_strerror(int code)
{
    switch (code) {
    case 0: return "Success";
    case EAI_BADFLAGS: return "Bad value for ai_flags";
    case EAI_NONAME: return "Name or service not known";
    case EAI_AGAIN: return "Temporary failure in name resolution";
    case EAI_FAIL: return "Non-recoverable failure in name resolution";
    case EAI_FAMILY: return "ai_family not supported";
    case EAI_SOCKTYPE: return "ai_socktype not supported";
    case EAI_SERVICE: return "Servname not supported for ai_socktype";
    case EAI_MEMORY: return "Memory allocation failure";
    case EAI_SYSTEM: return "System error";
    case EAI_OVERFLOW: return "Argument buffer overflow";
    default: return "Unknown error";
    }
}

int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen,
                char *serv, socklen_t servlen, int flags)
{
    struct address addr;
    int port;
    if (sa && sa->sa_family == AF_INET && salen >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        addr.family = AF_INET;
        memcpy(addr.bytes, &in->sin_addr, 4);
        port = ntohs(in->sin_port);
    } else if (sa && sa->sa_family == AF_INET6 && salen >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        addr.family = AF_INET6;
        memcpy(addr.bytes, &in6->sin6_addr, 16);
        port = ntohs(in6->sin6_port);
    } else {
        return EAI_FAMILY;
    }
    if (host && hostlen) {
        char name[NI_MAXHOST];
        if ((flags & NI_NUMERICHOST) || !hosts_reverse(&addr, name, sizeof name)) {
            if (flags & NI_NAMEREQD)
                return EAI_NONAME;
            inet_ntop(addr.family, addr.bytes, name, sizeof name);
        }
        if (strlen(name) >= hostlen)
            return EAI_OVERFLOW;
        strcpy(host, name);
    }
    if (serv && servlen) {
        char name[NI_MAXSERV];
        struct servent *s = flags & NI_NUMERICSERV
                                ? NULL
                                : getservbyport(htons((uint16_t)port), flags & NI_DGRAM ? "udp" : "tcp");
        if (s)
            snprintf(name, sizeof name, "%s", s->s_name);
        else
            snprintf(name, sizeof name, "%d", port);
        if (strlen(name) >= servlen)
            return EAI_OVERFLOW;
        strcpy(serv, name);
    }
    return 0;
}

/* The one entry gethostbyname and gethostbyaddr return, with its strings. */
static struct {
    struct hostent entry;
    char name[256];
    unsigned char bytes[MAX_ADDRESSES][16];
    char *addrs[MAX_ADDRESSES + 1];
    char *aliases[1];
} host;

static struct hostent *host_entry(const char *name, const struct address *addrs, int count)
{
    int family = addrs[0].family;
    int n = 0;
    snprintf(host.name, sizeof host.name, "%s", name);
    for (int i = 0; i < count; i++)
        if (addrs[i].family == family) {
            memcpy(host.bytes[n], addrs[i].bytes, 16);
            host.addrs[n] = (char *)host.bytes[n];
            n++;
        }
    host.addrs[n] = NULL;
    host.aliases[0] = NULL;
    host.entry =
        (struct hostent){host.name, host.aliases, family, address_size(family), host.addrs};
    return &host.entry;
}

struct hostent *gethostbyname(const char *name)
{
    struct address addrs[MAX_ADDRESSES];
    int count, err = lookup(name, AF_INET, 0, addrs, &count);
    if (err) {
        h_errno = err == EAI_AGAIN ? TRY_AGAIN : HOST_NOT_FOUND;
        return NULL;
    }
    return host_entry(name, addrs, count);
}

struct hostent *gethostbyaddr(const void *bytes, socklen_t len, int type)
{
    struct address addr = {type, {0}};
    char name[NI_MAXHOST];
    if ((type != AF_INET && type != AF_INET6) || len != (socklen_t)address_size(type)) {
        h_errno = NO_RECOVERY;
        return NULL;
    }
    memcpy(addr.bytes, bytes, len);
    if (!hosts_reverse(&addr, name, sizeof name)) {
        h_errno = HOST_NOT_FOUND;
        return NULL;
    }
    return host_entry(name, &addr, 1);
}

/* Setting the host name needs privileges nobody has here. */
int sethostname(const char *name, size_t len)
{
    (void)name;
    (void)len;
    errno = EPERM;
    return -1;
}
