/* appmsg-keys.h — what the plugin's files keep per frame (p_add_proto_data under proto appmsg),
 * each under a key of its own. */
#ifndef APPMSG_KEYS_H
#define APPMSG_KEYS_H

typedef enum {
    /* File scope: kept for the whole file, read again when a frame is revisited. */
    APPMSG_KEY_RECORDS,       /* appmsg-stream.c: the frame's per-message records */
    APPMSG_KEY_HEUR_DECISION, /* appmsg-heur.c: what the heuristic decided for the frame */
    APPMSG_KEY_PIECES,        /* appmsg-recv.c: message pieces the frame holds, when above 1 */
    /* Packet scope (pinfo->pool): for one dissection of the frame. */
    APPMSG_KEY_MESSAGE_COUNT, /* packet-appmsg.c: messages of the frame so far */
    APPMSG_KEY_FRAME_PIECES,  /* appmsg-recv.c: the frame's pieces and messages */
} appmsg_key;

#endif
