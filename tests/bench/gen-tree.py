#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write a device tree source with N PAS remote processors, for the benchmarks.

    gen-tree.py --cores N [--carveout-mib M] [--compatible C] OUT.dts

Each core gets its own no-map carveout of M MiB (default 32), an SMMU stream and the five
SMP2P-style interrupts.  With the default compatibles the first five cores are SA8775p's
(adsp, cdsp0, cdsp1, gpdsp0, gpdsp1, whose PAS ids the SoC table knows); --compatible C gives
every core that compatible instead.  Core k is named by an alias remoteproc_<name>: the SA8775p
names, or dsp<k> beyond them.
"""
import argparse

SA8775P = [('adsp', 'qcom,sa8775p-adsp-pas'), ('cdsp0', 'qcom,sa8775p-cdsp0-pas'),
           ('cdsp1', 'qcom,sa8775p-cdsp1-pas'), ('gpdsp0', 'qcom,sa8775p-gpdsp0-pas'),
           ('gpdsp1', 'qcom,sa8775p-gpdsp1-pas')]
CARVEOUT_BASE = 0x1_0000_0000


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--cores', type=int, required=True)
    ap.add_argument('--carveout-mib', type=int, default=32)
    ap.add_argument('--compatible')
    ap.add_argument('out')
    a = ap.parse_args()

    cores = []
    for k in range(a.cores):
        if a.compatible:
            cores.append((f'dsp{k}', a.compatible))
        elif k < len(SA8775P):
            cores.append(SA8775P[k])
        else:
            cores.append((f'dsp{k}', 'qcom,sa8775p-cdsp0-pas'))
    size = a.carveout_mib << 20
    out = ['/dts-v1/;', '', '/ {',
           f'\tmodel = "rprocd benchmark tree: {a.cores} PAS remote processors";',
           '\tcompatible = "rprocd,bench";', '\t#address-cells = <2>;', '\t#size-cells = <2>;',
           '', '\taliases {']
    out += [f'\t\tremoteproc_{name} = &rproc{k};' for k, (name, _) in enumerate(cores)]
    out += ['\t};', '', '\treserved-memory {', '\t\t#address-cells = <2>;',
            '\t\t#size-cells = <2>;', '\t\tranges;']
    for k in range(a.cores):
        base = CARVEOUT_BASE + k * size
        out += ['', f'\t\tmem{k}: carveout@{base:x} {{',
                f'\t\t\treg = <0x{base >> 32:x} 0x{base & 0xffffffff:x} '
                f'0x{size >> 32:x} 0x{size & 0xffffffff:x}>;', '\t\t\tno-map;', '\t\t};']
    out += ['\t};', '', '\tsmmu: iommu@15000000 {', '\t\tcompatible = "arm,mmu-500";',
            '\t\treg = <0x0 0x15000000 0x0 0x100000>;', '\t\t#iommu-cells = <2>;', '\t};',
            '', '\tintc: interrupt-controller@17a00000 {', '\t\tcompatible = "arm,gic-v3";',
            '\t\treg = <0x0 0x17a00000 0x0 0x10000>;', '\t\tinterrupt-controller;',
            '\t\t#interrupt-cells = <3>;', '\t};']
    for k, (name, compatible) in enumerate(cores):
        reg = 0x2000_0000 + k * 0x10_0000
        out += ['', f'\trproc{k}: remoteproc@{reg:x} {{', f'\t\tcompatible = "{compatible}";',
                f'\t\treg = <0x0 0x{reg:x} 0x0 0x10000>;',
                f'\t\tinterrupts-extended = <&intc 0 {k * 5} 1>, <&intc 0 {k * 5 + 1} 1>,',
                f'\t\t\t<&intc 0 {k * 5 + 2} 1>, <&intc 0 {k * 5 + 3} 1>, '
                f'<&intc 0 {k * 5 + 4} 1>;',
                '\t\tinterrupt-names = "wdog", "fatal", "ready", "handover", "stop-ack";',
                f'\t\tmemory-region = <&mem{k}>;',
                f'\t\tiommus = <&smmu 0x{0x1000 + k * 0x20:x} 0x0>;',
                f'\t\tfirmware-name = "bench/{name}.mbn";', '\t\tstatus = "okay";', '\t};']
    out += ['};', '']
    with open(a.out, 'w') as f:
        f.write('\n'.join(out))


if __name__ == '__main__':
    main()
