// SPDX-License-Identifier: GPL-2.0-only
/*
 * qcom-scm shim: the PAS calls, the metadata buffers, SHM bridges, GET_RSCTABLE and SMEM
 * reads, each confined to the PAS ids, carveouts and SMEM items of the nodes found at load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "qcom_scm_shim.h"

#define SHIM_META_MAX SZ_16M	/* metadata: ELF and program headers plus the hash segment */
#define SHIM_RSC_IN_MAX SZ_1M	/* the firmware's .resource_table */
#define SHIM_SMEM_MAX SZ_16M

/* The node with @pas_id, locked, claimed by @f and with its provider pinned. */
static int shim_pas_node(struct shim_file *f, u32 pas_id, struct shim_node **out,
			 enum shim_pas_slot *slot)
{
	struct shim_node *n = shim_node_by_pas_id(pas_id, slot);
	int ret;

	if (!n) {
		pr_warn_once("PAS id %u refused: no PAS node of this device tree has it\n", pas_id);
		return -EPERM;
	}
	mutex_lock(&n->lock);
	ret = shim_claim(n, f);
	if (!ret)
		ret = shim_node_pin_provider(n);
	if (ret) {
		mutex_unlock(&n->lock);
		return ret;
	}
	*out = n;
	return 0;
}

/* A PAS call's int: negative errno, or TrustZone's result for out_result. */
static int shim_tz(int ret, u64 *out_result)
{
	if (ret < 0)
		return ret;
	*out_result = ret;
	return 0;
}

static void shim_meta_init(struct shim_node *n, enum shim_pas_slot slot,
			   struct qcom_scm_shim_meta *m)
{
	/* The DTB image has the second memory-region, the others the first. */
	const struct resource *r = &n->regions[slot == SHIM_PAS_DTB && n->n_regions > 1];

	memset(m, 0, sizeof(*m));
	m->dev = &n->dev;
	m->pas_id = n->pas[slot].pas_id;
	m->mem_phys = r->start;
	m->mem_size = resource_size(r);
	m->use_tzmem = n->has_iommus;
}

static void shim_meta_release(struct shim_node *n, struct shim_pas *p)
{
	if (!p->has_meta)
		return;
	n->prov->metadata_release(&p->meta);
	p->has_meta = false;
}

static int shim_pas_is_supported(struct qcom_scm_shim_pas *a)
{
	const struct qcom_scm_shim_provider *p;
	enum shim_pas_slot slot;

	if (!shim_node_by_pas_id(a->pas_id, &slot))
		return -EPERM;
	p = shim_provider_get();
	if (!p)
		return -ENODEV;
	a->out_result = p->pas_supported(a->pas_id);
	shim_provider_put(p);
	return 0;
}

static int shim_pas_init_image(struct shim_file *f, struct qcom_scm_shim_init_image *a)
{
	enum shim_pas_slot slot;
	struct shim_node *n;
	struct shim_pas *p;
	void *blob;
	int ret;

	if (!a->metadata_len || a->metadata_len > SHIM_META_MAX)
		return -EINVAL;
	blob = vmemdup_user(u64_to_user_ptr(a->metadata), a->metadata_len);
	if (IS_ERR(blob))
		return PTR_ERR(blob);
	ret = shim_pas_node(f, a->pas_id, &n, &slot);
	if (ret)
		goto out;
	p = &n->pas[slot];
	shim_meta_release(n, p);	/* a new image replaces the old one's buffer */
	shim_meta_init(n, slot, &p->meta);
	ret = n->prov->init_image(&p->meta, blob, a->metadata_len);
	/* Kept unless the call failed before TrustZone: release it as usual. */
	p->has_meta = ret >= 0;
	mutex_unlock(&n->lock);
	ret = shim_tz(ret, &a->out_result);
out:
	kvfree(blob);
	return ret;
}

static int shim_pas_mem_setup(struct shim_file *f, struct qcom_scm_shim_pas *a)
{
	enum shim_pas_slot slot;
	struct shim_node *n;
	int ret;

	ret = shim_pas_node(f, a->pas_id, &n, &slot);
	if (ret)
		return ret;
	if (!shim_node_range_ok(n, a->addr, a->length)) {
		dev_warn_once(&n->dev, "MEM_SETUP %#llx+%#llx refused: outside the carveouts\n",
			      a->addr, a->length);
		ret = -EPERM;
	} else {
		ret = shim_tz(n->prov->mem_setup(a->pas_id, a->addr, a->length), &a->out_result);
	}
	mutex_unlock(&n->lock);
	return ret;
}

