/* appmsg_json.c — a strict, non-allocating JSON grammar check (RFC 8259). */
#include <glib.h>

#include "appmsg_json.h"
#include "appmsg_kinds.h"

typedef struct {
    const uint8_t *p, *start, *end;
    const char *problem;
    appmsg_json_tokens *out; /* NULL: check only */
} cursor;

/* A new token of type starting at p (a string's after its quote); its index, or SIZE_MAX when
 * it is only counted (no token list, or the list is full). */
static size_t
token_start(cursor *c, appmsg_json_type type, const uint8_t *p)
{
    if (!c->out)
        return SIZE_MAX;
    size_t i = c->out->count++;
    if (i >= c->out->cap)
        return SIZE_MAX;
    c->out->tok[i] = (appmsg_json_token){type, (uint32_t)(p - c->start), 0, 0};
    return i;
}

static void
token_end(cursor *c, size_t i, const uint8_t *p)
{
    if (i != SIZE_MAX)
        c->out->tok[i].end = (uint32_t)(p - c->start);
}

static bool parse_value(cursor *c, unsigned depth);

static bool
fail(cursor *c, const char *problem)
{
    if (!c->problem)
        c->problem = problem;
    return false;
}

static void
skip_ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static bool
is_digit(const cursor *c)
{
    return c->p < c->end && *c->p >= '0' && *c->p <= '9';
}

static bool
is_hex(uint8_t b)
{
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
}

static bool
parse_literal(cursor *c, const char *word)
{
    for (; *word; word++, c->p++)
        if (c->p >= c->end || *c->p != (uint8_t)*word)
            return fail(c, "invalid literal");
    return true;
}

static bool
parse_number(cursor *c)
{
    if (c->p < c->end && *c->p == '-')
        c->p++;
    if (!is_digit(c))
        return fail(c, "invalid number");
    if (*c->p == '0')
        c->p++;
    else
        while (is_digit(c))
            c->p++;
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (!is_digit(c))
            return fail(c, "invalid number");
        while (is_digit(c))
            c->p++;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
            c->p++;
        if (!is_digit(c))
            return fail(c, "invalid number");
        while (is_digit(c))
            c->p++;
    }
    return true;
}

/* One UTF-8 sequence starting at a byte >= 0x80 (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF); the lead byte's range limits the first continuation byte. */
static bool
skip_utf8(cursor *c)
{
    const uint8_t b = *c->p;
    uint8_t lo = 0x80, hi = 0xBF;
    int more;

    if (b >= 0xC2 && b <= 0xDF)
        more = 1;
    else if (b >= 0xE0 && b <= 0xEF) {
        more = 2;
        lo = b == 0xE0 ? 0xA0 : 0x80;
        hi = b == 0xED ? 0x9F : 0xBF;
    } else if (b >= 0xF0 && b <= 0xF4) {
        more = 3;
        lo = b == 0xF0 ? 0x90 : 0x80;
        hi = b == 0xF4 ? 0x8F : 0xBF;
    } else
        return fail(c, "invalid UTF-8");
    if (c->end - c->p <= more || c->p[1] < lo || c->p[1] > hi)
        return fail(c, "invalid UTF-8");
    for (int i = 2; i <= more; i++)
        if (c->p[i] < 0x80 || c->p[i] > 0xBF)
            return fail(c, "invalid UTF-8");
    c->p += more + 1;
    return true;
}

/* Bytes a string holds as they are: printable ASCII but the quote and the backslash. */
/* clang-format off */
static const uint8_t plain_byte[256] = {
    /* 0x00 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x10 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x20 */ 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x30 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x40 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x50 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    /* 0x60 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x70 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x80 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x90 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0xA0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0xB0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0xC0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0xD0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0xE0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0xF0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};
/* clang-format on */

static bool
parse_string(cursor *c)
{
    size_t t = token_start(c, APPMSG_JSON_STRING, ++c->p); /* after the opening quote */

    while (c->p < c->end) {
        uint8_t b;
        /* Most bytes are plain ASCII: pass them in a tight loop. */
        while (c->p < c->end && plain_byte[*c->p])
            c->p++;
        if (c->p >= c->end)
            break;
        b = *c->p;
        if (b == '"') {
            token_end(c, t, c->p++);
            return true;
        }
        if (b < 0x20)
            return fail(c, "control character in string");
        if (b >= 0x80) {
            if (!skip_utf8(c))
                return false;
            continue;
        }
        if (b == '\\') {
            c->p++;
            if (c->p >= c->end)
                break;
            switch (*c->p) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
                c->p++;
                break;
            case 'u':
                for (int i = 1; i <= 4; i++)
                    if (c->p + i >= c->end || !is_hex(c->p[i]))
                        return fail(c, "invalid \\u escape");
                c->p += 5;
                break;
            default:
                return fail(c, "invalid escape");
            }
            continue;
        }
        c->p++;
    }
    return fail(c, "unterminated string");
}

