/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR LGPL-2.1-or-later */
/*
 * qcom-scm-shim UAPI: the character device through which rprocd reaches what only the kernel
 * can do for a PAS remote processor at EL2: the PAS SCM calls with a physically contiguous
 * metadata buffer, SHM bridges, GET_RSCTABLE, a write-combined CPU view of the carveouts, the
 * SMP2P bits in and out, SMEM items, the votes and the glink edge.  The module is kernel/ in
 * rprocd's source tree; kernel/README.md and doc/shim.md describe it.
 *
 * This one header is shared by librproc (the client) and the kernel module, so it uses only
 * <linux/types.h> and <linux/ioctl.h> types and compiles as C and C++ in userspace and in the
 * kernel.
 *
 * Rules of the ABI:
 *  - Every argument struct starts with __u32 size, set by the caller to sizeof(struct).  The
 *    module accepts any size from the first published size of that struct up to a page; it
 *    treats fields beyond what the caller passed as zero, refuses (E2BIG) non-zero bytes
 *    beyond what it knows, and writes back at most @size bytes.  The module dispatches on the
 *    ioctl type and number only, not on the size encoded in the request code, so a request
 *    built against an older header still reaches the same handler.  That is how the ABI grows.
 *  - QCOM_SCM_SHIM_GET_VERSION reports a major version (bumped only on an incompatible
 *    change; clients refuse a different major), a minor version and a capability mask.
 *    Everything not in QCOM_SCM_SHIM_CAP_REQUIRED is optional and clients degrade without it;
 *    an ioctl whose capability is absent fails with EOPNOTSUPP.
 *  - A PAS ioctl returns 0 when the SCM call itself succeeded; out_result then carries
 *    TrustZone's result[0], which may be a positive failure code: callers treat any non-zero
 *    value as failure (doc/trustzone-pas.md#result-codes).  A negative errno means the call
 *    failed before or inside the SMC.
 *  - Remote processors ("cores") are named by their platform device name
 *    (doc/devicetree.md#device-names), e.g.
 *    "30000000.remoteproc", from which the module finds the device-tree node, its SMP2P
 *    entries, power domains, clocks and glink edge; PAS calls take the PAS id.  Only PAS ids
 *    and carveouts of the nodes the module found at load are accepted (EPERM otherwise).
 *  - A core belongs to the open file that used it first (EBUSY for any other file).  Every
 *    resource of a core (metadata buffers, SHM bridges, eventfd registrations, the stop bit,
 *    votes, the glink edge, a running core itself) is released when that file is closed,
 *    unless the file asked to keep the core (QCOM_SCM_SHIM_CORE_KEEP): then only the eventfd
 *    registrations go, and the next file that uses the core adopts the rest.
 */
#ifndef QCOM_SCM_SHIM_H
#define QCOM_SCM_SHIM_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define QCOM_SCM_SHIM_DEVICE "/dev/qcom_scm_shim"

#define QCOM_SCM_SHIM_VERSION_MAJOR 1
#define QCOM_SCM_SHIM_VERSION_MINOR 1

