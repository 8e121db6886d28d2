/* libFuzzer target for src/tz.c's parsers, built natively by fuzz.sh.
 * An input starting with 'P' is a POSIX TZ rule, anything else a TZif
 * file; whatever parses is then asked for the zone across three centuries
 * (UTC and local), so the rule arithmetic runs on hostile values too. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The host libc declares these; the layer's own stay apart. */
#define tzset wasmux_tzset
#define tzname wasmux_tzname
#define timezone wasmux_timezone
#define daylight wasmux_daylight

#include "../src/tz.c"

char *__real_strptime(const char *s, const char *format, struct tm *tm)
{
    (void)format;
    (void)tm;
    return (char *)s;
}

static void ask_across_the_range(void)
{
    for (long long t = -4000000000LL; t < 8000000000LL; t += 123456789) {
        int isdst;
        long offset, opposite;
        const char *name;
        __secs_to_zone(t, 0, &isdst, &offset, &opposite, &name);
        __secs_to_zone(t, 1, &isdst, &offset, &opposite, &name);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    loaded = 1;
    strcpy(current_tz, "\1"); /* load() keeps what is set up here */
    if (size > 0 && data[0] == 'P') {
        char text[300];
        size_t n = size - 1 < sizeof text - 1 ? size - 1 : sizeof text - 1;
        memcpy(text, data + 1, n);
        text[n] = '\0';
        use_file = 0;
        if (parse_rule(text, &rule) == 0)
            ask_across_the_range();
        return 0;
    }
    if (parse_file(data, size) == 0) {
        use_file = 1;
        if (file.has_footer)
            rule = file.footer;
        else
            rule_from_file();
        ask_across_the_range();
    }
    return 0;
}
