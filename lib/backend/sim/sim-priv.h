/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals of the simulated SoC.  Everything a restarted daemon must find again (TrustZone
 * state, SMMU tables, bridges, memory) lives in one memfd: struct sim_shared at offset 0,
 * then the metadata buffers, then every carveout.  Process-local state (eventfds, the DSP
 * timers, CPU views, open domains, fault-injection counters) lives in struct sim.
 */
#ifndef RPROC_SIM_PRIV_H
#define RPROC_SIM_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "rproc/backend.h"
#include "rproc/sim.h"
#include "util.h"

#define SIM_MAGIC 0x31304d4953435052ULL /* "RPCSIM01" */
#define SIM_VERSION 3 /* 3: the votes in two lifetimes */
#define SIM_MAX_CORES 128 /* trees as large as the scaling benchmark's */
#define SIM_MAX_PAS 256
#define SIM_MAX_REGIONS 256
#define SIM_MAX_MAPS 1024
#define SIM_MAX_BRIDGES 128
#define SIM_MAX_SEGS 64
#define SIM_META_MAX (64 * 1024)
#define SIM_PAGE 4096ull
#define SIM_FD_NAME "rproc-sim"

/* arm-smmu software MSI window (doc/iommu.md#msi-window) */
#define SIM_MSI_BASE 0x08000000ull
#define SIM_MSI_LAST 0x080fffffull
#define SIM_IOVA_LAST 0xffffffffffffull /* 48-bit input address space */

enum sim_op {
	SIM_OP_IS_SUPPORTED,
	SIM_OP_INIT_IMAGE,
	SIM_OP_MEM_SETUP,
	SIM_OP_AUTH_AND_RESET,
	SIM_OP_SHUTDOWN,
	SIM_OP_METADATA_RELEASE,
	SIM_OP_SET_REMOTE_STATE,
	SIM_OP_GET_RSC_TABLE,
	SIM_OP_SHM_BRIDGE_CREATE,
	SIM_OP_SHM_BRIDGE_DELETE,
	SIM_OP_SHM_BRIDGE_RELEASE,
	SIM_OP_PROXY_VOTE,
	SIM_OP_PROXY_UNVOTE,
	SIM_OP_LOAD_STATE,
	SIM_OP_STOP_BIT,
	SIM_OP_GLINK,
	SIM_OP_CORE_QUERY,
	SIM_OP_CRASH_REASON,
	SIM_OP_SMEM_READ,
	SIM_OP_IOMMU_OPEN,
	SIM_OP_IOVA_RANGES,
	SIM_OP_IOMMU_MAP,
	SIM_OP_IOMMU_UNMAP,
	SIM_OP_MEM_MAP,
	SIM_OP_IRQ_OPEN,
	SIM_OP_COUNT,
};

enum sim_tz_state {
	TZ_IDLE,
	TZ_INIT,    /* INIT_IMAGE accepted */
	TZ_SETUP,   /* MEM_SETUP accepted */
	TZ_RUNNING, /* AUTH_AND_RESET accepted, until SHUTDOWN */
};

enum sim_dsp_state {
	DSP_OFF,
	DSP_BOOTING, /* authenticated, about to read its image */
	DSP_BOOTED,  /* image read, ready pending */
	DSP_UP,      /* ready raised */
	DSP_CRASHED,
};

struct sim_region {
	uint64_t base;
	uint64_t size;
	uint64_t off; /* in the memfd */
};

struct sim_seg {
	uint64_t iova;
	uint64_t len;
};

/* TrustZone's view of one PAS id. */
struct sim_pas {
	int32_t pas_id;
	uint32_t core;
	uint32_t region;
	uint32_t is_dtb;
	uint32_t state; /* enum sim_tz_state */
	uint32_t meta_held;
	uint32_t meta_len;
	uint32_t relocatable;
	uint64_t min_addr;
	uint64_t span;
	uint64_t setup_addr;
	uint64_t setup_size;
	uint64_t meta_off; /* metadata buffer in the memfd */
	uint32_t n_segs;
	uint32_t pad;
	struct sim_seg segs[SIM_MAX_SEGS]; /* loadable segments, relative to the load base */
	uint64_t load_base;                /* physical base the image was authenticated at */
};

