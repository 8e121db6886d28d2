/* Time zones. wasi-libc's localtime, mktime and strftime ask two private
 * functions (`__secs_to_zone`, `__tm_to_tzname`) which it defines as
 * "always UTC"; the layer's archive comes first in the link, so these take
 * their place (with `__utc`, the third symbol of that archive member).
 *
 * The zone is `TZ`, read again whenever it changes:
 *   - a POSIX rule, e.g. `CET-1CEST,M3.5.0,M10.5.0/3` or `<+0330>-3:30`;
 *   - a zone name or path (`Europe/Paris`, `:/etc/localtime`): a TZif file
 *     (RFC 8536) from /usr/share/zoneinfo, its footer rule used after the
 *     last transition;
 *   - unset: /etc/localtime if there is one, else UTC.
 * Anything unreadable means UTC, as in other libcs. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char __utc[] = "UTC";

char *tzname[2] = {(char *)__utc, (char *)__utc};
long timezone;
int daylight;

/* When a rule's change happens, as day-of-year arithmetic needs it. */
struct change {
    char kind;     /* 'J': day 1..365 without Feb 29; 'D': day 0..365; 'M': month rule */
    int day;       /* J and D */
    int month, week, weekday; /* M: week 5 means the last */
    long at;       /* seconds after local midnight (may be negative or > 24 h) */
};

/* A POSIX TZ rule: standard time, and daylight time between two changes. */
struct rule {
    char std_name[16], dst_name[16];
    long std_off, dst_off; /* seconds east of UTC */
    int has_dst;
    struct change start, end;
};

/* A TZif file's contents, 64-bit times. */
struct zone_file {
    int64_t *times;       /* transition instants, ascending */
    unsigned char *index; /* type in force from each transition */
    size_t count;
    struct {
        long off;
        int isdst;
        unsigned abbr;
    } *types;
    size_t type_count;
    char *abbrs;
    size_t abbrs_len;
    int has_footer;
    struct rule footer;
};

static char current_tz[256];
static int loaded;
static int use_file;
static struct rule rule;
static struct zone_file file;

/* ---- POSIX rules ---------------------------------------------------- */

/* A zone abbreviation: 3+ letters, or <anything but '>'> quoted. */
static const char *parse_name(const char *s, char *out, size_t size)
{
    size_t n = 0;
    if (*s == '<') {
        s++;
        while (*s && *s != '>') {
            if (n + 1 < size)
                out[n++] = *s;
            s++;
        }
        if (*s != '>')
            return NULL;
        s++;
    } else {
        while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) {
            if (n + 1 < size)
                out[n++] = *s;
            s++;
        }
    }
    if (n < 3)
        return NULL;
    out[n] = '\0';
    return s;
}

/* [+-]hh[:mm[:ss]], hours up to 167 (RFC 8536's extension). */
static const char *parse_hms(const char *s, long *seconds)
{
    int negative = 0;
    if (*s == '+' || *s == '-')
        negative = *s++ == '-';
    if (*s < '0' || *s > '9')
        return NULL;
    long total = 0, part = 0;
    while (*s >= '0' && *s <= '9' && part <= 167)
        part = part * 10 + (*s++ - '0');
    if (part > 167)
        return NULL;
    total = part * 3600;
    for (long unit = 60; unit && *s == ':'; unit /= 60) {
        s++;
        if (s[0] < '0' || s[0] > '5' || s[1] < '0' || s[1] > '9')
            return NULL;
        total += ((s[0] - '0') * 10 + (s[1] - '0')) * unit;
        s += 2;
    }
    *seconds = negative ? -total : total;
    return s;
}

static const char *parse_number(const char *s, int low, int high, int *out)
{
    int value = 0, digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 4) {
        value = value * 10 + (*s++ - '0');
        digits++;
    }
    if (!digits || value < low || value > high)
        return NULL;
    *out = value;
    return s;
}

