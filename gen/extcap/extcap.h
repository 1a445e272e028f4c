/* extcap.h — appmsg-gen as a Wireshark capture interface ("AppMsg generator").
 *
 * Wireshark runs every program in its extcap folder with --extcap-interfaces; the options dialog
 * comes from --extcap-config; a capture is --capture --fifo PATH with the chosen options, and
 * the traffic is written there at the pace of its timestamps (--rate client segments per
 * second). The model is Wireshark's own randpktdump. */
#ifndef APPMSG_GEN_EXTCAP_H
#define APPMSG_GEN_EXTCAP_H

#include <glib.h>

/* TRUE when the arguments are Wireshark's extcap calls. */
gboolean extcap_called(int argc, char **argv);
int extcap_main(int argc, char **argv);

#endif
