/* wasmux compat: the group database, read from /etc/group. */
#ifndef WASMUX_GRP_H
#define WASMUX_GRP_H
#include <stdio.h>
#include <sys/types.h>

struct group {
    char *gr_name;
    char *gr_passwd;
    gid_t gr_gid;
    char **gr_mem;
};

struct group *getgrnam(const char *name);
struct group *getgrgid(gid_t gid);
int getgrnam_r(const char *name, struct group *gr, char *buf, size_t len, struct group **result);
int getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t len, struct group **result);
void setgrent(void);
void endgrent(void);
struct group *getgrent(void);
struct group *fgetgrent(FILE *f);
int getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups);
int initgroups(const char *user, gid_t group);
int setgroups(size_t size, const gid_t *list);
#endif