/* Capability bits (qcom_scm_shim_version.caps). */
#define QCOM_SCM_SHIM_CAP_PAS _BITULL(0)     /* is_supported..shutdown, metadata release */
#define QCOM_SCM_SHIM_CAP_SHM_BRIDGE _BITULL(1)/* BRIDGE_CREATE/DELETE, AUTH bridge flag */
#define QCOM_SCM_SHIM_CAP_RSCTABLE _BITULL(2)/* GET_RSCTABLE */
#define QCOM_SCM_SHIM_CAP_MMAP _BITULL(3)    /* write-combined carveout mmap */
#define QCOM_SCM_SHIM_CAP_SMP2P_IN _BITULL(4)/* eventfds: fatal/ready/handover/stop-ack */
#define QCOM_SCM_SHIM_CAP_STOP_BIT _BITULL(5)/* outbound SMP2P "stop" bit */
#define QCOM_SCM_SHIM_CAP_SMEM _BITULL(6)    /* SMEM read (crash reason, minidump) */
#define QCOM_SCM_SHIM_CAP_PROXY_VOTE _BITULL(7)/* power domains, clocks, interconnect */
#define QCOM_SCM_SHIM_CAP_REMOTE_STATE _BITULL(8)/* BOOT SET_REMOTE_STATE */
#define QCOM_SCM_SHIM_CAP_CARVEOUT_FD _BITULL(9)/* carveout as a dma-buf (IOMMU_IOAS_MAP_FILE) */
#define QCOM_SCM_SHIM_CAP_WDOG _BITULL(10)   /* wdog interrupt as an eventfd */
/* Since 1.1: */
#define QCOM_SCM_SHIM_CAP_LOAD_STATE _BITULL(11)/* AOSS QMP load_state vote */
#define QCOM_SCM_SHIM_CAP_GLINK _BITULL(12)  /* GLINK: register the glink-edge */
#define QCOM_SCM_SHIM_CAP_CORE _BITULL(13)   /* CORE: query, keep, release */
#define QCOM_SCM_SHIM_CAP_IRQ_LEVEL _BITULL(14)/* CORE query reports SMP2P line levels */

#define QCOM_SCM_SHIM_CAP_REQUIRED QCOM_SCM_SHIM_CAP_PAS

/* qcom_scm_shim_version.flags: a module built with SHIM_TEST=1 (fake TrustZone provider). */
#define QCOM_SCM_SHIM_VERSION_TEST_BUILD _BITUL(0)

#define QCOM_SCM_SHIM_NAME_LEN 64

/* Interrupts an eventfd can be registered for (doc/boot-sequence.md#interrupts-and-timeouts). */
#define QCOM_SCM_SHIM_IRQ_WDOG 0
#define QCOM_SCM_SHIM_IRQ_FATAL 1
#define QCOM_SCM_SHIM_IRQ_READY 2
#define QCOM_SCM_SHIM_IRQ_HANDOVER 3
#define QCOM_SCM_SHIM_IRQ_STOP_ACK 4
#define QCOM_SCM_SHIM_IRQ_COUNT 5

/**
 * struct qcom_scm_shim_version - QCOM_SCM_SHIM_GET_VERSION
 * @size: sizeof(struct qcom_scm_shim_version)
 * @major: out, QCOM_SCM_SHIM_VERSION_MAJOR of the module
 * @minor: out, QCOM_SCM_SHIM_VERSION_MINOR of the module
 * @flags: out, QCOM_SCM_SHIM_VERSION_* (0 before 1.1)
 * @caps: out, QCOM_SCM_SHIM_CAP_* this module offers on this kernel
 */
struct qcom_scm_shim_version {
	__u32 size;
	__u32 major;
	__u32 minor;
	__u32 flags;
	__u64 caps;
};

/**
 * struct qcom_scm_shim_pas - IS_SUPPORTED, MEM_SETUP, AUTH_AND_RESET, SHUTDOWN,
 *	METADATA_RELEASE
 * @size: sizeof(struct qcom_scm_shim_pas)
 * @pas_id: PAS id of a node the module knows (main, DTB or lite image)
 * @addr: MEM_SETUP: start of the range; AUTH_AND_RESET with QCOM_SCM_SHIM_AUTH_BRIDGE:
 *	the carveout
 * @length: length of that range
 * @flags: AUTH_AND_RESET: QCOM_SCM_SHIM_AUTH_*; 0 otherwise
 * @__reserved: 0
 * @out_result: TrustZone's result[0]; for IS_SUPPORTED non-zero means supported
 */
struct qcom_scm_shim_pas {
	__u32 size;
	__u32 pas_id;
	__u64 addr;
	__u64 length;
	__u32 flags;
	__u32 __reserved;
	__u64 out_result;
};

