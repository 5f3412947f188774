// SPDX-License-Identifier: GPL-2.0-only
/* qmp_send(qmp, fmt, ...) (6.10 and later) instead of qmp_send(qmp, buf, len). */
#include <linux/soc/qcom/qcom_aoss.h>
extern int (*shim_probe)(struct qmp *, const char *, ...);
int (*shim_probe)(struct qmp *, const char *, ...) = qmp_send;
