#!/usr/bin/env python3
"""Builds the xil firmware, runs it on emulated Cortex-M4F and Cortex-M3
boards under QEMU with the project's instruction-counting plugin, and writes
bench/results/device.md and bench/results/device.csv.

It installs nothing: a missing tool is named, with the command that installs
it, and the run stops. Exit status: 0 when both boards ran the session, the
corrections raised the explanation F1, the reference run printed exactly the
bits the host pins in tests/fixtures/reference.txt and no f64 helper was
linked (outside the known gap F64_KNOWN names); 1 otherwise.

Usage: python3 bench/firmware/run.py [--only m4f|m3]
"""
import argparse
import csv
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

FIRMWARE = Path(__file__).resolve().parent
# The reference run's numbers, bit for bit, as the host test pins them.
REFERENCE = FIRMWARE.parent.parent / "tests" / "fixtures" / "reference.txt"
# The SENN firmware's step, bit for bit, as the host test pins it.
REFERENCE_SENN = FIRMWARE.parent.parent / "tests" / "fixtures" / "reference-senn.txt"
RESULTS = FIRMWARE.parent / "results"
CLOCK_MHZ = 80
BOARDS = {
    "m4f": {
        "name": "Cortex-M4F (mps2-an386)",
        "target": "thumbv7em-none-eabihf",
        "qemu": ["-machine", "mps2-an386", "-cpu", "cortex-m4"],
    },
    "m3": {
        "name": "Cortex-M3, no FPU (lm3s6965evb)",
        "target": "thumbv7m-none-eabi",
        "qemu": ["-machine", "lm3s6965evb", "-cpu", "cortex-m3"],
    },
}
F64_HELPERS = re.compile(r"__aeabi_d|__adddf3|__subdf3|__muldf3|__divdf3|__extendsfdf2|__truncdfsf2")


def fail(message):
    print(f"device: {message}", file=sys.stderr)
    sys.exit(1)


def check_tools(boards):
    missing = []
    for tool, package in [
        ("qemu-system-arm", "apt-get install qemu-system-arm"),
        ("arm-none-eabi-nm", "apt-get install binutils-arm-none-eabi"),
        ("arm-none-eabi-size", "apt-get install binutils-arm-none-eabi"),
        ("gcc", "apt-get install gcc"),
        ("cargo", "rustup (https://rustup.rs)"),
    ]:
        if shutil.which(tool) is None:
            missing.append(f"{tool} ({package})")
    if shutil.which("rustup"):
        installed = subprocess.run(["rustup", "target", "list", "--installed"], capture_output=True, text=True).stdout
        for board in boards:
            target = BOARDS[board]["target"]
            if target not in installed.split():
                missing.append(f"the Rust target {target} (rustup target add {target})")
    if missing:
        fail("missing: " + "; ".join(missing))


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        fail(f"{' '.join(map(str, command))} failed:\n{result.stderr}{result.stdout}")
    return result.stdout


def build(target, variant):
    """The firmware's ELF: variant "full" (the CAIPI session and benchmarks),
    "cnn" (the 8x8-digit CNN alone), "bayes" (the Bayesian 8x8-digit CNN
    alone), "senn" (CALIMOCHO's SENN, linked for 256 KB of RAM) or
    "baseline" (no ML)."""
    target_dir = FIRMWARE / "target" / variant
    command = ["cargo", "build", "--release", "--target", target, "--target-dir", str(target_dir)]
    if variant != "full":
        command += ["--features", variant]
    run(command, cwd=FIRMWARE)
    return target_dir / target / "release" / "xil-firmware"


def footprint(elf):
    sections = {}
    for line in run(["arm-none-eabi-size", "-A", str(elf)]).splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith(".") and parts[1].isdigit():
            sections[parts[0]] = int(parts[1])
    flash = sum(sections.get(s, 0) for s in (".vector_table", ".text", ".rodata", ".data"))
    ram = sum(sections.get(s, 0) for s in (".data", ".bss", ".uninit"))
    return flash, ram


def symbol(elf, name):
    for line in run(["arm-none-eabi-nm", str(elf)]).splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == name:
            return int(parts[0], 16) & ~1
    fail(f"{name} not found in {elf}")