/*
 * AUTH_AND_RESET flag: create an SHM bridge over [addr, addr + length) first and delete it
 * afterwards whatever the outcome, as the kernel's prepare-and-auth-reset does.  The module
 * bridges only when the node has "iommus" (otherwise it authenticates without a bridge, as
 * the kernel does), only inside that node's carveouts, and fails with EOPNOTSUPP where the
 * kernel cannot make bridges (CAP_SHM_BRIDGE absent; doc/trustzone-pas.md#shm-bridge).  A
 * kernel whose TrustZone memory is not in SHM-bridge mode makes the bridge a no-op.
 */
#define QCOM_SCM_SHIM_AUTH_BRIDGE _BITUL(0)

/**
 * struct qcom_scm_shim_init_image - PAS_INIT_IMAGE
 * @size: sizeof(struct qcom_scm_shim_init_image)
 * @pas_id: PAS id
 * @metadata: user pointer to the metadata blob (ELF and program headers, hash segment)
 * @metadata_len: its length, at most 16 MiB
 * @out_result: TrustZone's result[0]
 *
 * The module copies the blob into a physically contiguous buffer TrustZone can read
 * (TrustZone memory when the node has "iommus" and the kernel offers it, coherent DMA memory
 * otherwise) and keeps it until METADATA_RELEASE, the "ready" interrupt, or close
 * (doc/trustzone-pas.md#metadata-buffer).
 */
struct qcom_scm_shim_init_image {
	__u32 size;
	__u32 pas_id;
	__u64 metadata;
	__u64 metadata_len;
	__u64 out_result;
};

/**
 * struct qcom_scm_shim_remote_state - SET_REMOTE_STATE
 * @size: sizeof(struct qcom_scm_shim_remote_state)
 * @state: the state TrustZone is told
 * @id: PAS id of a known node
 * @__reserved: 0
 * @out_result: TrustZone's result
 */
struct qcom_scm_shim_remote_state {
	__u32 size;
	__u32 state;
	__u32 id;
	__u32 __reserved;
	__u64 out_result;
};

/**
 * struct qcom_scm_shim_rsctable - GET_RSCTABLE (doc/trustzone-pas.md#get_rsctable)
 * @size: sizeof(struct qcom_scm_shim_rsctable)
 * @pas_id: PAS id
 * @input: user pointer: the firmware's .resource_table, or a 16-byte empty header
 * @input_len: its length, at most 1 MiB
 * @output: user pointer to the buffer for the table
 * @output_len: in, the capacity of @output; out, the table's size
 * @out_result: 0 (the kernel's GET_RSCTABLE reports TrustZone failures as errnos)
 *
 * When the table does not fit, the ioctl fails with EOVERFLOW and @output_len holds the size
 * needed; the client retries once.  The kernel's own call already asks TrustZone a second
 * time when its first 16 KiB buffer is too small, and refuses tables above 1 GiB.
 */
struct qcom_scm_shim_rsctable {
	__u32 size;
	__u32 pas_id;
	__u64 input;
	__u64 input_len;
	__u64 output;
	__u64 output_len;
	__u64 out_result;
};

/**
 * struct qcom_scm_shim_bridge - BRIDGE_CREATE, BRIDGE_DELETE
 * @size: sizeof(struct qcom_scm_shim_bridge)
 * @__reserved: 0
 * @addr: create: 4 KiB aligned physical address inside the carveout of a node with "iommus"
 * @length: create: 4 KiB aligned length
 * @handle: create: out; delete: in
 *
 * A bridge belongs to the core whose carveout it covers and is deleted when that core is
 * released.  On a kernel whose TrustZone memory is not in SHM-bridge mode the handle is 0 and
 * both calls do nothing.
 */
struct qcom_scm_shim_bridge {
	__u32 size;
	__u32 __reserved;
	__u64 addr;
	__u64 length;
	__u64 handle;
};

