// SPDX-License-Identifier: GPL-2.0-only
/*
 * qcom-scm shim: the PAS nodes of the device tree, found once at load by compatible, each
 * with a module-owned struct device, its carveouts, and the write-combined carveout mmap.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/of_platform.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/soc/qcom/smem_state.h>
#include <linux/string.h>

#include "qcom_scm_shim.h"

struct shim_node **shim_nodes;
unsigned int shim_n_nodes;

#include "soc_table.h"

static void shim_node_dev_release(struct device *dev)
{
	struct shim_node *n = container_of(dev, struct shim_node, dev);

	of_node_put(n->np);
	kfree(n);
}

/* The name userspace knows the node by: its platform device's, "30000000.remoteproc". */
static int shim_node_set_name(struct shim_node *n)
{
	struct platform_device *pdev = of_find_device_by_node(n->np);
	struct resource res;

	if (pdev) {
		strscpy(n->name, dev_name(&pdev->dev), sizeof(n->name));
		put_device(&pdev->dev);
		return 0;
	}
	/* No platform device (yet): the name of_platform would give it. */
	if (of_address_to_resource(n->np, 0, &res))
		return -ENODEV;
	snprintf(n->name, sizeof(n->name), "%llx.%pOFn", (unsigned long long)res.start, n->np);
	return 0;
}

static int shim_node_find_regions(struct shim_node *n)
{
	int i, count;

	count = of_count_phandle_with_args(n->np, "memory-region", NULL);
	if (count <= 0)
		return -ENOENT;
	for (i = 0; i < count && i < SHIM_MAX_REGIONS; i++) {
		struct device_node *rn = of_parse_phandle(n->np, "memory-region", i);
		struct resource *r = &n->regions[n->n_regions];
		int ret;

		if (!rn)
			return -EINVAL;
		ret = of_address_to_resource(rn, 0, r);
		if (of_property_read_bool(rn, "no-map"))
			__set_bit(n->n_regions, &n->nomap);
		of_node_put(rn);
		if (ret)
			return ret;
		if (!PAGE_ALIGNED(r->start) || !PAGE_ALIGNED(resource_size(r)))
			return -EINVAL;
		n->n_regions++;
	}
	return 0;
}

static struct shim_node *shim_node_create(struct device *parent, struct device_node *np,
					  const struct shim_soc *soc)
{
	struct shim_node *n;
	unsigned int i;
	int ret;

	n = kzalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		return ERR_PTR(-ENOMEM);
	n->np = of_node_get(np);
	n->soc = soc;
	mutex_init(&n->lock);
	INIT_LIST_HEAD(&n->bridges);
	INIT_WORK(&n->ready_work, shim_ready_work);
	atomic_set(&n->maps, 0);
	n->pas[SHIM_PAS_MAIN].pas_id = soc->pas_id;
	n->pas[SHIM_PAS_DTB].pas_id = soc->dtb_pas_id;
	n->pas[SHIM_PAS_LITE].pas_id = soc->lite_pas_id;
	for (i = 0; i < QCOM_SCM_SHIM_IRQ_COUNT; i++) {
		n->irqs[i].node = n;
		n->irqs[i].index = i;
	}
	n->has_iommus = of_find_property(np, "iommus", NULL);

	device_initialize(&n->dev);
	n->dev.parent = parent;
	n->dev.release = shim_node_dev_release;
	/* of_node only: no fwnode, so fw_devlink never ties this device to the node's suppliers. */
	n->dev.of_node = n->np;

	ret = shim_node_set_name(n);
	if (!ret)
		ret = shim_node_find_regions(n);
	if (!ret)
		ret = dev_set_name(&n->dev, "%s", n->name);
	if (!ret)
		ret = device_add(&n->dev);
	if (ret) {
		put_device(&n->dev);
		return ERR_PTR(ret);
	}
	return n;
}

int shim_nodes_create(struct device *parent)
{
	const struct of_device_id *match;
	struct device_node *np;
	unsigned int cap = 0;
	int ret = 0;

	/* Best match per node, so a fallback compatible is used only when nothing better is. */
	for_each_matching_node_and_match(np, shim_of_match, &match) {
		struct shim_node *n;

		if (!of_device_is_available(np))
			continue;
		if (shim_n_nodes == cap) {
			struct shim_node **grown;

			cap = cap ? cap * 2 : 8;
			grown = krealloc(shim_nodes, cap * sizeof(*grown), GFP_KERNEL);
			if (!grown) {
				of_node_put(np);
				ret = -ENOMEM;
				break;
			}
			shim_nodes = grown;
		}
		n = shim_node_create(parent, np, match->data);
		if (IS_ERR(n)) {
			pr_warn("%pOF: skipped (%pe): no reg or no page-aligned memory-region\n",
				np, n);
			continue;
		}
		dev_info(&n->dev, "%s, pas id %d, %u carveout(s)%s\n", n->soc->compatible,
			 n->soc->pas_id, n->n_regions, n->has_iommus ? ", iommus" : "");
		shim_nodes[shim_n_nodes++] = n;
	}
	if (ret)
		shim_nodes_destroy();
	else if (!shim_n_nodes)
		pr_warn("no PAS remote processor node in the device tree\n");
	return ret;
}

