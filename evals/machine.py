"""The machine a measurement ran on: CPU, cores, memory, fp32 peak, load, and the peak RSS of a process.

Part of the evals (``python -m evals.bench`` and ``python -m evals.load``): every report states the
machine and how busy it was, because absolute timings mean nothing without them.
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any

# multilingual-e5-small: 12 layers, hidden 384, feed-forward 1536 (weights outside the embedding table)
E5_LAYERS, E5_HIDDEN, E5_FFN = 12, 384, 1536
E5_NON_EMBEDDING_PARAMS = E5_LAYERS * (4 * E5_HIDDEN**2 + 2 * E5_HIDDEN * E5_FFN)  # ≈ 21.2M


def _lscpu() -> dict[str, str]:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    fields = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        if value:
            fields[key.strip()] = value.strip()
    return fields


def _cpuinfo() -> dict[str, str]:
    """Fields of the first processor in /proc/cpuinfo."""
    fields: dict[str, str] = {}
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return fields
    for line in text.split("\n\n", 1)[0].splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    return fields


def _mem_total_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def fp32_flops_per_cycle(flags: set[str], vendor: str, family: int) -> tuple[int, str]:
    """Peak fp32 FLOPs per cycle per core from the CPU's vector extensions, with the assumption made."""
    if "avx512f" in flags and vendor == "AuthenticAMD" and family == 25:
        return 32, "AMD Zen 4 (family 25) with AVX-512: 2 FMA pipes × 8 fp32 lanes (256-bit datapath) × 2"
    if "avx512f" in flags:
        return 64, "AVX-512: 2 FMA units × 16 fp32 lanes × 2 (cores with one 512-bit FMA unit reach half)"
    if "avx2" in flags and "fma" in flags:
        return 32, "AVX2+FMA: 2 FMA units × 8 fp32 lanes × 2"
    if "avx" in flags:
        return 16, "AVX without FMA: 1 add + 1 mul × 8 fp32 lanes"
    return 8, "SSE: 1 add + 1 mul × 4 fp32 lanes"


def machine_info() -> dict[str, Any]:
    lscpu, cpuinfo = _lscpu(), _cpuinfo()
    flags = set(cpuinfo.get("flags", lscpu.get("Flags", "")).split())
    vendor = cpuinfo.get("vendor_id", lscpu.get("Vendor ID", ""))
    try:
        family = int(cpuinfo.get("cpu family", lscpu.get("CPU family", "0")))
    except ValueError:
        family = 0
    ghz, ghz_source = 0.0, ""
    if lscpu.get("CPU max MHz"):
        ghz, ghz_source = float(lscpu["CPU max MHz"]) / 1000, "lscpu CPU max MHz"
    else:
        max_freq = Path("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")
        try:
            ghz, ghz_source = int(max_freq.read_text().strip()) / 1e6, "cpufreq cpuinfo_max_freq"
        except (OSError, ValueError):
            try:
                ghz = float(cpuinfo.get("cpu MHz", "0")) / 1000
                ghz_source = "/proc/cpuinfo cpu MHz (lscpu shows no max MHz, e.g. in a VM; boost clocks not known)"
            except ValueError:
                ghz = 0.0
    try:
        cores = int(lscpu.get("Core(s) per socket", "0")) * int(lscpu.get("Socket(s)", "0"))
    except ValueError:
        cores = 0
    cores = cores or os.cpu_count() or 1
    flops_cycle, assumption = fp32_flops_per_cycle(flags, vendor, family)
    return {
        "cpu_model": cpuinfo.get("model name", lscpu.get("Model name", platform.processor())),
        "vendor": vendor,
        "cpu_family": family,
        "cores": cores,
        "logical_cpus": os.cpu_count() or 1,
        "ram_gb": _mem_total_gb(),
        "ghz": round(ghz, 3),
        "ghz_source": ghz_source,
        "vector_flags": sorted(flags & {"avx", "avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16"}),
        "fp32_flops_per_cycle": flops_cycle,
        "flops_assumption": assumption,
        "peak_gflops_fp32": round(cores * ghz * flops_cycle, 1),
        # int8 dot products (VNNI): four 8-bit products per 32-bit lane where fp32 has one multiply-add
        "peak_gops_int8": round(cores * ghz * flops_cycle * (4 if flags & {"avx512_vnni", "avx_vnni"} else 2), 1),
        "int8_assumption": "VNNI: 4 × the fp32 peak (4 int8 multiply-adds per 32-bit lane)"
        if flags & {"avx512_vnni", "avx_vnni"}
        else "no VNNI: 2 × the fp32 peak (int16 pairs)",
        "python": platform.python_version(),
        "platform": platform.platform(),
        # settings that change how the OpenMP embedding engine behaves on shared cores
        "env": {k: v for k, v in os.environ.items() if k.startswith(("OMP_", "GOMP_", "BELEIDSBRON_"))},
    }


def peak_rss_of(pid: int) -> float:
    """VmHWM (peak RSS) of a running process in MB, 0 when unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def throughput_vs_peak(tokens: int, texts: int, embed_seconds: float, peak_gflops: float) -> dict[str, float]:
    """Embedding tokens/s next to the model's tokens/s at the machine's fp32 peak.

    FLOPs/token = 2 × non-embedding parameters (one multiply-add per weight) + attention, 4 × L × hidden
    per layer (QKᵀ and weights × V) for a mean sequence length L (tokens per embedded text).
    """
    mean_len = tokens / texts if texts else 0.0
    flops_token = 2 * E5_NON_EMBEDDING_PARAMS + E5_LAYERS * 4 * mean_len * E5_HIDDEN
    peak_tokens = peak_gflops * 1e9 / flops_token if flops_token else 0.0
    achieved = tokens / embed_seconds if embed_seconds else 0.0
    return {
        "mean_tokens_per_text": round(mean_len, 1),
        "mflops_per_token": round(flops_token / 1e6, 2),
        "tokens_per_s_at_peak": round(peak_tokens, 1),
        "engine_tokens_per_s": round(achieved, 1),
        "fraction_of_peak": round(achieved / peak_tokens, 4) if peak_tokens else 0.0,
    }


def load_average() -> str:
    """The 1/5/15-minute load averages ("n/a" where unknown): how busy the machine was."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def _spin(seconds: float) -> int:
    """Count loop turns for ``seconds`` of wall time (a CPU-bound probe)."""
    import time

    turns, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        turns += 1
    return turns


def spare_cores(seconds: float = 1.0) -> float:
    """How many cores a CPU-bound task gets right now: the work two processes spinning at once get done,
    over the work of one alone (2.0 on two free cores, about 1.0 when other work holds the second)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_spin, [0.05, 0.05]))  # both processes started
        alone = pool.submit(_spin, seconds).result()
        together = sum(pool.map(_spin, [seconds, seconds]))
    return round(together / alone, 2) if alone else 0.0
