/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated SoC: a backend (backend.h) that stands in for TrustZone, the apps SMMU, the
 * carveout memory and the DSPs, built from whatever device tree it is given
 * (doc/backends.md#simulated-soc).
 * Tests and the quick-start demo run the real lifecycle against it.
 *
 * Model
 * - Physical memory: one memfd holds the simulator's state and, after it, every carveout of
 *   the tree (sparse: untouched pages cost nothing).  The memory ops map views of it.
 * - At most 128 remote processors.
 * - TrustZone, per PAS id: INIT_IMAGE (the metadata is parsed and a copy kept: the "metadata
 *   buffer") -> MEM_SETUP (required when the image is relocatable) -> AUTH_AND_RESET ->
 *   running -> SHUTDOWN.  AUTH_AND_RESET checks, in this order, and fails with a distinct
 *   errno and a log line:
 *     -EBUSY    the PAS id is already running (any call but SHUTDOWN on a running core)
 *     -EHOSTDOWN the core's proxy votes are not held (its power domains and clocks are off)
 *     -EPERM    out of order (no INIT_IMAGE, or its metadata was released)
 *     -ENOEXEC  relocatable image without MEM_SETUP
 *     -EFAULT   the carveout is not mapped IOVA == PA, read+write, on the core's SMMU stream
 *     -ENOLINK  require_bridge is set, the core has a stream (`iommus`) and no live SHM
 *               bridge covers the carveout
 *     -EACCES   the carveout is still mapped for the CPU (an XPU violation on hardware)
 *     -EBADMSG  a hashed segment's digest does not match the bytes in carveout memory
 *   INIT_IMAGE of a main image without the proxy votes and load_state, or (SoCs with a
 *   `dtb_pas_id`) before the DTB image is authenticated, is out of order (-EPERM): the kernel
 *   does both first.  Unknown PAS ids get -ENODEV.  Signatures are not
 *   checked (logged once).
 * - Votes: proxy votes and load_state per core, as the kernel's two lifetimes have them.  The
 *   DSP runs only while load_state is on: a boot without it, or load_state "off" while it
 *   runs, ends in `wdog` ("power collapse").
 * - glink: the edge is only counted (the DSP speaks no rpmsg).  The CORE query reports
 *   whether TrustZone runs the main image and the `ready` and `fatal` levels.
 * - SMMU, per stream: IOVA -> PA table; 4 KiB alignment (-EINVAL), overlap (-EEXIST),
 *   permission (R and/or W required), the arm-smmu software MSI window 0x08000000-0x080fffff
 *   is not usable (-ERANGE).  Unmap must remove whole mappings.
 * - DSP: after AUTH_AND_RESET it "boots" on the simulator's thread by reading every loadable
 *   segment through its SMMU stream; a missing or wrong translation raises `fatal` with crash
 *   reason "smmu fault at iova 0x...".  Otherwise it raises `handover` and `ready` after
 *   ready_delay_ms.  Setting the stop bit raises `stop-ack`.  Interrupts are eventfds.
 *
 * Configuration: text, one setting per line (or separated by ';'), '#' starts a comment.
 * "@/path/file" as the whole config text reads the file instead (rproc_sim_config_load()).
 *   ready_delay_ms=MS        delay from auth to ready (default 20)
 *   boot_delay_ms=MS         delay from auth to the DSP reading its image (default 1)
 *   stop_ack_delay_ms=MS     delay from stop bit to stop-ack (default 1)
 *   slow_auth_ms=MS          AUTH_AND_RESET takes this long (default 0)
 *   auth_us_per_mib=US       AUTH_AND_RESET also takes US microseconds per MiB of the image's
 *                            loaded segments, as TrustZone hashing them would (default 0);
 *                            the caller sleeps, the CPU stays free, other cores go on
 *   auth_hash=0|1            AUTH_AND_RESET checks the hash-table digests against the loaded
 *                            bytes (default 1; 0: the CPU does not hash, -EBADMSG and
 *                            corrupt= are then never seen)
 *   require_bridge=0|1       AUTH_AND_RESET needs an SHM bridge over the carveout (default 1)
 *   bridges=0|1              TZ has SHM bridge mode; 0: create/delete are no-ops (default 1)
 *   bridge_op=0|1            the transport can make bridges; 0: create/delete fail with
 *                            -EOPNOTSUPP (default 1).  A bridge over anything but the
 *                            carveout of a core with `iommus` is refused (-EPERM), as v10 has
 *                            it
 *   stop_ack=0|1             answer the stop bit at all (default 1)
 *   no_stop_ack=CORE         never answer CORE's stop bit
 *   no_ready=CORE            CORE never raises ready (also: no_ready=all)
 *   no_handover=CORE         CORE never raises handover
 *   fail=OP:N[:ERRNO]        the Nth call (1-based, counted over all cores) of OP fails with
 *                            ERRNO (default -EIO; a positive value is a TZ result code);
 *                            OP@CORE:N[:ERRNO] counts only CORE's calls.  N=0: every call.
 *                            OP is one of rproc_sim_ops().
 *   crash=CORE:fatal|wdog:MS[:COUNT]  crash MS ms after ready, COUNT times (default 1,
 *                            0 = every boot)
 *   crash_reason=TEXT        crash reason string for injected crashes
 *   corrupt=CORE:OFFSET      flip a byte at carveout offset OFFSET after every load
 *                            (at AUTH_AND_RESET, before the digest check)
 *   rsc_devmem=0|1           GET_RSCTABLE returns two DEVMEM entries, and a CARVEOUT, a TRACE
 *                            and a vendor entry to skip (default 0: the input echoed with
 *                            ver 1)
 *   minidump=MODE            SMEM item 602 after a crash (doc/boot-sequence.md#coredump):
 *                            0 (default) the table of contents with no subsystem filled in;
 *                            1 a region table per crashed core with a minidump id; absent
 *                            (no item), off (status 0), encrypting (encryption not done);
 *                            what a hostile DSP could write: hostile (regions outside its
 *                            carveout, across its ends, overlapping, wrapping, 2^64 - 1
 *                            bytes long), hostile-count (the same, with a count that runs
 *                            past the carveout), table-outside (the region table in the
 *                            nearest other carveout)
 *   pas_id=CORE:ID           CORE (as the device tree names it) has PAS id ID: a compatible the
 *                            SoC table does not know, or one used by several nodes (the daemon
 *                            needs the same PasId= in the core's [RemoteProc:CORE] section);
 *                            only when the simulator is created
 * Unknown keys or bad values are rejected with the line number.
 */
#ifndef RPROC_SIM_H
#define RPROC_SIM_H

#include <stddef.h>
#include <stdint.h>

#include <rproc/backend.h>
#include <rproc/dt.h>
#include <rproc/error.h>

/*
 * rproc_sim_new() - a simulated SoC for @dt (not kept: the simulator copies what it needs).
 * @config: configuration text as above, "@path" to read a file, or NULL for the defaults.
 * Nodes whose compatible has no PAS id are left out (logged).
 */
int rproc_sim_new(const struct rproc_dt *dt, const char *config, struct rproc_backend **out,
		  struct rproc_error *err);

/* Read a configuration file into a malloc'd string (for rproc_sim_new / rproc_sim_set). */
int rproc_sim_config_load(const char *path, char **text, struct rproc_error *err);

/*
 * rproc_sim_set() - apply more configuration lines at run time (tests): settings replace
 * earlier ones, fail= rules are added with fresh call counters.  "reset" on a line of its own
 * drops every fault-injection rule (fail, crash, corrupt, no_ready, no_stop_ack,
 * no_handover, slow_auth_ms).
 */
int rproc_sim_set(struct rproc_backend *b, const char *config, struct rproc_error *err);

/* The names fail= accepts, NULL-terminated. */
const char *const *rproc_sim_ops(unsigned int *n);

/* What exists right now, for "nothing left behind" assertions. */
struct rproc_sim_usage {
	unsigned int smmu_mappings;    /* live IOVA mappings over all streams */
	unsigned int bridges;          /* live SHM bridges */
	unsigned int metadata_buffers; /* INIT_IMAGE copies not yet released */
	unsigned int running_cores;    /* PAS ids authenticated and not shut down */
	unsigned int cpu_mappings;     /* live memory-op views of carveouts */
	unsigned int domains;          /* open IOMMU contexts */
	unsigned int proxy_votes;      /* cores with proxy votes held */
	unsigned int stop_bits;        /* stop bits left set */
	unsigned int load_states;      /* cores with load_state on */
	unsigned int glink_edges;      /* glink edges registered */
};

void rproc_sim_report(struct rproc_backend *b, struct rproc_sim_usage *u);

/* Total of every count in @u (0 = nothing left). */
unsigned int rproc_sim_usage_total(const struct rproc_sim_usage *u);

/* Counters for tests: calls of @op so far (over all cores). */
unsigned int rproc_sim_calls(struct rproc_backend *b, const char *op);
/* AUTH_AND_RESET calls that are inside their slow_auth_ms now (a test waits for one). */
unsigned int rproc_sim_auth_held(struct rproc_backend *b);

/*
 * Test hooks: raise interrupt @irq of @core now as the DSP would (a crash sets the crash
 * reason to @reason if not NULL); read carveout bytes at physical @pa.
 */
int rproc_sim_raise(struct rproc_backend *b, const char *core, enum rproc_irq irq,
		    const char *reason);
int rproc_sim_read_phys(struct rproc_backend *b, uint64_t pa, void *buf, size_t len);
int rproc_sim_write_phys(struct rproc_backend *b, uint64_t pa, const void *buf, size_t len);

/* Is it the simulator?  (rproc_sim_* functions return -EINVAL for any other backend.) */
int rproc_backend_is_sim(const struct rproc_backend *b);

#endif
