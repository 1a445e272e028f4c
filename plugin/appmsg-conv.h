/* appmsg-conv.h — AppMsg in the Conversations and Endpoints tables: one row per TCP connection
 * (per host and port), counting messages and their bytes each way (tshark -z conv,appmsg and
 * -z endpoints,appmsg; Statistics → Conversations / Endpoints → AppMsg in Wireshark). */
#ifndef APPMSG_CONV_H
#define APPMSG_CONV_H

#include <epan/packet.h>

/* Call from proto_register. */
void appmsg_conv_register(int proto);

#endif
