/* The user and group databases, read from /etc/passwd and /etc/group each
 * time they are asked (the files are small and may change under us). The
 * non-reentrant calls share one static entry per database, as in libc. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Splits `line` in place at ':' into at most `max` fields; returns how many. */
static int split_fields(char *line, char **fields, int max)
{
    int n = 0;
    line[strcspn(line, "\n")] = '\0';
    while (n < max) {
        fields[n++] = line;
        char *colon = strchr(line, ':');
        if (!colon)
            break;
        *colon = '\0';
        line = colon + 1;
    }
    return n;
}

/* A numeric id field: all digits, no more than fits. */
static int parse_id(const char *text, unsigned *id)
{
    char *end;
    if (!*text)
        return -1;
    errno = 0;
    unsigned long value = strtoul(text, &end, 10);
    if (*end || errno || value > 0xffffffffUL)
        return -1;
    *id = (unsigned)value;
    return 0;
}

/* ---- passwd ------------------------------------------------------------ */

static struct {
    FILE *file; /* open between setpwent/getpwent and endpwent */
    char line[1024];
    struct passwd entry;
} pw_state;

/* Parses one /etc/passwd line (which it modifies) into `pw`. */
static int parse_passwd(char *line, struct passwd *pw)
{
    char *f[7];
    unsigned uid, gid;
    if (split_fields(line, f, 7) != 7 || parse_id(f[2], &uid) || parse_id(f[3], &gid))
        return -1;
    *pw = (struct passwd){f[0], f[1], uid, gid, f[4], f[5], f[6]};
    return 0;
}

struct passwd *fgetpwent(FILE *f)
{
    while (fgets(pw_state.line, sizeof pw_state.line, f))
        if (parse_passwd(pw_state.line, &pw_state.entry) == 0)
            return &pw_state.entry;
    return NULL;
}

void setpwent(void)
{
    if (pw_state.file)
        rewind(pw_state.file);
}

void endpwent(void)
{
    if (pw_state.file)
        fclose(pw_state.file);
    pw_state.file = NULL;
}

struct passwd *getpwent(void)
{
    if (!pw_state.file && !(pw_state.file = fopen("/etc/passwd", "r")))
        return NULL;
    return fgetpwent(pw_state.file);
}

/* The first entry `match` accepts, from a fresh read of /etc/passwd. */
static struct passwd *find_passwd(int (*match)(const struct passwd *, const void *),
                                  const void *key)
{
    FILE *f = fopen("/etc/passwd", "r");
    if (!f)
        return NULL;
    struct passwd *pw;
    while ((pw = fgetpwent(f)) && !match(pw, key))
        ;
    fclose(f);
    return pw;
}

static int passwd_named(const struct passwd *pw, const void *name)
{
    return strcmp(pw->pw_name, name) == 0;
}

static int passwd_of_uid(const struct passwd *pw, const void *uid)
{
    return pw->pw_uid == *(const uid_t *)uid;
}

struct passwd *getpwnam(const char *name) { return find_passwd(passwd_named, name); }
struct passwd *getpwuid(uid_t uid) { return find_passwd(passwd_of_uid, &uid); }

/* Copies a found entry's strings into the caller's buffer. */
static int copy_passwd(const struct passwd *found, struct passwd *pw, char *buf, size_t len,
                       struct passwd **result)
{
    *result = NULL;
    if (!found)
        return 0;
    char *const *from[] = {&found->pw_name, &found->pw_passwd, &found->pw_gecos,
                           &found->pw_dir, &found->pw_shell};
    char **to[] = {&pw->pw_name, &pw->pw_passwd, &pw->pw_gecos, &pw->pw_dir, &pw->pw_shell};
    size_t used = 0;
    for (size_t i = 0; i < 5; i++) {
        size_t n = strlen(*from[i]) + 1;
        if (used + n > len)
            return ERANGE;
        *to[i] = memcpy(buf + used, *from[i], n);
        used += n;
    }
    pw->pw_uid = found->pw_uid;
    pw->pw_gid = found->pw_gid;
    *result = pw;
    return 0;
}

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len, struct passwd **result)
{
    return copy_passwd(getpwnam(name), pw, buf, len, result);
}

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len, struct passwd **result)
{
    return copy_passwd(getpwuid(uid), pw, buf, len, result);
}

int putpwent(const struct passwd *pw, FILE *f)
{
    return fprintf(f, "%s:%s:%u:%u:%s:%s:%s\n", pw->pw_name, pw->pw_passwd, pw->pw_uid,
                   pw->pw_gid, pw->pw_gecos, pw->pw_dir, pw->pw_shell) < 0 ? -1 : 0;
}