static int shim_pas_auth(struct shim_node *n, enum shim_pas_slot slot,
			 struct qcom_scm_shim_pas *a)
{
	struct qcom_scm_shim_meta m;

	if (a->flags & ~QCOM_SCM_SHIM_AUTH_BRIDGE)
		return -EINVAL;
	if (atomic_read(&n->maps)) {
		/* The kernel unmaps the carveout before AUTH_AND_RESET too. */
		dev_warn_once(&n->dev, "AUTH_AND_RESET refused: the carveout is still mapped\n");
		return -EBUSY;
	}
	if (!(a->flags & QCOM_SCM_SHIM_AUTH_BRIDGE) || !n->has_iommus)
		return n->prov->auth_and_reset(a->pas_id);
	if (!n->prov->auth_and_reset_bridged)
		return -EOPNOTSUPP;
	if (!shim_node_range_ok(n, a->addr, a->length) || !PAGE_ALIGNED(a->addr) ||
	    !PAGE_ALIGNED(a->length)) {
		dev_warn_once(&n->dev, "bridge %#llx+%#llx refused: not a page-aligned carveout range\n",
			      a->addr, a->length);
		return -EPERM;
	}
	shim_meta_init(n, slot, &m);
	m.mem_phys = a->addr;
	m.mem_size = a->length;
	return n->prov->auth_and_reset_bridged(&m);
}

static int shim_pas_auth_and_reset(struct shim_file *f, struct qcom_scm_shim_pas *a)
{
	enum shim_pas_slot slot;
	struct shim_node *n;
	int ret;

	ret = shim_pas_node(f, a->pas_id, &n, &slot);
	if (ret)
		return ret;
	ret = shim_pas_auth(n, slot, a);
	if (ret == 0) {
		WRITE_ONCE(n->pas[slot].running, true);
		/* So that a host panic can ask the core to stop (best effort). */
		shim_stop_state_get(n);
	}
	mutex_unlock(&n->lock);
	return shim_tz(ret, &a->out_result);
}

static int shim_pas_shutdown_slot(struct shim_node *n, enum shim_pas_slot slot)
{
	int ret = n->prov->shutdown(n->pas[slot].pas_id);

	/* Only a successful SHUTDOWN unlocks the memory. */
	if (ret == 0)
		WRITE_ONCE(n->pas[slot].running, false);
	return ret;
}

static int shim_pas_shutdown(struct shim_file *f, struct qcom_scm_shim_pas *a)
{
	enum shim_pas_slot slot;
	struct shim_node *n;
	int ret;

	ret = shim_pas_node(f, a->pas_id, &n, &slot);
	if (ret)
		return ret;
	ret = shim_pas_shutdown_slot(n, slot);
	mutex_unlock(&n->lock);
	return shim_tz(ret, &a->out_result);
}

static int shim_pas_metadata_release(struct shim_file *f, struct qcom_scm_shim_pas *a)
{
	enum shim_pas_slot slot;
	struct shim_node *n;
	int ret;

	ret = shim_pas_node(f, a->pas_id, &n, &slot);
	if (ret)
		return ret;
	shim_meta_release(n, &n->pas[slot]);
	mutex_unlock(&n->lock);
	a->out_result = 0;
	return 0;
}

static int shim_remote_state(struct shim_file *f, struct qcom_scm_shim_remote_state *a)
{
	enum shim_pas_slot slot;
	struct shim_node *n;
	int ret;

	ret = shim_pas_node(f, a->id, &n, &slot);
	if (ret)
		return ret;
	if (n->prov->set_remote_state)
		ret = shim_tz(n->prov->set_remote_state(a->state, a->id), &a->out_result);
	else
		ret = -EOPNOTSUPP;
	mutex_unlock(&n->lock);
	return ret;
}

