/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-compatible PAS data, the userspace counterpart of the kernel's qcom_q6v5_pas adsp_data.
 * The PAS id is in neither the device tree nor the firmware: it has to come from this table
 * (or from the configuration for compatibles the table does not know).
 */
#ifndef RPROC_SOC_H
#define RPROC_SOC_H

#include <stdbool.h>
#include <stdint.h>

#define RPROC_NO_ID (-1)

struct rproc_soc_data {
	const char *compatible;
	int pas_id;               /* PAS id for the main image */
	int dtb_pas_id;           /* PAS id of the second (DTB) image, RPROC_NO_ID if none */
	int lite_pas_id;          /* shut down before the main load (X1E ADSP), or RPROC_NO_ID */
	int crash_reason_smem;    /* SMEM item with the crash reason string, RPROC_NO_ID if none */
	int minidump_id;          /* minidump subsystem id, RPROC_NO_ID if none */
	const char *firmware;     /* default main firmware name (no directory) */
	const char *dtb_firmware; /* default DTB firmware name, NULL if none */
	const char *load_state;   /* AOSS QMP load_state name, NULL if none */
	const char *sysmon_name;  /* sysmon name, NULL if none */
	const char *ssr_name;     /* SSR / glink-edge name (qcom_glink_ssr_notify), NULL if none */
	bool auto_boot;
	bool decrypt_shutdown;    /* retry SHUTDOWN every 100 ms up to 50 times */
};

/* rproc_soc_lookup() - the table entry for @compatible, or NULL if unknown. */
const struct rproc_soc_data *rproc_soc_lookup(const char *compatible);

/* Iterate the whole table: returns entry @i, or NULL past the end. */
const struct rproc_soc_data *rproc_soc_entry(unsigned int i);

#endif