/**
 * struct qcom_scm_shim_carveout_fd - CARVEOUT_FD: the carveout as a dma-buf fd
 * @size: sizeof(struct qcom_scm_shim_carveout_fd)
 * @flags: O_CLOEXEC honoured
 * @addr: carveout start
 * @length: carveout length
 * @out_fd: the new fd
 * @__reserved: 0
 *
 * Not offered by the module (CAP_CARVEOUT_FD is never set): iommufd's IOMMU_IOAS_MAP_FILE
 * accepts memfd/shmem files, and dma-bufs only from exporters it knows, so a carveout dma-buf
 * would be refused.  Kept so that another module can offer it.
 */
struct qcom_scm_shim_carveout_fd {
	__u32 size;
	__u32 flags;
	__u64 addr;
	__u64 length;
	__s32 out_fd;
	__u32 __reserved;
};

/**
 * struct qcom_scm_shim_irq - SET_IRQ_EVENTFD
 * @size: sizeof(struct qcom_scm_shim_irq)
 * @irq: QCOM_SCM_SHIM_IRQ_*
 * @eventfd: the eventfd signalled on each rising edge, or -1 to drop the registration
 * @__reserved: 0
 * @device: the core's platform device name, NUL-terminated
 *
 * fatal, ready, handover and stop-ack are SMP2P inputs (CAP_SMP2P_IN).  wdog (CAP_WDOG) is
 * a GIC/PDC line that vfio-platform normally holds: then this fails with EBUSY and the
 * watchdog comes through VFIO.
 */
struct qcom_scm_shim_irq {
	__u32 size;
	__u32 irq;
	__s32 eventfd;
	__u32 __reserved;
	char device[QCOM_SCM_SHIM_NAME_LEN];
};

/**
 * struct qcom_scm_shim_stop_bit - STOP_BIT: the core's outbound SMP2P "stop" bit
 * @size: sizeof(struct qcom_scm_shim_stop_bit)
 * @set: 1 to set, 0 to clear.  The module clears it when the core is released and sets it
 *	on a host panic, as the kernel's own driver does.
 * @device: the core's platform device name
 */
struct qcom_scm_shim_stop_bit {
	__u32 size;
	__u32 set;
	char device[QCOM_SCM_SHIM_NAME_LEN];
};

/**
 * struct qcom_scm_shim_smem - SMEM_READ
 * @size: sizeof(struct qcom_scm_shim_smem)
 * @item: SMEM item (host "any"): a known node's crash-reason item, or 602 (minidump table)
 * @buffer: user pointer
 * @buffer_len: in, capacity; out, the item's size.  A too small buffer fails with EOVERFLOW
 *	and the size needed here.
 */
struct qcom_scm_shim_smem {
	__u32 size;
	__u32 item;
	__u64 buffer;
	__u64 buffer_len;
};

/*
 * Votes, in the two lifetimes the kernel's own driver gives them
 * (doc/boot-sequence.md#proxy-vote):
 *  - PROXY: the power domains at their highest performance level, the "xo" (and "aggre2")
 *    clocks, the cx/px supplies and the interconnect path: taken before the boot, dropped at
 *    "handover" (the core holds its own votes from then on), or at stop or failure when
 *    handover never came;
 *  - LOAD_STATE: the AOSS QMP "load_state" message for the core: "on" before the boot, "off"
 *    only when the core stops or has crashed.
 */
#define QCOM_SCM_SHIM_VOTE_PROXY _BITUL(0)
#define QCOM_SCM_SHIM_VOTE_LOAD_STATE _BITUL(1)

/**
 * struct qcom_scm_shim_vote - PROXY_VOTE
 * @size: sizeof(struct qcom_scm_shim_vote); 72 (ABI 1.0, no @votes) means both kinds
 * @on: 1 to take, 0 to drop; taking a vote held already, or dropping one not held, does
 *	nothing
 * @device: the core's platform device name
 * @votes: QCOM_SCM_SHIM_VOTE_* (since 1.1); 0 means both
 * @__reserved: 0
 */
struct qcom_scm_shim_vote {
	__u32 size;
	__u32 on;
	char device[QCOM_SCM_SHIM_NAME_LEN];
	__u32 votes;
	__u32 __reserved;
};

