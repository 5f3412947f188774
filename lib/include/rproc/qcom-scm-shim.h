/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qcom-scm-shim UAPI: the character device through which rprocd reaches what only the kernel
 * can do for a PAS remote processor at EL2 (doc/shim.md): the PAS SCM calls with a
 * physically contiguous metadata buffer, SHM bridges, GET_RSCTABLE, a write-combined CPU view
 * of the carveouts, the SMP2P bits in and out, SMEM items and the proxy votes.
 *
 * This one header is shared by librproc (the client) and the kernel module, so it uses only
 * <linux/types.h> / <linux/ioctl.h> types.
 *
 * Rules of the ABI:
 *  - Every argument struct starts with __u32 size, set by the caller to sizeof(struct).  The
 *    module accepts any size >= the first published size of that struct and treats fields
 *    beyond what the caller passed as zero; that is how the ABI grows.
 *  - QCOM_SCM_SHIM_GET_VERSION reports a major version (bumped only on incompatible change;
 *    clients refuse a different major) and a capability mask.  Everything not in
 *    QCOM_SCM_SHIM_CAP_REQUIRED is optional and clients degrade without it.
 *  - The ioctl returns 0 when the SMC itself succeeded; out_result then carries TrustZone's
 *    result[0], which may be a positive failure code
 *    (doc/trustzone-pas.md#result-codes: callers treat any non-zero
 *    value as failure).  A negative errno means the call failed before or inside the SMC.
 *  - Every resource (metadata buffers, SHM bridges, eventfd registrations, the stop bit,
 *    proxy votes, mmaps) belongs to the open file and is released when it is closed.
 *  - Remote processors are named by their platform
 *    device name (doc/devicetree.md#device-names), e.g.
 *    "30000000.remoteproc", from which the module finds the DT node, its SMP2P entries,
 *    power domains and clocks; PAS calls take the PAS id.
 */
#ifndef QCOM_SCM_SHIM_H
#define QCOM_SCM_SHIM_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define QCOM_SCM_SHIM_DEVICE "/dev/qcom_scm_shim"

#define QCOM_SCM_SHIM_VERSION_MAJOR 1
#define QCOM_SCM_SHIM_VERSION_MINOR 0

/* Capability bits (qcom_scm_shim_version.caps). */
#define QCOM_SCM_SHIM_CAP_PAS (1ULL << 0)        /* is_supported..shutdown, metadata release */
#define QCOM_SCM_SHIM_CAP_SHM_BRIDGE (1ULL << 1) /* SHM_BRIDGE_CREATE/DELETE, AUTH bridge flag */
#define QCOM_SCM_SHIM_CAP_RSCTABLE (1ULL << 2)   /* GET_RSCTABLE (SCM 0x21) */
#define QCOM_SCM_SHIM_CAP_MMAP (1ULL << 3)       /* write-combined carveout mmap */
#define QCOM_SCM_SHIM_CAP_SMP2P_IN (1ULL << 4)   /* eventfds for fatal/ready/handover/stop-ack */
#define QCOM_SCM_SHIM_CAP_STOP_BIT (1ULL << 5)   /* outbound SMP2P "stop" bit */
#define QCOM_SCM_SHIM_CAP_SMEM (1ULL << 6)       /* SMEM item read (crash reason, minidump) */
#define QCOM_SCM_SHIM_CAP_PROXY_VOTE (1ULL << 7) /* power domains, clocks, ICC, QMP load_state */
#define QCOM_SCM_SHIM_CAP_REMOTE_STATE (1ULL << 8) /* BOOT SET_REMOTE_STATE */
#define QCOM_SCM_SHIM_CAP_CARVEOUT_FD (1ULL << 9)  /* carveout as a dma-buf (IOMMU_IOAS_MAP_FILE) */
#define QCOM_SCM_SHIM_CAP_WDOG (1ULL << 10)      /* wdog interrupt as an eventfd */

#define QCOM_SCM_SHIM_CAP_REQUIRED QCOM_SCM_SHIM_CAP_PAS

#define QCOM_SCM_SHIM_NAME_LEN 64

/* Interrupt sources a client can register an eventfd for
 * (doc/boot-sequence.md#interrupts-and-timeouts). */
#define QCOM_SCM_SHIM_IRQ_WDOG 0
#define QCOM_SCM_SHIM_IRQ_FATAL 1
#define QCOM_SCM_SHIM_IRQ_READY 2
#define QCOM_SCM_SHIM_IRQ_HANDOVER 3
#define QCOM_SCM_SHIM_IRQ_STOP_ACK 4
#define QCOM_SCM_SHIM_IRQ_COUNT 5

struct qcom_scm_shim_version {
	__u32 size;
	__u32 major;
	__u32 minor;
	__u32 __reserved;
	__u64 caps;
};

/* IS_SUPPORTED, MEM_SETUP, AUTH_AND_RESET, SHUTDOWN, METADATA_RELEASE. */
struct qcom_scm_shim_pas {
	__u32 size;
	__u32 pas_id;
	__u64 addr;       /* MEM_SETUP: carveout; AUTH_AND_RESET with BRIDGE: carveout */
	__u64 length;
	__u32 flags;
	__u32 __reserved;
	__u64 out_result; /* TrustZone result[0] */
};

/*
 * AUTH_AND_RESET flag: create an SHM bridge over [addr, addr + length) first and delete it
 * afterwards whatever the outcome: qcom_scm_pas_prepare_and_auth_reset()
 * (doc/trustzone-pas.md#shm-bridge).
 * A TZ without bridge mode makes both a no-op.
 */
#define QCOM_SCM_SHIM_AUTH_BRIDGE (1U << 0)

/* INIT_IMAGE: the module copies the blob into tzmem / DMA memory and keeps it
 * (doc/trustzone-pas.md#metadata-buffer). */
struct qcom_scm_shim_init_image {
	__u32 size;
	__u32 pas_id;
	__u64 metadata;     /* user pointer */
	__u64 metadata_len;
	__u64 out_result;
};

struct qcom_scm_shim_remote_state {
	__u32 size;
	__u32 state;
	__u32 id;
	__u32 __reserved;
	__u64 out_result;
};

/*
 * GET_RSCTABLE (doc/trustzone-pas.md#get_rsctable).
 * output_len: in, the capacity of output; out, the table size.
 * When TrustZone answers "buffer not sufficient" (result[1] == 20) the ioctl fails with
 * EOVERFLOW and output_len holds the size TrustZone asked for; the client retries once.
 */
struct qcom_scm_shim_rsctable {
	__u32 size;
	__u32 pas_id;
	__u64 input;        /* user pointer: firmware's .resource_table, or a 16-byte header */
	__u64 input_len;
	__u64 output;       /* user pointer */
	__u64 output_len;
	__u64 out_result;
};

struct qcom_scm_shim_bridge {
	__u32 size;
	__u32 __reserved;
	__u64 addr;   /* create: 4 KiB aligned physical address */
	__u64 length; /* create: 4 KiB aligned */
	__u64 handle; /* create: out; delete: in */
};

/* Carveout as a dma-buf fd (CAP_CARVEOUT_FD), for IOMMU_IOAS_MAP_FILE. */
struct qcom_scm_shim_carveout_fd {
	__u32 size;
	__u32 flags;  /* O_CLOEXEC honoured */
	__u64 addr;
	__u64 length;
	__s32 out_fd;
	__u32 __reserved;
};

/* Register (@eventfd >= 0) or drop (-1) the eventfd signalled on @irq of @device. */
struct qcom_scm_shim_irq {
	__u32 size;
	__u32 irq;     /* QCOM_SCM_SHIM_IRQ_* */
	__s32 eventfd;
	__u32 __reserved;
	char device[QCOM_SCM_SHIM_NAME_LEN];
};

/* Outbound SMP2P state of @device: set or clear its "stop" bit. */
struct qcom_scm_shim_stop_bit {
	__u32 size;
	__u32 set;
	char device[QCOM_SCM_SHIM_NAME_LEN];
};

/*
 * Read SMEM item @item (host "any").  buffer_len: in, capacity; out, item size.  A too small
 * buffer fails with EOVERFLOW and the size in buffer_len.
 */
struct qcom_scm_shim_smem {
	__u32 size;
	__u32 item;
	__u64 buffer;   /* user pointer */
	__u64 buffer_len;
};

/* Take (on = 1) or drop (on = 0) the proxy votes of @device (doc/boot-sequence.md#proxy-vote). */
struct qcom_scm_shim_vote {
	__u32 size;
	__u32 on;
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

/*
 * mmap(): the file offset is the physical address of the range (page aligned), which must lie
 * inside a reserved-memory region of a PAS node the module knows; the mapping is
 * write-combined (CAP_MMAP).  The module refuses it while that PAS id is between
 * AUTH_AND_RESET and SHUTDOWN (XPU-locked, doc/iommu.md#cpu-access).
 */

#endif