/* The login name: the user the process runs as (there is no utmp). */
int getlogin_r(char *buf, size_t len)
{
    struct passwd *pw = getpwuid(geteuid());
    if (!pw)
        return ENXIO;
    if (strlen(pw->pw_name) >= len)
        return ERANGE;
    strcpy(buf, pw->pw_name);
    return 0;
}

char *getlogin(void)
{
    static char name[64];
    return getlogin_r(name, sizeof name) == 0 ? name : NULL;
}

/* ---- group ------------------------------------------------------------- */

#define MAX_MEMBERS 64

static struct {
    FILE *file;
    char line[4096];
    char *members[MAX_MEMBERS + 1];
    struct group entry;
} gr_state;

static int parse_group(char *line, struct group *gr, char **members)
{
    char *f[4];
    unsigned gid;
    if (split_fields(line, f, 4) != 4 || parse_id(f[2], &gid))
        return -1;
    int n = 0;
    for (char *m = strtok(f[3], ","); m && n < MAX_MEMBERS; m = strtok(NULL, ","))
        members[n++] = m;
    members[n] = NULL;
    *gr = (struct group){f[0], f[1], gid, members};
    return 0;
}

struct group *fgetgrent(FILE *f)
{
    while (fgets(gr_state.line, sizeof gr_state.line, f))
        if (parse_group(gr_state.line, &gr_state.entry, gr_state.members) == 0)
            return &gr_state.entry;
    return NULL;
}

void setgrent(void)
{
    if (gr_state.file)
        rewind(gr_state.file);
}

void endgrent(void)
{
    if (gr_state.file)
        fclose(gr_state.file);
    gr_state.file = NULL;
}

struct group *getgrent(void)
{
    if (!gr_state.file && !(gr_state.file = fopen("/etc/group", "r")))
        return NULL;
    return fgetgrent(gr_state.file);
}

static struct group *find_group(int (*match)(const struct group *, const void *),
                                const void *key)
{
    FILE *f = fopen("/etc/group", "r");
    if (!f)
        return NULL;
    struct group *gr;
    while ((gr = fgetgrent(f)) && !match(gr, key))
        ;
    fclose(f);
    return gr;
}

static int group_named(const struct group *gr, const void *name)
{
    return strcmp(gr->gr_name, name) == 0;
}

static int group_of_gid(const struct group *gr, const void *gid)
{
    return gr->gr_gid == *(const gid_t *)gid;
}

struct group *getgrnam(const char *name) { return find_group(group_named, name); }
struct group *getgrgid(gid_t gid) { return find_group(group_of_gid, &gid); }

static int copy_group(const struct group *found, struct group *gr, char *buf, size_t len,
                      struct group **result)
{
    *result = NULL;
    if (!found)
        return 0;
    size_t members = 0;
    while (found->gr_mem[members])
        members++;
    size_t used = (members + 1) * sizeof(char *);
    if (used > len)
        return ERANGE;
    char **mem = (char **)(void *)buf;
    const char *strings[] = {found->gr_name, found->gr_passwd};
    char **targets[] = {&gr->gr_name, &gr->gr_passwd};
    for (size_t i = 0; i < 2 + members; i++) {
        const char *s = i < 2 ? strings[i] : found->gr_mem[i - 2];
        size_t n = strlen(s) + 1;
        if (used + n > len)
            return ERANGE;
        char *copy = memcpy(buf + used, s, n);
        used += n;
        if (i < 2)
            *targets[i] = copy;
        else
            mem[i - 2] = copy;
    }
    mem[members] = NULL;
    gr->gr_gid = found->gr_gid;
    gr->gr_mem = mem;
    *result = gr;
    return 0;
}

int getgrnam_r(const char *name, struct group *gr, char *buf, size_t len, struct group **result)
{
    return copy_group(getgrnam(name), gr, buf, len, result);
}

int getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t len, struct group **result)
{
    return copy_group(getgrgid(gid), gr, buf, len, result);
}

/* The groups `user` belongs to: `group` first, then each group listing
 * the user as a member. */
int getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups)
{
    int n = 0;
    if (n < *ngroups)
        groups[n] = group;
    n++;
    FILE *f = fopen("/etc/group", "r");
    if (f) {
        for (struct group *gr; (gr = fgetgrent(f));) {
            if (gr->gr_gid == group)
                continue;
            for (char **m = gr->gr_mem; *m; m++)
                if (strcmp(*m, user) == 0) {
                    if (n < *ngroups)
                        groups[n] = gr->gr_gid;
                    n++;
                    break;
                }
        }
        fclose(f);
    }
    int fits = n <= *ngroups;
    *ngroups = n;
    return fits ? n : -1;
}
