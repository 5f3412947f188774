// SPDX-License-Identifier: GPL-2.0-only
#include <linux/mm.h>
void shim_probe(struct vm_area_struct *vma);
void shim_probe(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_IO);
}