/* qcom_scm_shim_core.op */
#define QCOM_SCM_SHIM_CORE_QUERY 0   /* report only */
#define QCOM_SCM_SHIM_CORE_KEEP 1    /* keep the core when this file is closed */
#define QCOM_SCM_SHIM_CORE_RELEASE 2 /* release the core now, as a close would */

/* qcom_scm_shim_core.out_state */
#define QCOM_SCM_SHIM_STATE_MINE _BITUL(0)     /* owned by the calling file */
#define QCOM_SCM_SHIM_STATE_OTHER _BITUL(1)    /* owned by another open file */
#define QCOM_SCM_SHIM_STATE_KEPT _BITUL(2)     /* KEEP asked: survives its file's close */
#define QCOM_SCM_SHIM_STATE_RUNNING _BITUL(3)  /* between AUTH_AND_RESET and SHUTDOWN */
#define QCOM_SCM_SHIM_STATE_METADATA _BITUL(4) /* a metadata buffer is held */
#define QCOM_SCM_SHIM_STATE_PROXY _BITUL(5)    /* proxy votes held */
#define QCOM_SCM_SHIM_STATE_LOAD_STATE _BITUL(6)
#define QCOM_SCM_SHIM_STATE_STOP_BIT _BITUL(7) /* stop bit set */
#define QCOM_SCM_SHIM_STATE_GLINK _BITUL(8)    /* glink edge registered */

/**
 * struct qcom_scm_shim_core - CORE: query, keep or release a core
 * @size: sizeof(struct qcom_scm_shim_core)
 * @op: QCOM_SCM_SHIM_CORE_*
 * @device: the core's platform device name
 * @out_state: QCOM_SCM_SHIM_STATE_*, after the operation
 * @out_levels: bit n: the current level of interrupt QCOM_SCM_SHIM_IRQ_n (CAP_IRQ_LEVEL);
 *	a re-adopting daemon reads "ready" and "fatal" here
 * @out_levels_valid: bit n set when the interrupt controller reported that level
 * @out_pas_id: the core's PAS id
 *
 * QUERY neither claims nor changes the core.  KEEP claims it (like any other per-core call):
 * when the file is then closed, the module drops the eventfd registrations only and keeps
 * the votes, the stop bit, the glink edge, the metadata and the running core for the next
 * file that uses the core, so that a daemon restart through the service manager's fd store
 * does not stop a running core.  Claiming a kept core clears KEEP.  RELEASE releases
 * everything of the core in the order a close would (glink edge, eventfds, SHUTDOWN of a
 * running core, bridges, metadata, stop bit, load_state, proxy votes) and disowns it.
 */
struct qcom_scm_shim_core {
	__u32 size;
	__u32 op;
	char device[QCOM_SCM_SHIM_NAME_LEN];
	__u32 out_state;
	__u32 out_levels;
	__u32 out_levels_valid;
	__u32 out_pas_id;
};

/* qcom_scm_shim_glink.op */
#define QCOM_SCM_SHIM_GLINK_UNREGISTER 0
#define QCOM_SCM_SHIM_GLINK_REGISTER 1

/**
 * struct qcom_scm_shim_glink - GLINK: the core's "glink-edge" for rpmsg clients
 * @size: sizeof(struct qcom_scm_shim_glink)
 * @op: REGISTER after "ready": the edge's rpmsg devices appear (fastrpc, audio, qrtr);
 *	UNREGISTER before SHUTDOWN: tells the other edges the core goes down (glink SSR
 *	notification) and removes the edge.  Registering twice or unregistering an edge not
 *	registered does nothing.
 * @device: the core's platform device name
 */
struct qcom_scm_shim_glink {
	__u32 size;
	__u32 op;
	char device[QCOM_SCM_SHIM_NAME_LEN];
};

/*
 * ioctl type 0xBD: free in Documentation/userspace-api/ioctl/ioctl-number.rst as indexed
 * (0xB7 is remoteproc_cdev's and nsfs', 0xB8 mshv's, 0xBA liveupdate's, 0xBF mlxbf-pka's).
 * Not registered: do so before proposing the module upstream.
 */
