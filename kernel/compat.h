/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Differences between kernel versions, decided by conftest.sh from the target's own headers
 * (shim_conftest.h): one wrapper per difference, never a LINUX_VERSION_CODE test.
 */
#ifndef QCOM_SCM_SHIM_COMPAT_H
#define QCOM_SCM_SHIM_COMPAT_H

#include <linux/eventfd.h>
#include <linux/mm.h>
#include <linux/pm_domain.h>

#include "shim_conftest.h"

static inline void shim_eventfd_signal(struct eventfd_ctx *ev)
{
#ifdef SHIM_HAVE_EVENTFD_SIGNAL_1ARG
	eventfd_signal(ev);
#else
	eventfd_signal(ev, 1);
#endif
}

/* Attach the single PM domain of @dev, powered on: 1 attached, 0 none, or an errno. */
static inline int shim_pm_domain_attach(struct device *dev)
{
#ifdef SHIM_HAVE_PM_DOMAIN_ATTACH_FLAGS
	return dev_pm_domain_attach(dev, PD_FLAG_ATTACH_POWER_ON);
#else
	return dev_pm_domain_attach(dev, true);
#endif
}

static inline void shim_vm_flags_set(struct vm_area_struct *vma, unsigned long flags)
{
#ifdef SHIM_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

#endif
