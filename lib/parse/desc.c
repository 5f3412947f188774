// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * From a device-tree entry and its SoC data to what the lifecycle needs (struct rproc_desc):
 * which PAS ids, which firmware files into which carveouts.  The rules follow the kernel's
 * adsp_probe()/adsp_alloc_memory_region() (qcom_q6v5_pas.c,
 * doc/boot-sequence.md#dtb-image, doc/devicetree.md#sa8775p).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rproc/backend.h"
#include "rproc/fw.h"
#include "string-table.h"
#include "util.h"

static const char *const rproc_irq_table[RPROC_IRQ_COUNT] = {
	[RPROC_IRQ_WDOG] = "wdog",
	[RPROC_IRQ_FATAL] = "fatal",
	[RPROC_IRQ_READY] = "ready",
	[RPROC_IRQ_HANDOVER] = "handover",
	[RPROC_IRQ_STOP_ACK] = "stop-ack",
};

/* The interrupt-names entry for @irq (qcom,pas-common.yaml, doc/devicetree.md#pas-binding). */
DEFINE_STRING_TABLE_LOOKUP_TO_STRING_STATIC(rproc_irq, enum rproc_irq);

const char *rproc_irq_name(enum rproc_irq irq)
{
	return rproc_irq_to_string(irq) ?: "unknown";
}

void rproc_desc_clear(struct rproc_desc *d)
{
	if (!d)
		return;
	free(d->devmem);
	d->devmem = NULL;
	d->n_devmem = 0;
}

static int desc_set_firmware(struct rproc_desc *d, unsigned int idx, const char *name,
			     const char *what, struct rproc_error *err)
{
	int ret;

	ret = rproc_fw_name_valid(name, err);
	if (ret < 0)
		return rproc_err_prefix(err, ret, "%s firmware name \"%s\"", what, name);
	if (strlen(name) >= sizeof(d->firmware[idx]))
		return rproc_err(err, -ENAMETOOLONG, "%s firmware name longer than %zu bytes", what,
				 sizeof(d->firmware[idx]) - 1);
	strcpy(d->firmware[idx], name);
	return 0;
}

static int desc_fill(const struct rproc_dt_rproc *dt, int pas_id_override,
		     const char *firmware_override, struct rproc_desc *d, struct rproc_error *err)
{
	const struct rproc_soc_data *soc = dt->soc;
	const char *fw;
	bool dtb;
	int ret;

	if (dt->error)
		return rproc_err(err, dt->error, "%s", dt->error_msg);
	snprintf(d->name, sizeof(d->name), "%s", dt->name);
	snprintf(d->compatible, sizeof(d->compatible), "%s", dt->compatible);
	snprintf(d->device, sizeof(d->device), "%s", dt->device);
	snprintf(d->node, sizeof(d->node), "%s", dt->node);

	/* The PAS id is in neither the DT nor the firmware (doc/devicetree.md#sa8775p): table or
	 * configuration. */
	if (pas_id_override >= 0)
		d->pas_id = pas_id_override;
	else if (soc)
		d->pas_id = soc->pas_id;
	else
		return rproc_err(err, -ENOENT,
				 "no PAS id known for %s; set PasId= in the [%s] section of "
				 "rprocd.conf", dt->compatible, dt->name);
	d->dtb_pas_id = soc ? soc->dtb_pas_id : RPROC_NO_ID;
	d->lite_pas_id = soc ? soc->lite_pas_id : RPROC_NO_ID;
	d->crash_reason_smem = soc ? soc->crash_reason_smem : RPROC_NO_ID;
	d->minidump_id = soc ? soc->minidump_id : RPROC_NO_ID;
	d->decrypt_shutdown = soc && soc->decrypt_shutdown;
	dtb = d->dtb_pas_id != RPROC_NO_ID;

	/* Main image: configuration, else firmware-name[0], else the driver's default. */
	fw = firmware_override;
	if (!fw && dt->n_firmware >= 1)
		fw = dt->firmware[0];
	if (!fw && soc)
		fw = soc->firmware;
	if (!fw)
		return rproc_err(err, -ENOENT,
				 "no firmware name: %s has no firmware-name and %s is not in "
				 "the SoC table; set Firmware= in the [%s] section of rprocd.conf",
				 dt->node, dt->compatible, dt->name);
	ret = desc_set_firmware(d, 0, fw, "main", err);
	if (ret < 0)
		return ret;
	d->n_firmware = 1;

	/* DTB image (doc/boot-sequence.md#dtb-image): only where the SoC data has a dtb_pas_id, as
	 * the kernel does. */
	if (dtb) {
		fw = dt->n_firmware >= 2 ? dt->firmware[1] : soc->dtb_firmware;
		if (!fw)
			return rproc_err(err, -ENOENT,
					 "needs a DTB image (PAS id %d) but has no second "
					 "firmware-name", d->dtb_pas_id);
		ret = desc_set_firmware(d, 1, fw, "DTB", err);
		if (ret < 0)
			return ret;
		d->n_firmware = 2;
	}

	if (dt->n_carveouts < 1)
		return rproc_err(err, -EINVAL,
				 "%s has no memory-region: the firmware needs a carveout in "
				 "reserved-memory", dt->node);
	if (dtb && dt->n_carveouts < 2)
		return rproc_err(err, -EINVAL,
				 "%s has one memory-region, the DTB image (PAS id %d) needs a "
				 "second one", dt->node, d->dtb_pas_id);
	d->n_carveouts = dtb ? 2 : 1;
	memcpy(d->carveouts, dt->carveouts, d->n_carveouts * sizeof(d->carveouts[0]));

	d->n_iommus = dt->n_iommus;
	memcpy(d->iommus, dt->iommus, sizeof(d->iommus));

	if (dt->n_devmem) {
		d->devmem = calloc(dt->n_devmem, sizeof(*d->devmem));
		if (!d->devmem)
			return rproc_err(err, -ENOMEM, "out of memory");
		memcpy(d->devmem, dt->devmem, dt->n_devmem * sizeof(*d->devmem));
		d->n_devmem = dt->n_devmem;
	}
	return 0;
}

int rproc_desc_from_dt(const struct rproc_dt_rproc *dt, int pas_id_override,
		       const char *firmware_override, struct rproc_desc *d,
		       struct rproc_error *err)
{
	int ret;

	memset(d, 0, sizeof(*d));
	ret = desc_fill(dt, pas_id_override, firmware_override, d, err);
	if (ret < 0) {
		rproc_desc_clear(d);
		memset(d, 0, sizeof(*d));
	}
	return ret;
}
