/* appmsg-follow.h — Follow → AppMsg Stream: one TCP connection as a transcript, a line per
 * message in stream order, each side in its own colour (tshark -z follow,appmsg,MODE,STREAM).
 * Wireshark's Analyze → Follow menu lists it from 4.2 on; 4.0's menu knows only its own
 * protocols (docs/dissector.md). */
#ifndef APPMSG_FOLLOW_H
#define APPMSG_FOLLOW_H

/* Call from proto_register. */
void appmsg_follow_register(int proto);

#endif
