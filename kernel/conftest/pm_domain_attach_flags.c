// SPDX-License-Identifier: GPL-2.0-only
/* dev_pm_domain_attach(dev, u32 flags) instead of (dev, bool power_on). */
#include <linux/pm_domain.h>
extern int (*shim_probe)(struct device *, u32);
int (*shim_probe)(struct device *, u32) = dev_pm_domain_attach;
