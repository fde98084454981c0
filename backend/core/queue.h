/* nl_queue: a thread-safe FIFO of messages with a wake-up file descriptor, so the UI thread can
 * poll() stdin and the queue together. Workers push results; only the owner pops. Messages are
 * moved, never shared: after push the producer must not touch the message. */
#ifndef NL_CORE_QUEUE_H
#define NL_CORE_QUEUE_H

#include <stddef.h>

struct nl_msg {
    int kind;                      /* meaning chosen by the producer and the consumer */
    void *payload;                 /* owned by the message */
    void (*free_payload)(void *p); /* how to release payload; NULL = free() */
    struct nl_msg *next;           /* queue link, private */
};

struct nl_queue;

struct nl_queue *nl_queue_new(void);
/* Frees the queue and every message still in it. */
void nl_queue_free(struct nl_queue **q);

struct nl_msg *nl_msg_new(int kind, void *payload, void (*free_payload)(void *p));
void nl_msg_free(struct nl_msg **m);

/* Takes ownership of m. After nl_queue_close() a push frees m and returns -1. */
int nl_queue_push(struct nl_queue *q, struct nl_msg *m);
/* Returns the oldest message or NULL when empty. Drains the wake-up fd when the queue empties. */
struct nl_msg *nl_queue_pop(struct nl_queue *q);
/* Blocks up to timeout_ms (-1 = forever) for a message; NULL on timeout or when closed and empty.
 */
struct nl_msg *nl_queue_pop_wait(struct nl_queue *q, int timeout_ms);
/* Readable while the queue holds messages. */
int nl_queue_fd(const struct nl_queue *q);
size_t nl_queue_len(struct nl_queue *q);
/* Refuses further pushes and wakes every waiter. */
void nl_queue_close(struct nl_queue *q);

#endif
