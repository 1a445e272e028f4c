/* appmsg-srt.h — Service Response Time for AppMsg: how long each echo took, per request type
 * (tshark -z appmsg,srt[,filter]; Statistics → Service Response Time → AppMsg in Wireshark).
 *
 * A request is a client message, its response the server message paired with it (the Nth of
 * each side, appmsg-stream.h); the time is the echo's frame time minus the request's. */
#ifndef APPMSG_SRT_H
#define APPMSG_SRT_H

#include <epan/packet.h>

/* Call from proto_register. */
void appmsg_srt_register(int proto);
/* First pass: a request of this type was echoed. The GUI names its table's rows for types
 * above 255 before it reads the packets again, from the types noted here. */
void appmsg_srt_note_request_type(guint32 type);

#endif