static const char *parse_change(const char *s, struct change *c)
{
    if (*s == 'J') {
        c->kind = 'J';
        s = parse_number(s + 1, 1, 365, &c->day);
    } else if (*s == 'M') {
        c->kind = 'M';
        s = parse_number(s + 1, 1, 12, &c->month);
        if (s && *s == '.')
            s = parse_number(s + 1, 1, 5, &c->week);
        else
            s = NULL;
        if (s && *s == '.')
            s = parse_number(s + 1, 0, 6, &c->weekday);
        else
            s = NULL;
    } else {
        c->kind = 'D';
        s = parse_number(s, 0, 365, &c->day);
    }
    c->at = 2 * 3600;
    if (s && *s == '/')
        s = parse_hms(s + 1, &c->at);
    return s;
}

/* Parses a whole POSIX TZ string; 0 on success. Offsets in the string are
 * west of UTC ("EST5"); the rule keeps them east, as tm_gmtoff does. */
static int parse_rule(const char *s, struct rule *r)
{
    memset(r, 0, sizeof *r);
    long west;
    if (!(s = parse_name(s, r->std_name, sizeof r->std_name)) || !(s = parse_hms(s, &west)))
        return -1;
    r->std_off = -west;
    if (!*s)
        return 0;
    if (!(s = parse_name(s, r->dst_name, sizeof r->dst_name)))
        return -1;
    r->has_dst = 1;
    r->dst_off = r->std_off + 3600;
    if (*s && *s != ',') {
        if (!(s = parse_hms(s, &west)))
            return -1;
        r->dst_off = -west;
    }
    if (!*s) {
        /* No rule given: the United States' since 2007, as glibc and musl do. */
        r->start = (struct change){'M', 0, 3, 2, 0, 7200};
        r->end = (struct change){'M', 0, 11, 1, 0, 7200};
        return 0;
    }
    if (*s != ',' || !(s = parse_change(s + 1, &r->start)) || *s != ',' ||
        !(s = parse_change(s + 1, &r->end)) || *s)
        return -1;
    return 0;
}

/* Days from 1970-01-01 to year-month-day (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t year_of_era = y - era * 400;
    int64_t day_of_year = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The year (proleptic Gregorian) that contains day `days` since the epoch. */
static int64_t year_of_day(int64_t days)
{
    int64_t y = 1970 + days * 400 / 146097; /* the mean year, then exact */
    while (days_from_civil(y + 1, 1, 1) <= days)
        y++;
    while (days_from_civil(y, 1, 1) > days)
        y--;
    return y;
}

/* Local seconds since the epoch (in the offset the change is given in) at
 * which `c` happens in year `y`. */
static int64_t change_in_year(const struct change *c, int64_t y)
{
    int64_t day;
    if (c->kind == 'J') {
        day = days_from_civil(y, 1, 1) + c->day - 1 + (is_leap(y) && c->day >= 60);
    } else if (c->kind == 'D') {
        day = days_from_civil(y, 1, 1) + c->day;
    } else {
        static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int length = month_days[c->month - 1] + (c->month == 2 && is_leap(y));
        int64_t first = days_from_civil(y, c->month, 1);
        int first_weekday = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
        int mday = 1 + (c->weekday - first_weekday + 7) % 7 + 7 * (c->week - 1);
        while (mday > length)
            mday -= 7;
        day = first + mday - 1;
    }
    return day * 86400 + c->at;
}

/* Whether the rule has daylight time at instant `t` (UTC). */
static int rule_is_dst(const struct rule *r, int64_t t)
{
    if (!r->has_dst)
        return 0;
    int64_t local = t + r->std_off;
    int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int64_t y = year_of_day(day);
    /* The start is given in standard time, the end in daylight time. */
    int64_t start = change_in_year(&r->start, y) - r->std_off;
    int64_t end = change_in_year(&r->end, y) - r->dst_off;
    if (start < end)
        return t >= start && t < end;
    return !(t >= end && t < start); /* southern hemisphere: daylight spans the new year */
}