static int shim_rsctable(struct shim_file *f, struct qcom_scm_shim_rsctable *a)
{
	struct qcom_scm_shim_meta m;
	enum shim_pas_slot slot;
	struct shim_node *n;
	size_t out_len = 0;
	void *in, *table;
	int ret;

	if (!a->input_len || a->input_len > SHIM_RSC_IN_MAX)
		return -EINVAL;
	in = vmemdup_user(u64_to_user_ptr(a->input), a->input_len);
	if (IS_ERR(in))
		return PTR_ERR(in);
	ret = shim_pas_node(f, a->pas_id, &n, &slot);
	if (ret)
		goto out;
	if (!n->prov->get_rsc_table) {
		mutex_unlock(&n->lock);
		ret = -EOPNOTSUPP;
		goto out;
	}
	shim_meta_init(n, slot, &m);
	table = n->prov->get_rsc_table(&m, in, a->input_len, &out_len);
	mutex_unlock(&n->lock);
	if (IS_ERR(table)) {
		ret = PTR_ERR(table);
		/*
		 * The kernel's call has already retried with the size TrustZone asked for.  Its
		 * EOVERFLOW must not reach the client as ours, which promises the size needed in
		 * @output_len: a table TrustZone cannot size is as useless as one above 1 GiB.
		 */
		if (ret == -EOVERFLOW)
			ret = -E2BIG;
		goto out;
	}
	if (out_len > a->output_len) {
		ret = -EOVERFLOW;
	} else if (copy_to_user(u64_to_user_ptr(a->output), table, out_len)) {
		ret = -EFAULT;
	} else {
		a->out_result = 0;
		ret = 0;
	}
	a->output_len = out_len;
	kfree(table);
out:
	kvfree(in);
	return ret;
}

static struct shim_node *shim_node_by_range(u64 addr, u64 len)
{
	unsigned int i;

	for (i = 0; i < shim_n_nodes; i++)
		if (shim_node_range_ok(shim_nodes[i], addr, len))
			return shim_nodes[i];
	return NULL;
}

static int shim_bridge_create(struct shim_file *f, struct qcom_scm_shim_bridge *a)
{
	const struct qcom_scm_shim_provider *cur = shim_provider_get();
	bool can = cur && cur->bridge_create && cur->bridge_delete;
	struct shim_bridge *b;
	struct shim_node *n;
	int ret;

	shim_provider_put(cur);
	if (!can)
		return cur ? -EOPNOTSUPP : -ENODEV;
	/* The permission bits share the low bits of address and size. */
	if (!IS_ALIGNED(a->addr, SZ_4K) || !IS_ALIGNED(a->length, SZ_4K))
		return -EINVAL;
	n = shim_node_by_range(a->addr, a->length);
	if (!n || !n->has_iommus) {
		pr_warn_once("bridge %#llx+%#llx refused: not the carveout of a node with iommus\n",
			     a->addr, a->length);
		return -EPERM;
	}
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	mutex_lock(&n->lock);
	ret = shim_claim(n, f);
	if (!ret)
		ret = shim_node_pin_provider(n);
	/* The node may hold an earlier provider than the one asked above (test build). */
	if (!ret && (!n->prov->bridge_create || !n->prov->bridge_delete))
		ret = -EOPNOTSUPP;
	if (!ret)
		ret = n->prov->bridge_create(a->addr, a->length, &b->handle);
	if (!ret) {
		a->handle = b->handle;
		list_add_tail(&b->link, &n->bridges);
		b = NULL;
	}
	mutex_unlock(&n->lock);
	kfree(b);
	return ret;
}

static int shim_bridge_delete(struct shim_file *f, struct qcom_scm_shim_bridge *a)
{
	unsigned int i;

	for (i = 0; i < shim_n_nodes; i++) {
		struct shim_node *n = shim_nodes[i];
		struct shim_bridge *b;

		mutex_lock(&n->lock);
		if (n->owner != f) {
			mutex_unlock(&n->lock);
			continue;
		}
		list_for_each_entry(b, &n->bridges, link) {
			if (b->handle != a->handle)
				continue;
			n->prov->bridge_delete(b->handle);
			list_del(&b->link);
			mutex_unlock(&n->lock);
			kfree(b);
			return 0;
		}
		mutex_unlock(&n->lock);
	}
	return -ENOENT;
}

