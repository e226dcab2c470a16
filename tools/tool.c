/* Helpers shared by the phonesec tool's subcommands. */
#include <errno.h>
#include <stdlib.h>

#include "tool.h"

int tool_parse_u64(const char *s, int base, uint64_t max, uint64_t *v)
{
    char *end;
    unsigned long long x;
    if (s == NULL || *s < '0' || *s > '9') /* no sign, no space, not empty */
        return -1;
    errno = 0;
    x = strtoull(s, &end, base);
    if (errno != 0 || *end != '\0' || x > max)
        return -1;
    *v = (uint64_t)x;
    return 0;
}

int tool_parse_u32(const char *s, uint32_t *v)
{
    uint64_t x;
    if (tool_parse_u64(s, 0, 0xffffffffu, &x) != 0)
        return -1;
    *v = (uint32_t)x;
    return 0;
}