/* ---- TZif files ----------------------------------------------------- */

static void free_file(void)
{
    free(file.times);
    free(file.index);
    free(file.types);
    free(file.abbrs);
    memset(&file, 0, sizeof file);
}

static int64_t be(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | p[i];
    if (bytes == 4)
        return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

/* Reads at most `max` bytes of `path`; NULL if it cannot. */
static unsigned char *read_small_file(const char *path, size_t max, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    unsigned char *buf = malloc(max);
    size_t n = 0;
    while (buf && n < max) {
        ssize_t got = read(fd, buf + n, max - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    *len = n;
    return buf;
}

/* Parses a TZif file (version 1 data is skipped when version 2+ follows);
 * 0 on success, with `file` filled. Every count is checked against the size. */
static int parse_file(const unsigned char *p, size_t len)
{
    free_file();
    const unsigned char *end = p + len;
    int time_size = 4;
    for (int pass = 0; pass < 2; pass++) {
        if (end - p < 44 || memcmp(p, "TZif", 4) != 0)
            return -1;
        int version = p[4];
        uint64_t isut = (uint32_t)be(p + 20, 4), isstd = (uint32_t)be(p + 24, 4);
        uint64_t leaps = (uint32_t)be(p + 28, 4), times = (uint32_t)be(p + 32, 4);
        uint64_t types = (uint32_t)be(p + 36, 4), chars = (uint32_t)be(p + 40, 4);
        p += 44;
        uint64_t body = times * time_size + times + types * 6 + chars +
                        leaps * (time_size + 4) + isstd + isut;
        if (types == 0 || types > 256 || chars == 0 || body > (uint64_t)(end - p))
            return -1;
        if (pass == 0 && version >= '2') {
            p += body;
            time_size = 8;
            continue;
        }
        file.times = malloc(times ? times * sizeof *file.times : 1);
        file.index = malloc(times ? times : 1);
        file.types = malloc(types * sizeof *file.types);
        file.abbrs = malloc(chars + 1);
        if (!file.times || !file.index || !file.types || !file.abbrs)
            goto bad;
        file.count = times;
        file.type_count = types;
        for (uint64_t i = 0; i < times; i++, p += time_size)
            file.times[i] = be(p, time_size);
        for (uint64_t i = 0; i < times; i++) {
            file.index[i] = *p++;
            if (file.index[i] >= types)
                goto bad;
        }
        for (uint64_t i = 0; i < types; i++, p += 6) {
            file.types[i].off = (long)be(p, 4);
            file.types[i].isdst = p[4] != 0;
            file.types[i].abbr = p[5];
            if (p[5] >= chars)
                goto bad;
        }
        memcpy(file.abbrs, p, chars);
        file.abbrs[chars] = '\0';
        file.abbrs_len = chars;
        p += body - (times * time_size + times + types * 6);
        if (time_size == 8) {
            /* Version 2+ ends with a footer, "\n<POSIX rule or nothing>\n". */
            const unsigned char *nl = end - p > 1 && *p == '\n' ? memchr(p + 1, '\n', end - p - 1) : NULL;
            char footer[128];
            size_t n = nl ? (size_t)(nl - p - 1) : 0;
            if (!nl || n >= sizeof footer)
                goto bad;
            memcpy(footer, p + 1, n);
            footer[n] = '\0';
            file.has_footer = n > 0 && parse_rule(footer, &file.footer) == 0;
        }
        return 0;
    }
bad:
    free_file();
    return -1;
}

static int load_file(const char *name)
{
    char path[320];
    if (name[0] == '/') {
        if (strlen(name) >= sizeof path)
            return -1;
        strcpy(path, name);
    } else {
        /* A name, never a way out of the zone directory. */
        if (strstr(name, "..") || strlen(name) + 21 >= sizeof path)
            return -1;
        strcpy(path, "/usr/share/zoneinfo/");
        strcat(path, name);
    }
    size_t len;
    unsigned char *data = read_small_file(path, 1 << 18, &len);
    if (!data)
        return -1;
    int result = parse_file(data, len);
    free(data);
    return result;
}

/* The type in force before the first transition: the first standard-time
 * type (RFC 8536 says type 0; both agree in real files). */
static size_t initial_type(void)
{
    for (size_t i = 0; i < file.type_count; i++)
        if (!file.types[i].isdst)
            return i;
    return 0;
}

/* How many transitions have happened by instant `t` (binary search). */
static size_t transitions_by(int64_t t)
{
    size_t low = 0, high = file.count; /* times[low - 1] <= t < times[high] */
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (file.times[mid] <= t)
            low = mid + 1;
        else
            high = mid;
    }
    return low;
}

/* ---- the zone at an instant ------------------------------------------- */

struct zone {
    long off;
    int isdst;
    long opposite_off; /* the other kind's offset, for mktime's tm_isdst */
    const char *name;
};

/* The names and offsets of a file without a footer rule: its last
 * standard and daylight types, for tzname and timezone. */
static void rule_from_file(void)
{
    memset(&rule, 0, sizeof rule);
    for (size_t i = 0; i <= file.count; i++) {
        size_t type = i == 0 ? initial_type() : file.index[i - 1];
        const char *abbr = file.abbrs + file.types[type].abbr;
        if (file.types[type].isdst) {
            rule.has_dst = 1;
            rule.dst_off = file.types[type].off;
            snprintf(rule.dst_name, sizeof rule.dst_name, "%s", abbr);
        } else {
            rule.std_off = file.types[type].off;
            snprintf(rule.std_name, sizeof rule.std_name, "%s", abbr);
        }
    }
}

/* Reads the zone again if TZ changed since the last call. */
static void load(void)
{
    const char *tz = getenv("TZ");
    const char *key = tz ? tz : "\1"; /* unset differs from every value */
    if (loaded && strncmp(key, current_tz, sizeof current_tz) == 0)
        return;
    loaded = 1;
    snprintf(current_tz, sizeof current_tz, "%s", key);
    free_file();
    int ok;
    if (!tz)
        ok = use_file = load_file("/etc/localtime") == 0;
    else if (*tz == ':')
        ok = use_file = load_file(tz + 1) == 0;
    else if (!*tz)
        ok = use_file = 0;
    else if (parse_rule(tz, &rule) == 0)
        ok = 1, use_file = 0;
    else
        ok = use_file = load_file(tz) == 0;
    if (!ok) {
        memset(&rule, 0, sizeof rule);
        strcpy(rule.std_name, "UTC");
    } else if (use_file && file.has_footer) {
        rule = file.footer;
    } else if (use_file) {
        rule_from_file();
    }
    tzname[0] = rule.std_name;
    tzname[1] = rule.has_dst ? rule.dst_name : rule.std_name;
    timezone = -rule.std_off;
    daylight = rule.has_dst;
}

static struct zone rule_zone(const struct rule *r, int64_t t)
{
    int dst = rule_is_dst(r, t);
    return (struct zone){
        .off = dst ? r->dst_off : r->std_off,
        .isdst = dst,
        .opposite_off = r->has_dst ? (dst ? r->std_off : r->dst_off) : r->std_off,
        .name = dst ? r->dst_name : r->std_name,
    };
}

static struct zone zone_at(int64_t t)
{
    if (!use_file || (file.has_footer && file.count && t >= file.times[file.count - 1]))
        return rule_zone(&rule, t);
    size_t done = transitions_by(t);
    size_t type = done ? file.index[done - 1] : initial_type();
    struct zone z = {
        .off = file.types[type].off,
        .isdst = file.types[type].isdst,
        .opposite_off = file.types[type].off,
        .name = file.abbrs + file.types[type].abbr,
    };
    /* The opposite kind's offset: the nearest earlier type of that kind. */
    for (size_t i = done; i-- > 0;) {
        size_t other = file.index[i];
        if (file.types[other].isdst != z.isdst) {
            z.opposite_off = file.types[other].off;
            break;
        }
    }
    return z;
}

/* wasi-libc's hook: the zone at `t`, which is UTC, or local wall-clock time
 * when `local` is set (then the offset in force at that wall time; in a gap
 * or an overlap, the one reached from the earlier side). */
void __secs_to_zone(long long t, int local, int *isdst, long *offset, long *oppoff,
                    const char **zonename)
{
    load();
    struct zone z = zone_at(t);
    if (local) {
        /* An offset that maps the wall time back onto itself; in a gap
         * (none does), the smaller one: the clock before it jumped. */
        struct zone first = zone_at(t - z.off);
        if (first.off == z.off) {
            z = first;
        } else {
            struct zone second = zone_at(t - first.off);
            z = second.off == first.off || second.off < first.off ? second : first;
        }
    }
    *isdst = z.isdst;
    *offset = z.off;
    if (oppoff)
        *oppoff = z.opposite_off;
    *zonename = z.name;
}

/* strftime's %Z: the name the broken-down time carries if it is one of
 * ours, else the current zone's name for its tm_isdst. */
const char *__tm_to_tzname(const struct tm *tm)
{
    load();
    const char *p = tm->tm_zone;
    if (p == __utc || p == rule.std_name || p == rule.dst_name ||
        (use_file && p >= file.abbrs && p < file.abbrs + file.abbrs_len))
        return p;
    return tm->tm_isdst > 0 ? tzname[1] : tzname[0];
}

void tzset(void)
{
    load();
}

/* ---- strptime's %z ---------------------------------------------------- */

/* wasi-libc's strptime has no %z (busybox's `date -d '... +0600'` needs it):
 * the link wraps strptime, and the format is cut at each %z, which is read
 * here: "Z", or ±hh, ±hhmm, ±hh:mm, after optional blanks. */
char *__real_strptime(const char *s, const char *format, struct tm *tm);

static const char *parse_numeric_zone(const char *s, long *gmtoff)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == 'Z') {
        *gmtoff = 0;
        return s + 1;
    }
    if (*s != '+' && *s != '-')
        return NULL;
    int negative = *s++ == '-';
    int digits[4], n = 0;
    while (n < 4 && ((*s >= '0' && *s <= '9') || (n == 2 && *s == ':' && s[1] >= '0' && s[1] <= '9'))) {
        if (*s != ':')
            digits[n++] = *s - '0';
        s++;
    }
    if (n != 2 && n != 4)
        return NULL;
    long hours = digits[0] * 10 + digits[1];
    long minutes = n == 4 ? digits[2] * 10 + digits[3] : 0;
    if (hours > 23 || minutes > 59)
        return NULL;
    *gmtoff = (negative ? -1 : 1) * (hours * 3600 + minutes * 60);
    return s;
}

char *__wrap_strptime(const char *s, const char *format, struct tm *tm)
{
    const char *zone = NULL;
    for (const char *f = format; *f; f++) {
        if (*f != '%')
            continue;
        if (f[1] == 'z') {
            zone = f;
            break;
        }
        if (f[1])
            f++; /* "%%" and the other conversions */
    }
    if (!zone)
        return __real_strptime(s, format, tm);
    char head[256];
    size_t n = (size_t)(zone - format);
    if (n >= sizeof head)
        return NULL;
    memcpy(head, format, n);
    head[n] = '\0';
    const char *rest = n ? __real_strptime(s, head, tm) : s;
    long gmtoff;
    if (!rest || !(rest = parse_numeric_zone(rest, &gmtoff)))
        return NULL;
    tm->tm_gmtoff = gmtoff;
    return __wrap_strptime(rest, zone + 2, tm);
}
