/* wasmux compat: the mount table as a file of entries (/proc/mounts). */
#ifndef WASMUX_MNTENT_H
#define WASMUX_MNTENT_H
#include <stdio.h>

#define MOUNTED "/proc/mounts"
#define MNTTYPE_SWAP "swap"
#define MNTOPT_DEFAULTS "defaults"
#define MNTOPT_RO "ro"
#define MNTOPT_RW "rw"

struct mntent {
    char *mnt_fsname;
    char *mnt_dir;
    char *mnt_type;
    char *mnt_opts;
    int mnt_freq;
    int mnt_passno;
};

FILE *setmntent(const char *path, const char *mode);
struct mntent *getmntent(FILE *f);
struct mntent *getmntent_r(FILE *f, struct mntent *entry, char *buf, int len);
int addmntent(FILE *f, const struct mntent *entry);
int endmntent(FILE *f);
char *hasmntopt(const struct mntent *entry, const char *opt);
#endif
