/* appmsg_wire.h — the AppMsg wire format (docs/protocol.md), the one place it is written.
 *
 * Used by the dissector plugin and by the generator; no Wireshark types here.
 */
#ifndef APPMSG_WIRE_H
#define APPMSG_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APPMSG_MAGIC 0x12345678u
/* The magic as a little-endian sender writes it, read the protocol's way. */
#define APPMSG_MAGIC_LE 0x78563412u

/* Plain layout: magic, type, length, payload. */
#define APPMSG_OFF_MAGIC  0
#define APPMSG_OFF_TYPE   4
#define APPMSG_OFF_LENGTH 8
#define APPMSG_HDR_LEN    12

/* Checked layout: a CRC-32 of the payload follows the length. */
#define APPMSG_OFF_CHECKSUM    12
#define APPMSG_CHECKED_HDR_LEN 16

#define APPMSG_DEFAULT_PORT       65432
#define APPMSG_DEFAULT_MAX_LENGTH 0x1000000u /* 16 MiB */

static inline size_t
appmsg_header_len(bool checked)
{
    return checked ? APPMSG_CHECKED_HDR_LEN : APPMSG_HDR_LEN;
}

/* All integers are unsigned 32-bit big-endian. */
static inline uint32_t
appmsg_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void
appmsg_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* The same fields as a little-endian sender writes them (a mistake: docs/debugging.md). */
static inline uint32_t
appmsg_get_u32_le(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | (uint32_t)p[0];
}

static inline void
appmsg_put_u32_le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Writes a plain header for a payload of payload_len bytes; returns APPMSG_HDR_LEN. */
static inline size_t
appmsg_put_header(uint8_t *out, uint32_t type, uint32_t payload_len)
{
    appmsg_put_u32(out + APPMSG_OFF_MAGIC, APPMSG_MAGIC);
    appmsg_put_u32(out + APPMSG_OFF_TYPE, type);
    appmsg_put_u32(out + APPMSG_OFF_LENGTH, payload_len);
    return APPMSG_HDR_LEN;
}

/* Writes a checked-layout header (with the payload's CRC-32); returns APPMSG_CHECKED_HDR_LEN. */
static inline size_t
appmsg_put_checked_header(uint8_t *out, uint32_t type, uint32_t payload_len, uint32_t checksum)
{
    appmsg_put_header(out, type, payload_len);
    appmsg_put_u32(out + APPMSG_OFF_CHECKSUM, checksum);
    return APPMSG_CHECKED_HDR_LEN;
}

#endif
