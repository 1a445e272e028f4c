/* appmsg_utf8.h — counting UTF-8 characters, the one place it is done: the dissector's and the
 * generator's "length counts characters" (a length taken of the text before it was encoded). */
#ifndef APPMSG_UTF8_H
#define APPMSG_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Characters that len bytes begin: the bytes that are no continuation byte (10xxxxxx). For
 * valid UTF-8, its characters. */
uint32_t appmsg_utf8_chars(const uint8_t *p, size_t len);

/* Bytes that the first chars characters at p take (by their lead bytes), or 0 when the avail
 * bytes there hold fewer. */
size_t appmsg_utf8_bytes_of_chars(const uint8_t *p, size_t avail, size_t chars);

#endif