#define QCOM_SCM_SHIM_IOC 0xBD

#define QCOM_SCM_SHIM_GET_VERSION _IOWR(QCOM_SCM_SHIM_IOC, 0x00, struct qcom_scm_shim_version)
#define QCOM_SCM_SHIM_PAS_IS_SUPPORTED _IOWR(QCOM_SCM_SHIM_IOC, 0x01, struct qcom_scm_shim_pas)
#define QCOM_SCM_SHIM_PAS_INIT_IMAGE _IOWR(QCOM_SCM_SHIM_IOC, 0x02, struct qcom_scm_shim_init_image)
#define QCOM_SCM_SHIM_PAS_MEM_SETUP _IOWR(QCOM_SCM_SHIM_IOC, 0x03, struct qcom_scm_shim_pas)
#define QCOM_SCM_SHIM_PAS_AUTH_AND_RESET _IOWR(QCOM_SCM_SHIM_IOC, 0x04, struct qcom_scm_shim_pas)
#define QCOM_SCM_SHIM_PAS_SHUTDOWN _IOWR(QCOM_SCM_SHIM_IOC, 0x05, struct qcom_scm_shim_pas)
#define QCOM_SCM_SHIM_PAS_METADATA_RELEASE _IOWR(QCOM_SCM_SHIM_IOC, 0x06, struct qcom_scm_shim_pas)
#define QCOM_SCM_SHIM_SET_REMOTE_STATE \
	_IOWR(QCOM_SCM_SHIM_IOC, 0x07, struct qcom_scm_shim_remote_state)
#define QCOM_SCM_SHIM_GET_RSCTABLE _IOWR(QCOM_SCM_SHIM_IOC, 0x08, struct qcom_scm_shim_rsctable)
#define QCOM_SCM_SHIM_BRIDGE_CREATE _IOWR(QCOM_SCM_SHIM_IOC, 0x09, struct qcom_scm_shim_bridge)
#define QCOM_SCM_SHIM_BRIDGE_DELETE _IOW(QCOM_SCM_SHIM_IOC, 0x0a, struct qcom_scm_shim_bridge)
#define QCOM_SCM_SHIM_CARVEOUT_FD _IOWR(QCOM_SCM_SHIM_IOC, 0x0b, struct qcom_scm_shim_carveout_fd)
#define QCOM_SCM_SHIM_SET_IRQ_EVENTFD _IOW(QCOM_SCM_SHIM_IOC, 0x0c, struct qcom_scm_shim_irq)
#define QCOM_SCM_SHIM_STOP_BIT _IOW(QCOM_SCM_SHIM_IOC, 0x0d, struct qcom_scm_shim_stop_bit)
#define QCOM_SCM_SHIM_SMEM_READ _IOWR(QCOM_SCM_SHIM_IOC, 0x0e, struct qcom_scm_shim_smem)
#define QCOM_SCM_SHIM_PROXY_VOTE _IOW(QCOM_SCM_SHIM_IOC, 0x0f, struct qcom_scm_shim_vote)
/* Since 1.1: */
#define QCOM_SCM_SHIM_CORE _IOWR(QCOM_SCM_SHIM_IOC, 0x10, struct qcom_scm_shim_core)
#define QCOM_SCM_SHIM_GLINK _IOW(QCOM_SCM_SHIM_IOC, 0x11, struct qcom_scm_shim_glink)

/*
 * mmap(): the file offset is the physical address of the range (page aligned), which must lie
 * inside a memory-region of a PAS node the module knows; the mapping is write-combined
 * (CAP_MMAP).  The module refuses it (EBUSY) while that core is between AUTH_AND_RESET and
 * SHUTDOWN, when its memory is locked by TrustZone and even a speculative CPU access is an
 * access violation (doc/iommu.md#cpu-access), and refuses AUTH_AND_RESET (EBUSY) while such a
 * mapping exists.
 */

#endif
