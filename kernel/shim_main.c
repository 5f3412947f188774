// SPDX-License-Identifier: GPL-2.0-only
/*
 * qcom-scm shim: the misc device, the ioctl dispatcher, who owns which core, the provider
 * of TrustZone and SoC services, and the panic notifier.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "qcom_scm_shim.h"

static DEFINE_MUTEX(shim_prov_lock);
static const struct qcom_scm_shim_provider *shim_prov;
static struct device *shim_root;

/* Argument sizes: the first published size of each struct (the oldest client) and ours. */
struct shim_ioc {
	u16 min;
	u16 ksize;
	bool out;	/* copied back to userspace */
	bool core;	/* handled by shim_core.c, else shim_pas.c */
};

#define IOC(nr, type, first, to_user, is_core) \
	[nr] = { .min = (first), .ksize = sizeof(type), .out = (to_user), .core = (is_core) }

static const struct shim_ioc shim_iocs[] = {
	IOC(0x00, struct qcom_scm_shim_version, 24, true, true),
	IOC(0x01, struct qcom_scm_shim_pas, 40, true, false),
	IOC(0x02, struct qcom_scm_shim_init_image, 32, true, false),
	IOC(0x03, struct qcom_scm_shim_pas, 40, true, false),
	IOC(0x04, struct qcom_scm_shim_pas, 40, true, false),
	IOC(0x05, struct qcom_scm_shim_pas, 40, true, false),
	IOC(0x06, struct qcom_scm_shim_pas, 40, true, false),
	IOC(0x07, struct qcom_scm_shim_remote_state, 24, true, false),
	IOC(0x08, struct qcom_scm_shim_rsctable, 48, true, false),
	IOC(0x09, struct qcom_scm_shim_bridge, 32, true, false),
	IOC(0x0a, struct qcom_scm_shim_bridge, 32, false, false),
	IOC(0x0b, struct qcom_scm_shim_carveout_fd, 32, true, false),
	IOC(0x0c, struct qcom_scm_shim_irq, 80, false, true),
	IOC(0x0d, struct qcom_scm_shim_stop_bit, 72, false, true),
	IOC(0x0e, struct qcom_scm_shim_smem, 24, true, false),
	IOC(0x0f, struct qcom_scm_shim_vote, 72, false, true),
	IOC(0x10, struct qcom_scm_shim_core, 88, true, true),
	IOC(0x11, struct qcom_scm_shim_glink, 72, false, true),
};

union shim_args {
	u32 size;
	struct qcom_scm_shim_version version;
	struct qcom_scm_shim_pas pas;
	struct qcom_scm_shim_init_image init_image;
	struct qcom_scm_shim_remote_state remote_state;
	struct qcom_scm_shim_rsctable rsctable;
	struct qcom_scm_shim_bridge bridge;
	struct qcom_scm_shim_carveout_fd carveout_fd;
	struct qcom_scm_shim_irq irq;
	struct qcom_scm_shim_stop_bit stop_bit;
	struct qcom_scm_shim_smem smem;
	struct qcom_scm_shim_vote vote;
	struct qcom_scm_shim_core core;
	struct qcom_scm_shim_glink glink;
};

/* Errors userspace can act on: never EPROBE_DEFER or the kernel-internal ENOTSUPP. */
int shim_errno(int err)
{
	if (err == -EPROBE_DEFER)
		return -EAGAIN;
	if (err == -ENOTSUPP)
		return -EOPNOTSUPP;
	return err;
}

/* The provider stays with the node (and its module pinned) while the node holds state. */
int shim_node_pin_provider(struct shim_node *n)
{
	const struct qcom_scm_shim_provider *p;

	if (n->prov)
		return 0;
	p = shim_provider_get();
	if (!p)
		return -ENODEV;
	n->prov = p;
	return 0;
}

/* For calls that hold no state: pinned for the call only (NULL: no provider). */
const struct qcom_scm_shim_provider *shim_provider_get(void)
{
	const struct qcom_scm_shim_provider *p;

	mutex_lock(&shim_prov_lock);
	p = shim_prov;
	if (p && !try_module_get(p->owner))
		p = NULL;
	mutex_unlock(&shim_prov_lock);
	return p;
}