void shim_nodes_destroy(void)
{
	unsigned int i;

	for (i = 0; i < shim_n_nodes; i++) {
		struct shim_node *n = shim_nodes[i];

		if (n->stop_state)
			qcom_smem_state_put(n->stop_state);
		if (n->glink_parent)
			device_unregister(n->glink_parent);
		device_del(&n->dev);
		put_device(&n->dev);
	}
	kfree(shim_nodes);
	shim_nodes = NULL;
	shim_n_nodes = 0;
}

struct shim_node *shim_node_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < shim_n_nodes; i++)
		if (!strcmp(shim_nodes[i]->name, name))
			return shim_nodes[i];
	return NULL;
}

struct shim_node *shim_node_by_pas_id(u32 pas_id, enum shim_pas_slot *slot)
{
	unsigned int i, s;

	for (i = 0; i < shim_n_nodes; i++) {
		for (s = 0; s < SHIM_PAS_SLOTS; s++) {
			int id = shim_nodes[i]->pas[s].pas_id;

			if (id != SHIM_NO_ID && (u32)id == pas_id) {
				*slot = s;
				return shim_nodes[i];
			}
		}
	}
	return NULL;
}

/* The memory-region of @n that holds all of [addr, addr + len), or -1. */
static int shim_node_region(const struct shim_node *n, u64 addr, u64 len)
{
	unsigned int i;
	u64 end;

	if (!len || check_add_overflow(addr, len, &end))
		return -1;
	for (i = 0; i < n->n_regions; i++)
		if (addr >= n->regions[i].start && end - 1 <= n->regions[i].end)
			return i;
	return -1;
}

bool shim_node_range_ok(const struct shim_node *n, u64 addr, u64 len)
{
	return shim_node_region(n, addr, len) >= 0;
}

bool shim_smem_item_ok(u32 item)
{
	unsigned int i;

	if (item == SHIM_SMEM_MINIDUMP_TOC)
		return true;
	for (i = 0; i < shim_n_nodes; i++)
		if (shim_nodes[i]->soc->crash_reason_smem >= 0 &&
		    (u32)shim_nodes[i]->soc->crash_reason_smem == item)
			return true;
	return false;
}

static void shim_vma_open(struct vm_area_struct *vma)
{
	struct shim_node *n = vma->vm_private_data;

	atomic_inc(&n->maps);
}

static void shim_vma_close(struct vm_area_struct *vma)
{
	struct shim_node *n = vma->vm_private_data;

	atomic_dec(&n->maps);
}

static const struct vm_operations_struct shim_vm_ops = {
	.open = shim_vma_open,
	.close = shim_vma_close,
};

static bool shim_node_running(const struct shim_node *n)
{
	unsigned int s;

	for (s = 0; s < SHIM_PAS_SLOTS; s++)
		if (n->pas[s].running)
			return true;
	return false;
}

int shim_mmap(struct file *file, struct vm_area_struct *vma)
{
	u64 phys = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;
	struct shim_node *n = NULL;
	unsigned int i;
	int ret, region = -1;

	for (i = 0; i < shim_n_nodes && !n; i++) {
		region = shim_node_region(shim_nodes[i], phys, len);
		if (region >= 0)
			n = shim_nodes[i];
	}
	if (!n) {
		pr_warn_once("mmap of %#llx+%#llx refused: not inside a known carveout\n",
			     phys, len);
		return -EPERM;
	}
	/*
	 * A region without no-map is in the kernel's linear map, cacheable: a write-combined
	 * alias of it would give the same memory two conflicting attributes.
	 */
	if (!test_bit(region, &n->nomap)) {
		dev_warn_once(&n->dev, "mmap refused: memory-region %u is not no-map\n", region);
		return -EPERM;
	}
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	mutex_lock(&n->lock);
	ret = shim_claim(n, file->private_data);
	if (!ret && shim_node_running(n)) {
		/* Locked by TrustZone: even a speculative access would be a violation. */
		ret = -EBUSY;
	}
	if (!ret) {
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
		shim_vm_flags_set(vma, VM_IO | VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY);
		ret = remap_pfn_range(vma, vma->vm_start, vma->vm_pgoff, len, vma->vm_page_prot);
	}
	if (!ret) {
		vma->vm_ops = &shim_vm_ops;
		vma->vm_private_data = n;
		atomic_inc(&n->maps);
	}
	mutex_unlock(&n->lock);
	return ret;
}
