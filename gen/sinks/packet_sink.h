/* packet_sink.h — where finished frames go (last stage of the pipeline).
 *
 * A sink writes frames somewhere (a pcap file, later pcapng, a socket, an extcap fifo). Output
 * is complete only after commit(); discard() removes whatever was written. Both free the sink. */
#ifndef APPMSG_GEN_PACKET_SINK_H
#define APPMSG_GEN_PACKET_SINK_H

#include <glib.h>

typedef struct packet_sink packet_sink;

struct packet_sink {
    gboolean (*write)(packet_sink *self, guint64 ts_usec, const guint8 *frame, guint32 len,
                      GError **err);
    /* Hands buffered frames to the reader now (a live reader of a fifo). */
    gboolean (*flush)(packet_sink *self, GError **err);
    gboolean (*commit)(packet_sink *self, GError **err);
    void (*discard)(packet_sink *self);
};

#define APPMSG_GEN_ERROR (g_quark_from_static_string("appmsg-gen"))

#endif
