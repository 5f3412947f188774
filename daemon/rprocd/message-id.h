/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Journal MESSAGE_ID= fields of the events an operator acts on.  conf/rprocd.catalog says
 * for each what happened and what to do ("journalctl -x"); tests/install/catalog.sh checks
 * that the two name the same ids.  An id never changes once released (new ones:
 * "systemd-id128 new").
 */
#ifndef RPROCD_MESSAGE_ID_H
#define RPROCD_MESSAGE_ID_H

#define RPROCD_MESSAGE_STARTED "MESSAGE_ID=f1a1a50d7b4c4200938d044b0dc7cdf5"
#define RPROCD_MESSAGE_STOPPED "MESSAGE_ID=acce1b6dbae544538cbe6f6f466d371e"
#define RPROCD_MESSAGE_CRASHED "MESSAGE_ID=3b7c42bcffe842b2965a9369ac0a5bdb"
#define RPROCD_MESSAGE_RECOVERY_GIVEN_UP "MESSAGE_ID=5bd8274a9d3f425d981087d7147f1bcb"
#define RPROCD_MESSAGE_COREDUMP "MESSAGE_ID=69d2e8f2a6e1406a9449af2eb468802e"

/* The fields argument of log_full_fields() for an event with nothing but its id. */
#define MESSAGE_ID_FIELDS(id) ((const char *const[]){ id, NULL })

#endif
