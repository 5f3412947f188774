// SPDX-License-Identifier: GPL-2.0-only
/*
 * A fake TrustZone behind the shim's provider seam (kernel/qcom_scm_shim_provider.h), with
 * the rules the simulated SoC of librproc applies (doc/trustzone-pas.md#call-order,
 * doc/firmware-format.md#digest-rule): INIT_IMAGE parses the metadata (ELF32 headers, the
 * hash segment of MBN v3, v5, v6 or v7) and checks the digest of the headers; MEM_SETUP needs
 * INIT_IMAGE and a range inside the node's carveout that holds the image; AUTH_AND_RESET
 * needs both (MEM_SETUP only for a relocatable image) and re-hashes every checked segment
 * from the carveout's physical memory with the kernel's crypto API, so only bytes that really
 * reached that memory authenticate.  Then the DSP boots (fake_smp2p.c).
 *
 * TrustZone's refusals are positive results, as the real one returns them (the shim passes
 * them to userspace as out_result); negative values are the kernel's own errors.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/hash.h>
#include <linux/elf.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "fake.h"
#include "qcom_scm_shim_provider.h"

/* TrustZone results (any non-zero one is a failure to the caller). */
#define TZ_BAD_METADATA 1
#define TZ_BAD_ORDER 2
#define TZ_BAD_RANGE 3
#define TZ_BAD_DIGEST 4
#define TZ_BUSY 5

#define FAKE_MAX_PAS 16
#define FAKE_MAX_PHNUM 256
#define FAKE_MAX_DIGEST 48

#define MDT_TYPE(flags) (((flags) >> 24) & 7)
#define MDT_TYPE_HASH 2
#define MDT_RELOCATABLE BIT(27)
#define MDT_PAGED BIT(20)
#define MDT_ACCESS(flags) (((flags) >> 21) & 7)
#define MDT_ACCESS_NOTUSED 3
#define MDT_ACCESS_SHARED 4

struct fake_seg {
	u32 paddr;
	u32 filesz;
	bool checked;
	u8 digest[FAKE_MAX_DIGEST];
};

enum tz_state { TZ_IDLE, TZ_INIT, TZ_SETUP, TZ_RUNNING };

/* What TrustZone keeps of one PAS id between calls (its own copy, not the metadata buffer). */
struct fake_pas {
	bool used;
	u32 pas_id;
	enum tz_state state;
	struct fake_dsp *dsp;
	phys_addr_t co_base;
	size_t co_size;
	unsigned int nsegs;
	struct fake_seg *segs;
	const char *alg;
	unsigned int digest_len;
	bool relocatable;
	u64 min_addr;
	u64 span;
	phys_addr_t setup_addr;
	u64 setup_size;
};

static DEFINE_MUTEX(fake_tz_lock);
static struct fake_pas fake_pas[FAKE_MAX_PAS];

/* The metadata buffer the shim asked for: what the real provider puts in DMA memory. */
struct fake_meta {
	size_t len;
	u8 data[];
};

static struct fake_pas *fake_pas_get(u32 pas_id, bool create)
{
	struct fake_pas *free = NULL;
	int i;

	for (i = 0; i < FAKE_MAX_PAS; i++) {
		if (fake_pas[i].used && fake_pas[i].pas_id == pas_id)
			return &fake_pas[i];
		if (!fake_pas[i].used && !free)
			free = &fake_pas[i];
	}
	if (!create || !free)
		return NULL;
	memset(free, 0, sizeof(*free));
	free->used = true;
	free->pas_id = pas_id;
	return free;
}

static int fake_digest(const char *alg, const void *data, size_t len, u8 *out)
{
	struct crypto_shash *tfm = crypto_alloc_shash(alg, 0, 0);
	int ret;

	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	ret = crypto_shash_tfm_digest(tfm, data, len, out);
	crypto_free_shash(tfm);
	return ret;
}

/* Where the digest table of a hash segment starts, and its size (doc/firmware-format.md). */
static int fake_hash_table(const u8 *h, size_t len, size_t *off, size_t *size)
{
	u32 w[12];
	int i;

	if (len < 48)
		return -EINVAL;
	for (i = 0; i < 12; i++)
		w[i] = get_unaligned_le32(h + 4 * i);
	switch (w[1]) {
	case 3:
	case 5:
		*off = 40;
		break;
	case 6:
		*off = 48 + (size_t)w[10] + w[11];
		break;
	case 7:
		*off = 40 + (size_t)w[2] + w[3] + w[4];
		break;
	default:
		return -EPROTONOSUPPORT;
	}
	*size = w[5];
	if (*off > len || *size > len - *off)
		return -EINVAL;
	return 0;
}

