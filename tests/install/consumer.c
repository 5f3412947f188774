// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A program built against the installed librproc with only what `pkg-config --cflags --libs
 * librproc` gives (tests/install/install-test.sh): every public header, next to glibc's
 * <error.h>, which an installed header of the same name must not hide.
 */
#include <errno.h>
#include <error.h>
#include <string.h>

#include <rproc/backend-module.h>
#include <rproc/backend.h>
#include <rproc/check.h>
#include <rproc/coredump.h>
#include <rproc/dt.h>
#include <rproc/error.h>
#include <rproc/fw.h>
#include <rproc/qcom-scm-shim.h>
#include <rproc/real.h>
#include <rproc/rproc.h>
#include <rproc/rsc.h>
#include <rproc/sim.h>
#include <rproc/soc.h>

static void expect_str(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want))
		error(1, 0, "%s is \"%s\", expected \"%s\"", what, got, want);
}

int main(void)
{
	struct rproc_error err = { 0 };
	struct rproc_config cfg;
	enum rproc_real_iommu iommu;
	unsigned int n = 0;

	rproc_config_defaults(&cfg);
	if (!cfg.recovery)
		error(1, 0, "rproc_config_defaults() leaves recovery off");
	expect_str("rproc_state_name(RPROC_RUNNING)", rproc_state_name(RPROC_RUNNING), "running");
	expect_str("rproc_irq_name(RPROC_IRQ_STOP_ACK)", rproc_irq_name(RPROC_IRQ_STOP_ACK),
		   "stop-ack");
	if (rproc_real_iommu_from_string("iommufd", &iommu) || iommu != RPROC_REAL_IOMMU_IOMMUFD)
		error(1, 0, "rproc_real_iommu_from_string(\"iommufd\") failed");
	if (rproc_err(&err, -EINVAL, "code %d", 7) != -EINVAL)
		error(1, 0, "rproc_err() does not return its code");
	expect_str("rproc_err()'s message", err.msg, "code 7");
	if (rproc_fw_name_valid("../escape.mbn", NULL) >= 0)
		error(1, 0, "rproc_fw_name_valid() accepts \"../escape.mbn\"");
	if (!rproc_sim_ops(&n)[0] || !n)
		error(1, 0, "rproc_sim_ops() is empty");
	return 0;
}