static int shim_smem_read(struct qcom_scm_shim_smem *a)
{
	const struct qcom_scm_shim_provider *p;
	void *item, *copy = NULL;
	size_t size = 0;
	int ret = 0;

	if (!shim_smem_item_ok(a->item)) {
		pr_warn_once("SMEM item %u refused: neither a crash reason nor the minidump table\n",
			     a->item);
		return -EPERM;
	}
	p = shim_provider_get();
	if (!p)
		return -ENODEV;
	if (!p->smem_get) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	item = p->smem_get(a->item, &size);
	if (IS_ERR(item)) {
		ret = PTR_ERR(item);
		goto out;
	}
	if (size > a->buffer_len) {
		ret = -EOVERFLOW;
	} else if (size > SHIM_SMEM_MAX) {
		ret = -EFBIG;
	} else {
		/* Copy first: the remote may write the item, and SMEM is not user memory. */
		copy = kvmalloc(max_t(size_t, size, 1), GFP_KERNEL);
		if (!copy)
			ret = -ENOMEM;
		else
			memcpy(copy, item, size);
	}
out:
	shim_provider_put(p);
	if (!ret && copy_to_user(u64_to_user_ptr(a->buffer), copy, size))
		ret = -EFAULT;
	kvfree(copy);
	if (!ret || ret == -EOVERFLOW)
		a->buffer_len = size;
	return ret;
}

long shim_ioctl_pas(struct shim_file *f, unsigned int nr, void *arg)
{
	switch (nr) {
	case _IOC_NR(QCOM_SCM_SHIM_PAS_IS_SUPPORTED):
		return shim_pas_is_supported(arg);
	case _IOC_NR(QCOM_SCM_SHIM_PAS_INIT_IMAGE):
		return shim_pas_init_image(f, arg);
	case _IOC_NR(QCOM_SCM_SHIM_PAS_MEM_SETUP):
		return shim_pas_mem_setup(f, arg);
	case _IOC_NR(QCOM_SCM_SHIM_PAS_AUTH_AND_RESET):
		return shim_pas_auth_and_reset(f, arg);
	case _IOC_NR(QCOM_SCM_SHIM_PAS_SHUTDOWN):
		return shim_pas_shutdown(f, arg);
	case _IOC_NR(QCOM_SCM_SHIM_PAS_METADATA_RELEASE):
		return shim_pas_metadata_release(f, arg);
	case _IOC_NR(QCOM_SCM_SHIM_SET_REMOTE_STATE):
		return shim_remote_state(f, arg);
	case _IOC_NR(QCOM_SCM_SHIM_GET_RSCTABLE):
		return shim_rsctable(f, arg);
	case _IOC_NR(QCOM_SCM_SHIM_BRIDGE_CREATE):
		return shim_bridge_create(f, arg);
	case _IOC_NR(QCOM_SCM_SHIM_BRIDGE_DELETE):
		return shim_bridge_delete(f, arg);
	case _IOC_NR(QCOM_SCM_SHIM_SMEM_READ):
		return shim_smem_read(arg);
	case _IOC_NR(QCOM_SCM_SHIM_CARVEOUT_FD):
		/* Not offered: iommufd would refuse a carveout dma-buf (see the UAPI header). */
		return -EOPNOTSUPP;
	}
	return -ENOTTY;
}

/* "ready": the core booted, TrustZone no longer needs the metadata (as the kernel does). */
void shim_ready_work(struct work_struct *work)
{
	struct shim_node *n = container_of(work, struct shim_node, ready_work);
	unsigned int s;

	mutex_lock(&n->lock);
	for (s = 0; s < SHIM_PAS_SLOTS; s++)
		if (n->pas[s].running)
			shim_meta_release(n, &n->pas[s]);
	mutex_unlock(&n->lock);
}

/* With n->lock held: SHUTDOWN a running core, then delete bridges, then free metadata. */
void shim_pas_release(struct shim_node *n)
{
	struct shim_bridge *b, *tmp;
	unsigned int s;

	if (!n->prov)
		return;
	for (s = 0; s < SHIM_PAS_SLOTS; s++) {
		int ret;

		if (!n->pas[s].running)
			continue;
		ret = shim_pas_shutdown_slot(n, s);
		dev_info(&n->dev, "released while running: SHUTDOWN(%d) %s %d\n",
			 n->pas[s].pas_id, ret ? "failed," : "=", ret);
	}
	list_for_each_entry_safe(b, tmp, &n->bridges, link) {
		n->prov->bridge_delete(b->handle);
		list_del(&b->link);
		kfree(b);
	}
	for (s = 0; s < SHIM_PAS_SLOTS; s++)
		shim_meta_release(n, &n->pas[s]);
}