/* Objects and arrays: open, [item (, item)*], close. */
static bool
parse_container(cursor *c, unsigned depth, uint8_t close, bool members)
{
    if (depth >= APPMSG_JSON_MAX_DEPTH)
        return fail(c, "nested too deeply");
    size_t t = token_start(c, members ? APPMSG_JSON_OBJECT : APPMSG_JSON_ARRAY, c->p);
    c->p++;
    skip_ws(c);
    if (c->p < c->end && *c->p == close) {
        token_end(c, t, ++c->p);
        return true;
    }
    for (;;) {
        if (t != SIZE_MAX)
            c->out->tok[t].size++;
        if (members) {
            skip_ws(c);
            if (c->p >= c->end || *c->p != '"')
                return fail(c, "expected a member name");
            if (!parse_string(c))
                return false;
            skip_ws(c);
            if (c->p >= c->end || *c->p != ':')
                return fail(c, "expected ':'");
            c->p++;
        }
        if (!parse_value(c, depth + 1))
            return false;
        skip_ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == close) {
            token_end(c, t, ++c->p);
            return true;
        }
        return fail(c, members ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

/* true, false, null or a number: one token. */
static bool
parse_primitive(cursor *c)
{
    const uint8_t *from = c->p;
    bool ok;

    switch (*c->p) {
    case 't':
        ok = parse_literal(c, "true");
        break;
    case 'f':
        ok = parse_literal(c, "false");
        break;
    case 'n':
        ok = parse_literal(c, "null");
        break;
    default:
        if (*c->p != '-' && (*c->p < '0' || *c->p > '9'))
            return fail(c, "expected a value");
        ok = parse_number(c);
    }
    if (ok)
        token_end(c, token_start(c, APPMSG_JSON_PRIMITIVE, from), c->p);
    return ok;
}

static bool
parse_value(cursor *c, unsigned depth)
{
    skip_ws(c);
    if (c->p >= c->end)
        return fail(c, "expected a value");
    switch (*c->p) {
    case '{':
        return parse_container(c, depth, '}', true);
    case '[':
        return parse_container(c, depth, ']', false);
    case '"':
        return parse_string(c);
    default:
        return parse_primitive(c);
    }
}

static bool
json_valid(const uint8_t *buf, size_t len, appmsg_json_error *err, appmsg_json_tokens *out)
{
    cursor c = {buf, buf, buf + len, NULL, out};
    bool ok = parse_value(&c, 0);

    if (ok) {
        skip_ws(&c);
        if (c.p < c.end)
            ok = fail(&c, "more after the JSON value");
    }
    if (!ok && err) {
        err->offset = (size_t)(c.p - c.start);
        err->problem = c.problem;
    }
    return ok;
}

bool
appmsg_json_valid(const uint8_t *buf, size_t len, appmsg_json_error *err)
{
    return json_valid(buf, len, err, NULL);
}

uint32_t
appmsg_payload_check(const uint8_t *buf, size_t len, appmsg_json_error *err)
{
    return appmsg_payload_check_tokens(buf, len, err, NULL);
}

uint32_t
appmsg_payload_check_tokens(const uint8_t *buf, size_t len, appmsg_json_error *err,
                            appmsg_json_tokens *tokens)
{
    const char *end;

    if (tokens)
        tokens->count = 0;
    if (json_valid(buf, len, err, tokens))
        return 0;
    /* Not JSON: is it text at all? (glib's check also refuses NUL bytes, as JSON text does) */
    if (!g_utf8_validate((const char *)buf, (gssize)len, &end)) {
        err->offset = (size_t)(end - (const char *)buf);
        err->problem = "not UTF-8";
        return APPMSG_ERR_NOT_UTF8;
    }
    return APPMSG_ERR_NOT_JSON;
}
