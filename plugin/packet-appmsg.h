/* packet-appmsg.h — entry points the plugin loader calls. */
#ifndef PACKET_APPMSG_H
#define PACKET_APPMSG_H

void proto_register_appmsg(void);
void proto_reg_handoff_appmsg(void);

#endif