void shim_provider_put(const struct qcom_scm_shim_provider *p)
{
	if (p)
		module_put(p->owner);
}

void shim_node_unpin_provider(struct shim_node *n)
{
	if (!n->prov)
		return;
	module_put(n->prov->owner);
	n->prov = NULL;
}

/* Called with n->lock held: the core is the caller's from now on (EBUSY if another's). */
int shim_claim(struct shim_node *n, struct shim_file *f)
{
	if (n->owner == f)
		return 0;
	if (n->owner)
		return -EBUSY;
	n->owner = f;
	if (n->kept) {
		n->kept = false;
		dev_info(&n->dev, "adopted by pid %d\n", task_tgid_nr(current));
	}
	return 0;
}

static u64 shim_provider_caps(const struct qcom_scm_shim_provider *p)
{
	u64 caps;

	if (!p)
		return 0;
	caps = QCOM_SCM_SHIM_CAP_PAS;
	if (p->auth_and_reset_bridged && p->bridge_create && p->bridge_delete)
		caps |= QCOM_SCM_SHIM_CAP_SHM_BRIDGE;
	if (p->get_rsc_table)
		caps |= QCOM_SCM_SHIM_CAP_RSCTABLE;
	if (p->set_remote_state)
		caps |= QCOM_SCM_SHIM_CAP_REMOTE_STATE;
	if (p->smem_get)
		caps |= QCOM_SCM_SHIM_CAP_SMEM;
	if (p->qmp_get && p->qmp_load_state && p->qmp_put)
		caps |= QCOM_SCM_SHIM_CAP_LOAD_STATE;
	return caps;
}

/* The provider pinned while it is read: a test provider's module may be on its way out. */
static u64 shim_caps(void)
{
	const struct qcom_scm_shim_provider *p = shim_provider_get();
	u64 caps = shim_core_caps() | shim_provider_caps(p);

	shim_provider_put(p);
	return caps;
}

static int shim_get_version(struct qcom_scm_shim_version *v)
{
	v->major = QCOM_SCM_SHIM_VERSION_MAJOR;
	v->minor = QCOM_SCM_SHIM_VERSION_MINOR;
	v->flags = SHIM_TEST_BUILD ? QCOM_SCM_SHIM_VERSION_TEST_BUILD : 0;
	v->caps = shim_caps();
	return 0;
}

static long shim_ioctl(struct file *file, unsigned int cmd, unsigned long uarg)
{
	void __user *up = (void __user *)uarg;
	unsigned int nr = _IOC_NR(cmd);
	const struct shim_ioc *ioc;
	union shim_args a;
	u32 usize;
	long ret;

	if (_IOC_TYPE(cmd) != QCOM_SCM_SHIM_IOC || nr >= ARRAY_SIZE(shim_iocs))
		return -ENOTTY;
	ioc = &shim_iocs[nr];
	if (!ioc->ksize)
		return -ENOTTY;
	if (get_user(usize, (u32 __user *)up))
		return -EFAULT;
	if (usize < ioc->min || usize > PAGE_SIZE)
		return -EINVAL;
	ret = copy_struct_from_user(&a, ioc->ksize, up, usize);
	if (ret)
		return ret;

	if (nr == _IOC_NR(QCOM_SCM_SHIM_GET_VERSION))
		ret = shim_get_version(&a.version);
	else if (ioc->core)
		ret = shim_ioctl_core(file->private_data, nr, &a);
	else
		ret = shim_ioctl_pas(file->private_data, nr, &a);
	ret = shim_errno(ret);

	if (ioc->out && (ret == 0 || ret == -EOVERFLOW)) {
		a.size = usize;
		if (copy_to_user(up, &a, min_t(u32, usize, ioc->ksize)))
			return -EFAULT;
	}
	return ret;
}

static int shim_open(struct inode *inode, struct file *file)
{
	struct shim_file *f;

	/* The file maps physical memory and starts cores: /dev/mem's bar, whatever the mode. */
	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->opener = task_tgid_nr(current);
	file->private_data = f;
	return 0;
}

