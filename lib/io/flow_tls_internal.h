/*
 * libphonesec - flow: internals of the TLS binding. Never installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_FLOW_TLS_INTERNAL_H
#define PHONESEC_FLOW_TLS_INTERNAL_H

#include "phonesec/flow.h"

#include "core/internal.h"

/* A byte pipe that replaces the TCP socket of every binding connection (the
 * unit tests run real phonesec_tls client connections over memory against
 * in-process servers, on the fake clock). Everything else in the binding
 * (sessions, resumption, handshake, reads and writes) runs unchanged. */
typedef struct phonesec__flow_tls_pipe {
    /* Make the pipe of a new connection to server: fill *io (send, recv,
     * user) and *pipe; 0 or a negative PHONESEC_E_* code. */
    int (*open)(void *user, unsigned server, phonesec_tls_io *io, void **pipe);
    /* 1 when connected (the TCP connect finished), 0 while connecting,
     * negative when it failed. */
    int (*ready)(void *user, void *pipe);
    /* The binding is done with the pipe (after its close_notify). */
    void (*close)(void *user, void *pipe);
    void *user;
} phonesec__flow_tls_pipe;

/* Use pipe (copied; NULL = sockets again) for the binding's next connections. */
PHONESEC__INTERNAL void phonesec__flow_tls_set_pipe(phonesec_flow_tls *b, const phonesec__flow_tls_pipe *pipe);

#endif
