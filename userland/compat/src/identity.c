/* Who the process is: its pid (WASIX's), its parent's and its user and
 * group ids (the kernel's: `wasmux.getppid`, `wasmux.getuid` and the rest),
 * its groups (the effective one), and changes of identity, refused. */
#include <errno.h>
#include <unistd.h>

#include "imports.h"

pid_t getpid(void)
{
    uint32_t pid = 0;
    wasix_proc_id(&pid);
    return (pid_t)pid;
}

pid_t getppid(void) { return wasmux_getppid(); }
uid_t getuid(void) { return wasmux_getuid(); }
uid_t geteuid(void) { return wasmux_geteuid(); }
gid_t getgid(void) { return wasmux_getgid(); }
gid_t getegid(void) { return wasmux_getegid(); }

int getgroups(int size, gid_t list[])
{
    if (size == 0)
        return 1;
    list[0] = getegid();
    return 1;
}

/* Changing identity needs a privilege model the kernel does not have yet:
 * becoming who one already is succeeds, anything else is EPERM. */
static int same_or_eperm(int ok)
{
    if (ok)
        return 0;
    errno = EPERM;
    return -1;
}

int setuid(uid_t uid) { return same_or_eperm(uid == getuid()); }
int seteuid(uid_t uid) { return same_or_eperm(uid == geteuid()); }
int setgid(gid_t gid) { return same_or_eperm(gid == getgid()); }
int setegid(gid_t gid) { return same_or_eperm(gid == getegid()); }

int setreuid(uid_t ruid, uid_t euid)
{
    return same_or_eperm((ruid == (uid_t)-1 || ruid == getuid()) &&
                         (euid == (uid_t)-1 || euid == geteuid()));
}

int setregid(gid_t rgid, gid_t egid)
{
    return same_or_eperm((rgid == (gid_t)-1 || rgid == getgid()) &&
                         (egid == (gid_t)-1 || egid == getegid()));
}