struct sim_core {
	char name[32];
	uint32_t has_stream;
	uint32_t sid;
	int32_t main_pas; /* index in pas[] */
	int32_t dtb_pas;  /* index in pas[] or -1 */
	int32_t crash_reason_smem;
	int32_t minidump_id;
	uint32_t dsp_state; /* enum sim_dsp_state */
	uint32_t stop_bit;
	uint32_t proxy_voted;
	uint32_t boots;
	uint32_t dumpable; /* crashed since the last boot: minidump table present */
	uint32_t load_state; /* AOSS load_state "on": the DSP has power */
	uint32_t glink;      /* glink edge registered */
	uint32_t pad;
	uint64_t up_ns; /* CLOCK_MONOTONIC when ready was raised */
	char crash_reason[256];
};

struct sim_map {
	uint32_t used;
	uint32_t core; /* stream owner */
	uint32_t prot;
	uint32_t pad;
	uint64_t iova;
	uint64_t pa;
	uint64_t size;
};

struct sim_bridge {
	uint32_t used;
	uint32_t pad;
	uint64_t handle;
	uint64_t pa;
	uint64_t size;
};

struct sim_shared {
	uint64_t magic;
	uint32_t version;
	uint32_t n_cores;
	uint32_t n_pas;
	uint32_t n_regions;
	uint64_t total_size;
	uint64_t next_handle;
	struct sim_region regions[SIM_MAX_REGIONS];
	struct sim_core cores[SIM_MAX_CORES];
	struct sim_pas pas[SIM_MAX_PAS];
	struct sim_map maps[SIM_MAX_MAPS];
	struct sim_bridge bridges[SIM_MAX_BRIDGES];
};

struct sim_fail {
	int op;
	int core; /* -1: any */
	unsigned int nth; /* 0: every call */
	int err;
	unsigned int seen;
};

struct sim_crash {
	int core;
	enum rproc_irq irq;
	unsigned int ms;
	unsigned int count; /* 0: every boot */
	unsigned int done;
};

struct sim_corrupt {
	int core;
	uint64_t off;
};

/* What SMEM item 602 holds after a crash (minidump= in sim.h, doc/boot-sequence.md#coredump). */
enum sim_minidump {
	SIM_MD_EMPTY,         /* "0": the global table, no subsystem filled in */
	SIM_MD_VALID,         /* "1": a well-formed region table per crashed core */
	SIM_MD_ABSENT,        /* no item 602 */
	SIM_MD_OFF,           /* the global table with status 0 */
	SIM_MD_ENCRYPTING,    /* filled in, encryption not done */
	SIM_MD_HOSTILE,       /* regions outside the carveout, overlapping, absurd sizes */
	SIM_MD_HOSTILE_COUNT, /* the same, and a region count running past the carveout */
	SIM_MD_TABLE_OUTSIDE, /* the region table itself outside the carveout */
	_SIM_MD_MAX,
};

#define SIM_MAX_RULES 32

struct sim_config {
	unsigned int ready_delay_ms;
	unsigned int boot_delay_ms;
	unsigned int stop_ack_delay_ms;
	unsigned int slow_auth_ms;
	unsigned int auth_us_per_mib; /* TrustZone's authentication time per MiB of image */
	bool auth_hash;               /* AUTH_AND_RESET checks the digests */
	bool require_bridge;
	bool bridges;
	bool bridge_op;
	bool stop_ack;
	bool rsc_devmem;
	enum sim_minidump minidump;
	uint32_t no_ready[SIM_MAX_CORES / 32]; /* bit per core: sim_core_bit() */
	uint32_t no_stop_ack[SIM_MAX_CORES / 32];
	uint32_t no_handover[SIM_MAX_CORES / 32];
	unsigned int n_fails;
	struct sim_fail fails[SIM_MAX_RULES];
	unsigned int n_crashes;
	struct sim_crash crashes[SIM_MAX_RULES];
	unsigned int n_corrupt;
	struct sim_corrupt corrupt[SIM_MAX_RULES];
	char crash_reason[200];
};

static inline bool sim_core_bit(const uint32_t *mask, unsigned int core)
{
	return mask[core / 32] & (1u << (core % 32));
}