static int shim_release(struct inode *inode, struct file *file)
{
	struct shim_file *f = file->private_data;
	unsigned int i;

	for (i = 0; i < shim_n_nodes; i++) {
		struct shim_node *n = shim_nodes[i];
		bool mine, keep;

		mutex_lock(&n->lock);
		mine = n->owner == f;
		keep = n->kept;
		mutex_unlock(&n->lock);
		if (mine)
			shim_core_release(n, keep);
	}
	kfree(f);
	return 0;
}

static const struct file_operations shim_fops = {
	.owner = THIS_MODULE,
	.open = shim_open,
	.release = shim_release,
	.unlocked_ioctl = shim_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = shim_mmap,
	.llseek = noop_llseek,
};

struct miscdevice shim_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = SHIM_NAME,
	.fops = &shim_fops,
	.mode = 0600,
};

static int shim_panic_notify(struct notifier_block *nb, unsigned long event, void *data)
{
	shim_panic_stop();
	return NOTIFY_DONE;
}

static struct notifier_block shim_panic_nb = {
	.notifier_call = shim_panic_notify,
	/* As the kernel's remoteproc core: early, so the cores stop before the host does. */
	.priority = INT_MAX,
};

#ifdef QCOM_SCM_SHIM_TEST
int qcom_scm_shim_register_provider(const struct qcom_scm_shim_provider *p)
{
	int ret = 0;

	if (!p || !p->pas_supported || !p->init_image || !p->metadata_release ||
	    !p->mem_setup || !p->auth_and_reset || !p->shutdown)
		return -EINVAL;
	mutex_lock(&shim_prov_lock);
	if (shim_prov)
		ret = -EBUSY;
	else
		shim_prov = p;
	mutex_unlock(&shim_prov_lock);
	if (!ret)
		pr_info("provider %s registered\n", p->name);
	return ret;
}
EXPORT_SYMBOL_GPL(qcom_scm_shim_register_provider);

void qcom_scm_shim_unregister_provider(const struct qcom_scm_shim_provider *p)
{
	mutex_lock(&shim_prov_lock);
	if (shim_prov == p)
		shim_prov = NULL;
	mutex_unlock(&shim_prov_lock);
}
EXPORT_SYMBOL_GPL(qcom_scm_shim_unregister_provider);

static const char *shim_provider_describe(void)
{
	return "test build";
}

static int shim_provider_init(void)
{
	pr_info("test build: PAS calls fail with ENODEV until a provider registers\n");
	return 0;
}
#else
static const char *shim_provider_describe(void)
{
	return shim_real_describe();
}

static int shim_provider_init(void)
{
	if (!shim_real_available()) {
		pr_err("no Qualcomm PAS service (qcom_scm/qcom_pas not available): not loading\n");
		return -ENODEV;
	}
	shim_prov = &shim_real_provider;
	return 0;
}
#endif

static int __init shim_init(void)
{
	int ret;

	ret = shim_provider_init();
	if (ret)
		return ret;
	shim_root = root_device_register(SHIM_NAME);
	if (IS_ERR(shim_root))
		return PTR_ERR(shim_root);
	ret = shim_nodes_create(shim_root);
	if (ret)
		goto err_root;
	ret = misc_register(&shim_misc);
	if (ret)
		goto err_nodes;
	atomic_notifier_chain_register(&panic_notifier_list, &shim_panic_nb);
	pr_info("%u PAS node(s), ABI %u.%u, capabilities %#llx, %s\n", shim_n_nodes,
		QCOM_SCM_SHIM_VERSION_MAJOR, QCOM_SCM_SHIM_VERSION_MINOR, shim_caps(),
		shim_provider_describe());
	return 0;

err_nodes:
	shim_nodes_destroy();
err_root:
	root_device_unregister(shim_root);
	return ret;
}

static void __exit shim_exit(void)
{
	unsigned int i;

	misc_deregister(&shim_misc);
	atomic_notifier_chain_unregister(&panic_notifier_list, &shim_panic_nb);
	/* No file is open any more: only kept cores remain, and they go now. */
	for (i = 0; i < shim_n_nodes; i++)
		shim_core_release(shim_nodes[i], false);
	shim_nodes_destroy();
	root_device_unregister(shim_root);
}

module_init(shim_init);
module_exit(shim_exit);

MODULE_DESCRIPTION("Qualcomm PAS remote processors for a userspace loader (rprocd)");
MODULE_LICENSE("GPL");
