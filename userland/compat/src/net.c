/* IPv4 text forms and host lookup from /etc/hosts. Lookups of names not
 * in /etc/hosts need the network (sockets, coming with netproxy) and fail
 * with HOST_NOT_FOUND until then. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

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

/* The one entry gethostbyname returns, with room for its strings. */
static struct {
    struct hostent entry;
    char name[256];
    struct in_addr addr;
    char *addrs[2];
    char *aliases[1];
} host;

static struct hostent *host_entry(const char *name, struct in_addr addr)
{
    snprintf(host.name, sizeof host.name, "%s", name);
    host.addr = addr;
    host.addrs[0] = (char *)&host.addr;
    host.addrs[1] = NULL;
    host.aliases[0] = NULL;
    host.entry = (struct hostent){host.name, host.aliases, AF_INET, 4, host.addrs};
    return &host.entry;
}

/* An IPv4 address of `name` from /etc/hosts (name or alias). */
static int hosts_lookup(const char *name, struct in_addr *addr)
{
    FILE *f = fopen("/etc/hosts", "r");
    if (!f)
        return -1;
    char line[512];
    int found = -1;
    while (found != 0 && fgets(line, sizeof line, f)) {
        line[strcspn(line, "#\n")] = '\0';
        char *save, *address = strtok_r(line, " \t", &save);
        if (!address || inet_pton(AF_INET, address, addr) != 1)
            continue;
        for (char *n; (n = strtok_r(NULL, " \t", &save));)
            if (strcasecmp(n, name) == 0) {
                found = 0;
                break;
            }
    }
    fclose(f);
    return found;
}

struct hostent *gethostbyname(const char *name)
{
    struct in_addr addr;
    if (inet_aton(name, &addr) || hosts_lookup(name, &addr) == 0)
        return host_entry(name, addr);
    h_errno = HOST_NOT_FOUND;
    return NULL;
}

/* Setting the host name needs privileges nobody has here. */
int sethostname(const char *name, size_t len)
{
    (void)name;
    (void)len;
    errno = EPERM;
    return -1;
}