/* Parse @blob (headers + hash segment) into @p: segments, digests, relocation. */
static int fake_parse(struct fake_pas *p, const u8 *blob, size_t len)
{
	const struct elf32_hdr *eh = (const void *)blob;
	const struct elf32_phdr *ph;
	size_t hoff, tab_off, tab_size;
	unsigned int i, phnum, hidx = 0;
	u64 max_end = 0;
	u8 md[FAKE_MAX_DIGEST];
	int ret;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS32 || eh->e_phentsize != sizeof(*ph))
		return -EINVAL;
	phnum = eh->e_phnum;
	if (phnum < 2 || phnum > FAKE_MAX_PHNUM || eh->e_phoff > len ||
	    (size_t)phnum * sizeof(*ph) > len - eh->e_phoff)
		return -EINVAL;
	ph = (const void *)(blob + eh->e_phoff);
	if (ph[0].p_type == PT_LOAD)
		return -EINVAL;
	for (i = 1; i < phnum && !hidx; i++)
		if (MDT_TYPE(ph[i].p_flags) == MDT_TYPE_HASH)
			hidx = i;
	/* The blob is exactly the headers followed by the hash segment. */
	if (!hidx || ph[0].p_filesz > len || ph[hidx].p_filesz != len - ph[0].p_filesz)
		return -EINVAL;
	hoff = ph[0].p_filesz;
	ret = fake_hash_table(blob + hoff, ph[hidx].p_filesz, &tab_off, &tab_size);
	if (ret)
		return ret;
	if (tab_size % phnum)
		return -EINVAL;
	p->digest_len = tab_size / phnum;
	if (p->digest_len == 32)
		p->alg = "sha256";
	else if (p->digest_len == 48)
		p->alg = "sha384";
	else
		return -EINVAL;

	kfree(p->segs);
	p->segs = kcalloc(phnum, sizeof(*p->segs), GFP_KERNEL);
	if (!p->segs)
		return -ENOMEM;
	p->nsegs = phnum;
	p->relocatable = false;
	p->min_addr = U64_MAX;
	for (i = 0; i < phnum; i++) {
		struct fake_seg *s = &p->segs[i];
		u32 fl = ph[i].p_flags;
		bool loadable = ph[i].p_type == PT_LOAD && MDT_TYPE(fl) != MDT_TYPE_HASH &&
				ph[i].p_memsz;

		s->paddr = ph[i].p_paddr;
		s->filesz = ph[i].p_filesz;
		memcpy(s->digest, blob + hoff + tab_off + i * p->digest_len, p->digest_len);
		s->checked = loadable && !(fl & MDT_PAGED) && s->filesz &&
			     MDT_ACCESS(fl) != MDT_ACCESS_NOTUSED &&
			     MDT_ACCESS(fl) != MDT_ACCESS_SHARED;
		if (!loadable)
			continue;
		if (fl & MDT_RELOCATABLE)
			p->relocatable = true;
		if (ph[i].p_filesz > ph[i].p_memsz)
			return -EINVAL;
		p->min_addr = min_t(u64, p->min_addr, ph[i].p_paddr);
		max_end = max_t(u64, max_end, (u64)ph[i].p_paddr + ph[i].p_memsz);
	}
	if (p->min_addr == U64_MAX)
		return -EINVAL;
	p->span = ALIGN(max_end, SZ_4K) - p->min_addr;
	/* Entry 0: the headers as given (before any signature check, which is not faked). */
	ret = fake_digest(p->alg, blob, hoff, md);
	if (ret)
		return ret;
	if (memcmp(md, p->segs[0].digest, p->digest_len))
		return -EBADMSG;
	return 0;
}

static bool fake_pas_supported(u32 pas_id)
{
	return true;
}