def run_elf(elf, board, plugin, name):
    """Runs one firmware under QEMU with the counting plugin: its output, the
    regions it printed (name, stack) and their instruction counts."""
    spec = BOARDS[board]
    counts_file = FIRMWARE / "target" / f"counts-{board}-{name}.txt"
    start, end = symbol(elf, "xil_region_start"), symbol(elf, "xil_region_end")
    command = [
        "timeout", "600", "qemu-system-arm", *spec["qemu"], "-nographic",
        "-semihosting-config", "enable=on,target=native",
        "-plugin", f"{plugin},start={start:#x},end={end:#x},out={counts_file}",
        "-kernel", str(elf),
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    output = result.stdout
    regions = re.findall(r"^region (.+) stack (\d+)$", output, re.M)
    counts = [int(line) for line in counts_file.read_text().split("\n") if line.strip().isdigit()]
    if result.returncode != 0:
        fail(f"the {name} firmware on {spec['name']} exited with status {result.returncode}:\n{output}{result.stderr}")
    if len(counts) != len(regions):
        fail(f"{len(regions)} regions printed but {len(counts)} counted on {spec['name']} ({name})")
    calibration = counts[0]
    workloads = [(region, count - calibration, int(stack)) for (region, stack), count in zip(regions, counts)][1:]
    return output, workloads, calibration


def f64_helpers(elf):
    return sorted({line.split()[-1] for line in run(["arm-none-eabi-nm", str(elf)]).splitlines()
                   if F64_HELPERS.search(line)})


# memory/small.x's RAM (every firmware but the SENN's).
RAM_BYTES = 64 * 1024

# The networks' firmwares, each measured apart: feature, report label, the
# boards it runs on and the RAM of its memory map. The SENN's network and
# trainer take 165 KB: it is linked for an nRF52840's 256 KB
# (memory/nrf52840.x), which the M4F board's SRAM holds and the M3 board's
# 64 KB do not.
NETWORKS = [("cnn", "8x8 CNN", {"m4f", "m3"}, RAM_BYTES), ("bayes", "Bayesian 8x8 CNN", {"m4f", "m3"}, RAM_BYTES),
            ("senn", "SENN 101x101, 256 KB RAM map", {"m4f"}, 256 * 1024)]

# Firmwares allowed to link f64 helpers, and why: core's standard normal
# (Box-Muller) calls libm's cosf, whose kernel works in double; an f32-only
# sampler would change every number drawn from it (the perceptron's initial
# weights, the Bayesian noise) and every result built on them.
F64_KNOWN = {"bayes": "core's standard_normal calls libm's cosf, which computes in double"}


def run_board(board, plugin):
    spec = BOARDS[board]
    elf = build(spec["target"], "full")
    baseline = build(spec["target"], "baseline")
    output, workloads, calibration = run_elf(elf, board, plugin, "full")
    sessions = re.findall(r"^session corrections=(\w+) rounds=(\d+) f1_milli=(\d+) accuracy_milli=(\d+) "
                          r"counterexamples=(\d+) full=(\d)$", output, re.M)
    flash, ram = footprint(elf)
    base_flash, base_ram = footprint(baseline)
    max_stack = max(stack for _, _, stack in workloads)
    networks = []
    f64 = set(f64_helpers(elf))
    known_f64 = {}
    for feature, label, boards, ram_bytes in NETWORKS:
        if board not in boards:
            continue
        network_elf = build(spec["target"], feature)
        network_output, network_workloads, _ = run_elf(network_elf, board, plugin, feature)
        network_flash, network_ram = footprint(network_elf)
        workloads = workloads + network_workloads
        output += network_output
        if feature in F64_KNOWN:
            known_f64[feature] = f64_helpers(network_elf)
        else:
            f64 |= set(f64_helpers(network_elf))
        networks.append({"feature": feature, "label": label, "flash": network_flash, "ram": network_ram,
                         "ram_bytes": ram_bytes, "max_stack": max(stack for _, _, stack in network_workloads)})
    return {
        "board": board,
        "name": spec["name"],
        "workloads": workloads,
        "calibration": calibration,
        "sessions": sessions,
        "reference": re.findall(r"^reference .*$", output, re.M),
        "f64": sorted(f64),
        "known_f64": known_f64,
        "flash": flash, "ram": ram, "base_flash": base_flash, "base_ram": base_ram,
        "max_stack": max_stack,
        "networks": networks,
        "output": output,
    }


def estimate_us(instructions):
    return f"{instructions / CLOCK_MHZ:,.0f}–{1.5 * instructions / CLOCK_MHZ:,.0f}"


def write_reports(results):
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    writer.writerow(["board", "workload", "instructions", "estimated_us_at_80mhz_low", "estimated_us_at_80mhz_high",
                     "stack_bytes"])
    for r in results:
        for name, count, stack in r["workloads"]:
            writer.writerow([r["board"], name, count, round(count / CLOCK_MHZ), round(1.5 * count / CLOCK_MHZ), stack])
    (RESULTS / "device.csv").write_text(rows.getvalue())

    md = ["# xil-core on emulated Cortex-M boards", "",
          "Written by `python3 bench/firmware/run.py`. Instructions are counted exactly by the project's QEMU",
          "plugin between marker functions, minus the empty region's count "
          f"({', '.join(str(r['calibration']) + ' on ' + r['board'] for r in results)}). "
          f"Times are **estimates** at {CLOCK_MHZ} MHz and 1–1.5 cycles per instruction, not measurements.",
          "Stack is the high-water mark of a painted stack during the workload (including the caller's frames).", "",
          "The `CNN 8x8` regions run in a firmware of their own (`--features cnn`): core's `DigitsCnn` (conv 3x3x8, ReLU, 2x2 max-pool, dense 72-32-10: 2,746",
          "parameters, 11 KB in static RAM) on one drawn 8x8 digit, with weights drawn at random on the device:",
          "the counts depend on the weights only through which ReLUs are active and which pooled input is largest.",
          "Saliency and DeepLIFT explain the predicted class's logit; Grad-CAM weighs the 6x6 convolutional maps.", "",
          "The `Bayesian CNN 8x8` regions run in a third firmware (`--features bayes`): core's `BayesDigitsCnn` (Gaussian",
          "conv 3x3x4 with padding 1, ReLU, conv 3x3x4 whose pre-activations take the feedback evidence, ReLU, 2x2",
          "max-pool, dense 36-16-10; 950 weights, each a mean, a rho and the kept sigma² and its slope: 15 KB in static",
          "RAM), drawn on the device, on the same digit. One MC sample draws the local-reparameterisation noise of every",
          "layer (one standard normal per activation: most of the count) and predicts; the feedback row max-pools a mask",
          "of irrelevant pixels (the two left columns) to the 6x6 maps and keeps the activations the summed logits depend",
          "on. Fine-tuning on the device (one example's negative-ELBO gradient with that evidence) is not run: a gradient",
          "buffer beside the network left too little stack for the passes in 64 KB.", "",
          "The `SENN 101x101` regions run in a fourth firmware (`--features senn`, M4F only): seed 001's self-explaining",
          "network at depth 1 over the 101 one-hot colors features (`w(x)` one 101 x 101 layer with its bias: 10,302",
          "weights) in `xil_core::reference::senn`: a pool of 64 images, 8 labelled, one query by uncertainty over the 56",
          "left (a forward pass each), the query's probability and its exact explanation `w(x)`, then the simulated user's",
          "answer (rule 0's truth on the 10 entries farthest from it) and one refit step: one Adam step on a minibatch of",
          "3 (floor(sqrt(9))) with the squared explanation loss. Its fingerprint matches the host's bit for bit.", ""]
    header = "| workload | " + " | ".join(f"{r['name']}: instructions (est. µs) / stack B" for r in results) + " |"
    md += [header, "|---|" + "---:|" * len(results)]
    names = list(dict.fromkeys(name for r in results for name, _, _ in r["workloads"]))
    for name in names:
        cells = []
        for r in results:
            measured = {n: (count, stack) for n, count, stack in r["workloads"]}
            if name in measured:
                count, stack = measured[name]
                cells.append(f"{count:,} ({estimate_us(count)}) / {stack:,}")
            else:
                cells.append("— (does not fit)")
        md.append(f"| {name} | " + " | ".join(cells) + " |")
    md += ["", "## Footprint", "",
           "| board | flash, all | flash, ML code (minus baseline) | static RAM, all | static RAM, ML (minus baseline) | "
           "peak stack | RAM, whole session (static + peak stack) |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        md.append(f"| {r['name']}, CAIPI session | {r['flash']:,} B | {r['flash'] - r['base_flash']:,} B | {r['ram']:,} B | "
                  f"{r['ram'] - r['base_ram']:,} B | {r['max_stack']:,} B | {r['ram'] + r['max_stack']:,} B |")
        for n in r["networks"]:
            md.append(f"| {r['name']}, {n['label']} (`--features {n['feature']}`) | {n['flash']:,} B | "
                      f"{n['flash'] - r['base_flash']:,} B | {n['ram']:,} B | {n['ram'] - r['base_ram']:,} B | "
                      f"{n['max_stack']:,} B | {n['ram'] + n['max_stack']:,} B |")
    md += ["", "The baseline is the same firmware with `--features baseline`: runtime, semihosting and integer",
           "printing, no ML. memory/small.x limits the link to 256 KiB flash and 64 KiB RAM; the SENN firmware",
           "links with memory/nrf52840.x (1 MiB flash, 256 KiB RAM, an nRF52840's map) and runs on the M4F board only,",
           "whose SRAM holds it. Its network, gradient, Adam moments and session sit on the stack of one function",
           "(the peak stack column): static RAM is only the 64-image pool.", "",
           "## The on-device session", "",
           "Rule 0, L1 SVM on the 300 pair features, LIME with 1,000 samples, k = 4, a pool of 300 and 200 test",
           "images generated on the device, 3 labels per class to start, a labelled set of 256.", "",
           "| board | corrections | rounds | running F1 | test accuracy | counterexamples | labelled set filled |",
           "|---|---|---:|---:|---:|---:|---|"]
    for r in results:
        for corrections, rounds, f1, accuracy, counterexamples, full in r["sessions"]:
            md.append(f"| {r['name']} | {corrections} | {rounds} | {int(f1) / 1000:.3f} | {int(accuracy) / 1000:.3f} | "
                      f"{counterexamples} | {'yes' if full == '1' else 'no'} |")
    md += ["", "## f64 helpers linked", ""]
    for r in results:
        md.append(f"- {r['name']}: {', '.join(r['f64']) if r['f64'] else 'none'}")
        for feature, helpers in r["known_f64"].items():
            md.append(f"- {r['name']}, `--features {feature}` (a known gap: {F64_KNOWN[feature]}): "
                      f"{len(helpers)} helpers ({', '.join(h for h in helpers if h.startswith('__aeabi'))})")
    (RESULTS / "device.md").write_text("\n".join(md) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=sorted(BOARDS), help="run one board only")
    args = parser.parse_args()
    boards = [args.only] if args.only else ["m4f", "m3"]
    check_tools(boards)
    plugin = FIRMWARE / "target" / "libxilcount.so"
    plugin.parent.mkdir(parents=True, exist_ok=True)
    run(["gcc", "-O2", "-Wall", "-Wextra", "-shared", "-fPIC", "-o", str(plugin), str(FIRMWARE / "plugin" / "count.c")])
    results = [run_board(board, plugin) for board in boards]
    write_reports(results)
    problems = []
    for r in results:
        pinned = REFERENCE.read_text().splitlines()
        if any(n["feature"] == "senn" for n in r["networks"]):
            pinned += REFERENCE_SENN.read_text().splitlines()
        if r["reference"] != pinned:
            problems.append(f"{r['name']}: the reference run differs from the host's bits "
                            f"({REFERENCE.name}): device {r['reference']} vs host {pinned}")
        else:
            print(f"{r['name']}: the reference run matches the host bit for bit ({len(pinned)} runs)")
        f1 = {corrections: int(f1) for corrections, _, f1, *_ in r["sessions"]}
        if not ("on" in f1 and "off" in f1 and f1["on"] > f1["off"]):
            problems.append(f"{r['name']}: corrections did not raise the F1 ({f1})")
        if r["f64"]:
            problems.append(f"{r['name']}: f64 helpers linked: {', '.join(r['f64'])}")
        # A stack that reached the statics overflowed: its figures are not to be trusted.
        for label, ram, stack, ram_bytes in [("session", r["ram"], r["max_stack"], RAM_BYTES)] + \
                [(n["label"], n["ram"], n["max_stack"], n["ram_bytes"]) for n in r["networks"]]:
            if ram + stack >= ram_bytes:
                problems.append(f"{r['name']}, {label}: static RAM {ram:,} B + stack {stack:,} B fill the "
                                f"{ram_bytes:,} B of RAM (a stack overflow)")
        print(f"{r['name']}: session F1 with/without corrections {f1.get('on', 0) / 1000:.3f} / "
              f"{f1.get('off', 0) / 1000:.3f}; flash {r['flash']:,} B, RAM {r['ram'] + r['max_stack']:,} B")
    print(f"wrote {RESULTS / 'device.md'} and {RESULTS / 'device.csv'}")
    if problems:
        fail("; ".join(problems))


if __name__ == "__main__":
    main()