/* What must be known before the machine is laid out: PAS ids the SoC table does not give. */
struct sim_layout_config {
	unsigned int n;
	struct {
		char core[32];
		int32_t pas_id;
		unsigned int line;
		bool used;
	} pas[SIM_MAX_CORES];
};

/* Process-local per-core state: interrupts and the DSP's timers (CLOCK_MONOTONIC ns, 0 = none). */
struct sim_core_local {
	int irq[RPROC_IRQ_COUNT];
	bool irq_open;
	bool domain_open;
	uint64_t boot_at;
	uint64_t handover_at;
	uint64_t ready_at;
	uint64_t stop_ack_at;
	uint64_t crash_at;
	enum rproc_irq crash_irq;
	int crash_rule;
};

struct sim_view {
	uint64_t phys;
	uint64_t size;
};

/*
 * The CPU's window on one region: a shared mapping of the whole region made on its first view
 * and kept, PROT_NONE between views.  A view opens part of it (mprotect) and closes it again, so
 * a load pays neither an mmap() that populates the carveout nor a munmap() that zaps it, and a
 * stray access after the view is closed still faults.
 */
struct sim_window {
	uint8_t *base;    /* NULL until the first view */
	uint64_t pop_lo;  /* [pop_lo, pop_hi): offsets whose pages are known present */
	uint64_t pop_hi;
	uint64_t open_off; /* the open view, page aligned, while open_len != 0 */
	uint64_t open_len;
};

struct sim {
	struct rproc_backend b;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool thread_started;
	bool quit;

	int memfd;
	uint8_t *mem;
	uint64_t mem_size;
	struct sim_shared *sh;

	struct sim_config cfg;
	struct sim_core_local local[SIM_MAX_CORES];
	unsigned int cpu_mappings;
	struct sim_view views[64];
	struct sim_window windows[SIM_MAX_REGIONS];
	unsigned int domains;
	unsigned int calls[SIM_OP_COUNT];
	unsigned int auth_held; /* AUTH_AND_RESET calls inside their slow_auth_ms now */
	unsigned int core_calls[SIM_MAX_CORES][SIM_OP_COUNT];
	bool signature_logged;
};

struct sim_domain {
	struct sim *sim;
	unsigned int core;
};

/* sim-state.c: below every other file of the simulator */
int sim_fault(struct sim *s, enum sim_op op, int core);
int sim_core_by_name(const struct sim *s, const char *name);
struct sim_pas *sim_pas_by_id(struct sim *s, uint32_t pas_id);
struct sim_region *sim_region_of(struct sim *s, uint64_t pa, uint64_t len);
uint8_t *sim_phys(struct sim *s, uint64_t pa, uint64_t len);
void sim_raise(struct sim *s, unsigned int core, enum rproc_irq irq);
void sim_kick(struct sim *s);
const char *sim_op_to_string(enum sim_op op);
int sim_op_from_string(const char *name);

/* sim-config.c */
int sim_config_parse(struct sim *s, struct sim_config *c, const char *text, bool runtime,
		     struct rproc_error *err);
int sim_config_layout(const char *text, struct sim_layout_config *l, struct rproc_error *err);
void sim_config_defaults(struct sim_config *c);

/* sim-mem.c */
extern const struct rproc_mem_ops sim_mem_ops;
void sim_mem_windows_release(struct sim *s);
extern const struct rproc_irq_ops sim_irq_ops;

/* sim-tz.c */
extern const struct rproc_pas_ops sim_pas_ops;

/* sim-smmu.c */
extern const struct rproc_iommu_ops sim_iommu_ops;
bool sim_smmu_covers(struct sim *s, unsigned int core, uint64_t iova, uint64_t len,
		     uint32_t prot, bool identity, uint64_t *fault_iova);
unsigned int sim_smmu_count(struct sim *s);

/* sim-dsp.c: the DSP model and its thread (called with s->lock held except start/stop) */
void sim_dsp_authenticated(struct sim *s, unsigned int core);
void sim_dsp_shutdown(struct sim *s, unsigned int core);
void sim_dsp_stop_bit(struct sim *s, unsigned int core, bool set);
void sim_dsp_resume(struct sim *s);
int sim_dsp_thread_start(struct sim *s);
void sim_dsp_thread_stop(struct sim *s);
void sim_dsp_crash(struct sim *s, unsigned int core, enum rproc_irq irq, const char *reason);

#endif