static int fake_init_image(struct qcom_scm_shim_meta *meta, const void *blob, size_t len)
{
	struct fake_meta *m;
	struct fake_pas *p;
	int ret;

	atomic_inc(&fake_count.init_image);
	m = kvmalloc(struct_size(m, data, len), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->len = len;
	memcpy(m->data, blob, len);

	mutex_lock(&fake_tz_lock);
	p = fake_pas_get(meta->pas_id, true);
	if (!p) {
		ret = -ENOSPC;
	} else if (p->state == TZ_RUNNING) {
		dev_warn(meta->dev, "fake TZ: INIT_IMAGE(%u) while it runs\n", meta->pas_id);
		ret = TZ_BUSY;
	} else {
		p->co_base = meta->mem_phys;
		p->co_size = meta->mem_size;
		p->dsp = fake_dsp_bind(meta->dev->of_node);
		ret = fake_parse(p, m->data, len);
		if (ret < 0 && ret != -ENOMEM) {
			dev_warn(meta->dev, "fake TZ: INIT_IMAGE(%u): metadata refused (%d)\n",
				 meta->pas_id, ret);
			ret = TZ_BAD_METADATA;
		}
		p->state = ret ? TZ_IDLE : TZ_INIT;
	}
	mutex_unlock(&fake_tz_lock);
	if (ret < 0) {
		kvfree(m);
		return ret;
	}
	/* Kept even when TrustZone refused, as the kernel's SCM layer keeps it. */
	meta->priv = m;
	atomic_inc(&fake_count.metadata);
	return ret;
}

static void fake_metadata_release(struct qcom_scm_shim_meta *meta)
{
	if (!meta->priv)
		return;
	kvfree(meta->priv);
	meta->priv = NULL;
	atomic_dec(&fake_count.metadata);
}

static int fake_mem_setup(u32 pas_id, phys_addr_t addr, phys_addr_t size)
{
	struct fake_pas *p;
	int ret = 0;

	atomic_inc(&fake_count.mem_setup);
	mutex_lock(&fake_tz_lock);
	p = fake_pas_get(pas_id, false);
	if (!p || p->state != TZ_INIT) {
		pr_warn("fake TZ: MEM_SETUP(%u) without INIT_IMAGE first\n", pas_id);
		ret = TZ_BAD_ORDER;
	} else if (addr < p->co_base || size > p->co_size ||
		   addr - p->co_base > p->co_size - size || size < p->span) {
		pr_warn("fake TZ: MEM_SETUP(%u) %pa+%pa: not inside the carveout or smaller than the image (%#llx)\n",
			pas_id, &addr, &size, p->span);
		ret = TZ_BAD_RANGE;
	} else {
		p->setup_addr = addr;
		p->setup_size = size;
		p->state = TZ_SETUP;
	}
	mutex_unlock(&fake_tz_lock);
	return ret;
}

/* The digest of physical [pa, pa + len), read through a mapping of TrustZone's own. */
static int fake_digest_phys(const char *alg, phys_addr_t pa, size_t len, u8 *out)
{
	void *va = memremap(pa, len, MEMREMAP_WC);
	int ret;

	if (!va)
		return -ENOMEM;
	ret = fake_digest(alg, va, len, out);
	memunmap(va);
	return ret;
}

/* Every checked segment as it lies in memory now: 0, or the first bad segment's index + 1. */
static int fake_verify(struct fake_pas *p)
{
	phys_addr_t base = p->relocatable ? p->setup_addr : 0;
	u64 origin = p->relocatable ? p->min_addr : 0;
	u8 md[FAKE_MAX_DIGEST];
	unsigned int i;
	int ret;

	for (i = 1; i < p->nsegs; i++) {
		struct fake_seg *s = &p->segs[i];
		phys_addr_t pa = base + (s->paddr - origin);

		if (!s->checked)
			continue;
		if (s->paddr < origin || pa < p->co_base || s->filesz > p->co_size ||
		    pa - p->co_base > p->co_size - s->filesz)
			return -ERANGE;
		ret = fake_digest_phys(p->alg, pa, s->filesz, md);
		if (ret)
			return ret;
		if (memcmp(md, s->digest, p->digest_len))
			return i + 1;
	}
	return 0;
}

static int fake_auth_and_reset(u32 pas_id)
{
	struct fake_dsp *dsp = NULL;
	struct fake_pas *p;
	int ret;

	mutex_lock(&fake_tz_lock);
	p = fake_pas_get(pas_id, false);
	if (!p || p->state == TZ_IDLE || (p->relocatable && p->state != TZ_SETUP)) {
		pr_warn("fake TZ: AUTH_AND_RESET(%u) without INIT_IMAGE%s\n", pas_id,
			p && p->relocatable ? " and MEM_SETUP" : "");
		ret = TZ_BAD_ORDER;
	} else if (p->state == TZ_RUNNING) {
		ret = TZ_BUSY;
	} else {
		ret = fake_verify(p);
		if (ret == -ERANGE) {
			pr_warn("fake TZ: AUTH_AND_RESET(%u): a segment lies outside the carveout\n",
				pas_id);
			ret = TZ_BAD_RANGE;
		} else if (ret > 0) {
			pr_warn("fake TZ: AUTH_AND_RESET(%u): segment %d: the %s digest of the carveout's memory does not match the image\n",
				pas_id, ret - 1, p->alg);
			ret = TZ_BAD_DIGEST;
		}
		if (!ret) {
			p->state = TZ_RUNNING;
			dsp = p->dsp;
		}
	}
	mutex_unlock(&fake_tz_lock);
	atomic_inc(ret ? &fake_count.auth_fail : &fake_count.auth_ok);
	if (dsp)
		fake_dsp_boot(dsp);
	return ret;
}

static int fake_bridge_create(phys_addr_t pa, size_t size, u64 *handle)
{
	static atomic64_t next = ATOMIC64_INIT(0);

	*handle = atomic64_inc_return(&next);
	atomic_inc(&fake_count.bridges);
	return 0;
}

static void fake_bridge_delete(u64 handle)
{
	atomic_dec(&fake_count.bridges);
}

static int fake_auth_and_reset_bridged(struct qcom_scm_shim_meta *meta)
{
	u64 handle;
	int ret;

	ret = fake_bridge_create(meta->mem_phys, meta->mem_size, &handle);
	if (ret)
		return ret;
	ret = fake_auth_and_reset(meta->pas_id);
	fake_bridge_delete(handle);
	return ret;
}

static int fake_shutdown(u32 pas_id)
{
	struct fake_dsp *dsp = NULL;
	struct fake_pas *p;

	atomic_inc(&fake_count.shutdown);
	mutex_lock(&fake_tz_lock);
	p = fake_pas_get(pas_id, false);
	if (p) {
		if (p->state == TZ_RUNNING)
			dsp = p->dsp;
		p->state = TZ_IDLE;
	}
	mutex_unlock(&fake_tz_lock);
	if (dsp)
		fake_dsp_reset(dsp);
	return 0;
}

static int fake_set_remote_state(u32 state, u32 id)
{
	atomic_inc(&fake_count.remote_state);
	return 0;
}

static void *fake_smem_get(unsigned int item, size_t *size)
{
	return fake_dsp_smem_get(item, size);
}

/* AOSS QMP: a handle per node that names "qcom,qmp", the load_state votes counted. */
struct fake_qmp {
	bool on;
};

static void *fake_qmp_get(struct device *dev)
{
	struct fake_qmp *q;

	if (!of_property_present(dev->of_node, "qcom,qmp"))
		return ERR_PTR(-ENODEV);
	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q)
		return ERR_PTR(-ENOMEM);
	atomic_inc(&fake_count.qmp_handles);
	return q;
}

