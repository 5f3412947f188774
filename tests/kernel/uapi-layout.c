// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The shim UAPI's layout, pinned: every struct's size and every field's offset, the same on
 * each ABI the header is compiled for (uapi-check.sh builds this for x86-64, i386 and arm64
 * with -Wpadded -Werror, so implicit padding fails too).  Compiles as C11 and C++11.
 */
#include <stddef.h>

#include "rproc/qcom-scm-shim.h"

#ifdef __cplusplus
#define SA static_assert
#else
#define SA _Static_assert
#endif

#define SIZE(t, n) SA(sizeof(struct t) == (n), "size of " #t)
#define OFF(t, f, n) SA(offsetof(struct t, f) == (n), "offset of " #t "." #f)

SIZE(qcom_scm_shim_version, 24);
OFF(qcom_scm_shim_version, size, 0);
OFF(qcom_scm_shim_version, major, 4);
OFF(qcom_scm_shim_version, minor, 8);
OFF(qcom_scm_shim_version, flags, 12);
OFF(qcom_scm_shim_version, caps, 16);

SIZE(qcom_scm_shim_pas, 40);
OFF(qcom_scm_shim_pas, size, 0);
OFF(qcom_scm_shim_pas, pas_id, 4);
OFF(qcom_scm_shim_pas, addr, 8);
OFF(qcom_scm_shim_pas, length, 16);
OFF(qcom_scm_shim_pas, flags, 24);
OFF(qcom_scm_shim_pas, __reserved, 28);
OFF(qcom_scm_shim_pas, out_result, 32);

SIZE(qcom_scm_shim_init_image, 32);
OFF(qcom_scm_shim_init_image, size, 0);
OFF(qcom_scm_shim_init_image, pas_id, 4);
OFF(qcom_scm_shim_init_image, metadata, 8);
OFF(qcom_scm_shim_init_image, metadata_len, 16);
OFF(qcom_scm_shim_init_image, out_result, 24);

SIZE(qcom_scm_shim_remote_state, 24);
OFF(qcom_scm_shim_remote_state, size, 0);
OFF(qcom_scm_shim_remote_state, state, 4);
OFF(qcom_scm_shim_remote_state, id, 8);
OFF(qcom_scm_shim_remote_state, __reserved, 12);
OFF(qcom_scm_shim_remote_state, out_result, 16);

SIZE(qcom_scm_shim_rsctable, 48);
OFF(qcom_scm_shim_rsctable, size, 0);
OFF(qcom_scm_shim_rsctable, pas_id, 4);
OFF(qcom_scm_shim_rsctable, input, 8);
OFF(qcom_scm_shim_rsctable, input_len, 16);
OFF(qcom_scm_shim_rsctable, output, 24);
OFF(qcom_scm_shim_rsctable, output_len, 32);
OFF(qcom_scm_shim_rsctable, out_result, 40);

SIZE(qcom_scm_shim_bridge, 32);
OFF(qcom_scm_shim_bridge, size, 0);
OFF(qcom_scm_shim_bridge, __reserved, 4);
OFF(qcom_scm_shim_bridge, addr, 8);
OFF(qcom_scm_shim_bridge, length, 16);
OFF(qcom_scm_shim_bridge, handle, 24);

SIZE(qcom_scm_shim_carveout_fd, 32);
OFF(qcom_scm_shim_carveout_fd, size, 0);
OFF(qcom_scm_shim_carveout_fd, flags, 4);
OFF(qcom_scm_shim_carveout_fd, addr, 8);
OFF(qcom_scm_shim_carveout_fd, length, 16);
OFF(qcom_scm_shim_carveout_fd, out_fd, 24);
OFF(qcom_scm_shim_carveout_fd, __reserved, 28);

SIZE(qcom_scm_shim_irq, 80);
OFF(qcom_scm_shim_irq, size, 0);
OFF(qcom_scm_shim_irq, irq, 4);
OFF(qcom_scm_shim_irq, eventfd, 8);
OFF(qcom_scm_shim_irq, __reserved, 12);
OFF(qcom_scm_shim_irq, device, 16);

SIZE(qcom_scm_shim_stop_bit, 72);
OFF(qcom_scm_shim_stop_bit, size, 0);
OFF(qcom_scm_shim_stop_bit, set, 4);
OFF(qcom_scm_shim_stop_bit, device, 8);

SIZE(qcom_scm_shim_smem, 24);
OFF(qcom_scm_shim_smem, size, 0);
OFF(qcom_scm_shim_smem, item, 4);
OFF(qcom_scm_shim_smem, buffer, 8);
OFF(qcom_scm_shim_smem, buffer_len, 16);

/* 72 in ABI 1.0; @votes and @__reserved appended in 1.1. */
SIZE(qcom_scm_shim_vote, 80);
OFF(qcom_scm_shim_vote, size, 0);
OFF(qcom_scm_shim_vote, on, 4);
OFF(qcom_scm_shim_vote, device, 8);
OFF(qcom_scm_shim_vote, votes, 72);
OFF(qcom_scm_shim_vote, __reserved, 76);

SIZE(qcom_scm_shim_core, 88);
OFF(qcom_scm_shim_core, size, 0);
OFF(qcom_scm_shim_core, op, 4);
OFF(qcom_scm_shim_core, device, 8);
OFF(qcom_scm_shim_core, out_state, 72);
OFF(qcom_scm_shim_core, out_levels, 76);
OFF(qcom_scm_shim_core, out_levels_valid, 80);
OFF(qcom_scm_shim_core, out_pas_id, 84);

SIZE(qcom_scm_shim_glink, 72);
OFF(qcom_scm_shim_glink, size, 0);
OFF(qcom_scm_shim_glink, op, 4);
OFF(qcom_scm_shim_glink, device, 8);

/* The request codes encode these sizes: pinned too, so a change cannot slip through. */
SA(QCOM_SCM_SHIM_PROXY_VOTE == 0x4050bd0fu, "PROXY_VOTE request code");
SA(QCOM_SCM_SHIM_CORE == 0xc058bd10u, "CORE request code");
SA(QCOM_SCM_SHIM_GET_VERSION == 0xc018bd00u, "GET_VERSION request code");

/* Something for the linker on the ABIs where this is linked rather than only compiled. */
int main(void)
{
	return 0;
}