static int fake_qmp_load_state(void *qmp, const char *name, bool on)
{
	struct fake_qmp *q = qmp;

	if (q->on != on)
		atomic_add(on ? 1 : -1, &fake_count.load_state);
	if (on)
		atomic_inc(&fake_count.load_state_on);
	q->on = on;
	return 0;
}

static void fake_qmp_put(void *qmp)
{
	struct fake_qmp *q = qmp;

	if (q->on)
		atomic_dec(&fake_count.load_state);
	kfree(q);
	atomic_dec(&fake_count.qmp_handles);
}

static const struct qcom_scm_shim_provider fake_provider = {
	.name = "fake TrustZone (" FAKE_NAME ")",
	.owner = THIS_MODULE,
	.pas_supported = fake_pas_supported,
	.init_image = fake_init_image,
	.metadata_release = fake_metadata_release,
	.mem_setup = fake_mem_setup,
	.auth_and_reset = fake_auth_and_reset,
	.auth_and_reset_bridged = fake_auth_and_reset_bridged,
	.shutdown = fake_shutdown,
	.set_remote_state = fake_set_remote_state,
	.bridge_create = fake_bridge_create,
	.bridge_delete = fake_bridge_delete,
	.smem_get = fake_smem_get,
	.qmp_get = fake_qmp_get,
	.qmp_load_state = fake_qmp_load_state,
	.qmp_put = fake_qmp_put,
};

void fake_tz_show(struct seq_file *s, unsigned int *held)
{
	static const char *const names[] = { "idle", "init", "setup", "running" };
	int i;

	mutex_lock(&fake_tz_lock);
	for (i = 0; i < FAKE_MAX_PAS; i++) {
		if (!fake_pas[i].used)
			continue;
		seq_printf(s, "pas%u.state %s\n", fake_pas[i].pas_id, names[fake_pas[i].state]);
		*held += fake_pas[i].state == TZ_RUNNING;
	}
	mutex_unlock(&fake_tz_lock);
}

int fake_tz_register(void)
{
	return qcom_scm_shim_register_provider(&fake_provider);
}

void fake_tz_unregister(void)
{
	int i;

	qcom_scm_shim_unregister_provider(&fake_provider);
	for (i = 0; i < FAKE_MAX_PAS; i++)
		kfree(fake_pas[i].segs);
}
