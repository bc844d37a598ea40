#!/usr/bin/env python3
"""The report of bench/compare.sh: medians of the interleaved rounds, CPU per command, the goals,
this build against a baseline build when one was measured, and two charts. Reads the raw measurements compare.sh wrote; prints the table and writes
compare.md, compare.json, compare.svg and latency-at-load.svg."""
import argparse
import datetime
import json
import os
import platform
import statistics

CLIENTS = {"read4k": "iscsi-perf", "read1m": "iscsi-perf", "write": "qemu-img bench"}
NAMES = {"tgt": "tgt", "isl": "iscsilab", "isl-uring": "iscsilab io_uring",
         "isl-poll": "iscsilab --poll", "isl-file": "iscsilab (file LUN)"}
COLOURS = {"tgt": "#999999", "isl": "#2a6fdb", "isl-uring": "#17a589", "isl-poll": "#d35400",
           "isl-file": "#2a6fdb", "base": "#8e44ad", "base-file": "#8e44ad"}
# this build's target and the baseline's, per kind of LUN
BASELINE_PAIRS = (("isl", "base"), ("isl-file", "base-file"))
# a baseline row is "within" when this build's median is at least this share of the baseline's
WITHIN = 0.95


def read_raw(path):
    runs = {}
    with open(path) as f:
        for line in f:
            rnd, workload, target, value, commands, tcpu, ccpu = line.rstrip("\n").split("\t")
            runs.setdefault(workload, {}).setdefault(target, []).append({
                "round": int(rnd), "value": float(value or 0), "commands": float(commands or 0),
                "targetCpuSeconds": float(tcpu or 0), "clientCpuSeconds": float(ccpu or 0)})
    return runs


def per_command(runs, key):
    """Median over the rounds of CPU microseconds per command (rounds without commands left out)."""
    xs = [r[key] / r["commands"] * 1e6 for r in runs if r["commands"] > 0]
    return statistics.median(xs) if xs else None


def summarise(runs):
    out = {}
    for workload, targets in runs.items():
        out[workload] = {}
        for target, rs in targets.items():
            out[workload][target] = {
                "median": statistics.median(r["value"] for r in rs),
                "runs": [r["value"] for r in rs],
                "targetCpuMicrosPerCommand": per_command(rs, "targetCpuSeconds"),
                "clientCpuMicrosPerCommand": per_command(rs, "clientCpuSeconds"),
            }
    return out


def unit_of(workload):
    if workload.startswith("sockperf"):
        return "us"
    return "MB/s" if "1M" in workload or "iperf3" in workload else "IOPS"


def client_of(workload):
    if "write" in workload:
        return CLIENTS["write"]
    return CLIENTS["read1m"] if "1M" in workload else CLIENTS["read4k"]


def goals(s, stream):
    """The issue's goals, each with what was measured: (label, measured text, met)."""
    def med(w, t):
        return s.get(w, {}).get(t, {}).get("median")

    def cpu(w, t):
        return s.get(w, {}).get(t, {}).get("targetCpuMicrosPerCommand")

    rows = []

    def ratio_goal(label, w, t, goal):
        a, b = med(w, t), med(w, "tgt")
        if a and b:
            r = a / b
            rows.append((label, f"{a:,.0f} / {b:,.0f} = {r:.2f}x", f">= {goal}x", r >= goal))

    ratio_goal("4 KiB random read QD32", "4k random read qd32", "isl", 4)
    a = med("1M sequential read qd8", "isl")
    if a and stream:
        rows.append(("1 MiB sequential read QD8", f"{a:,.0f} MB/s = {a / stream:.0%} of the stream",
                     ">= 95% of the stream", a / stream >= 0.95))
    best = max((t for t in ("isl", "isl-uring", "isl-poll") if med("4k random read qd1", t)),
               key=lambda t: med("4k random read qd1", t), default=None)
    if best and med("4k random read qd1", "tgt"):
        r = med("4k random read qd1", best) / med("4k random read qd1", "tgt")
        rows.append(("4 KiB random read QD1", f"{NAMES[best]}: {r:.2f}x tgt"
                     + (f" (default {med('4k random read qd1', 'isl') / med('4k random read qd1', 'tgt'):.2f}x)"
                        if best != "isl" else ""), ">= 1.6x", r >= 1.6))
    ratio_goal("4 KiB write QD32", "4k write qd32", "isl", 2.5)
    for label, w, goal in (("target CPU per 4 KiB read", "4k random read qd32", 0.11),
                           ("target CPU per 4 KiB write", "4k write qd32", 0.2)):
        a, b = cpu(w, "isl"), cpu(w, "tgt")
        if a and b:
            rows.append((label, f"{a:.2f} / {b:.2f} us = {a / b:.2f}x", f"<= {goal}x", a / b <= goal))
    a = med("1M write qd8, file LUN", "isl-file")
    if a and stream:
        rows.append(("file LUN 1 MiB write QD8", f"{a:,.0f} MB/s = {a / stream:.0%} of the stream",
                     ">= 85% of the stream", a / stream >= 0.85))
    return rows


def against_baseline(runs, s, order):
    """This build against the baseline, per workload: medians, their ratio and the ratio of each
    round (both measured in the same round, so a noisy round moves both)."""
    rows = []
    for w in order:
        for now, base in BASELINE_PAIRS:
            if now not in s[w] or base not in s[w]:
                continue
            a, b = s[w][now]["median"], s[w][base]["median"]
            by_round = {r["round"]: r["value"] for r in runs[w][base]}
            per_round = [r["value"] / by_round[r["round"]] for r in runs[w][now]
                         if by_round.get(r["round"])]
            # latency: lower is better, so the ratio is inverted to keep ">= 1 is not slower"
            ratio = (b / a if unit_of(w) == "us" else a / b) if a and b else None
            rows.append({"workload": w, "target": now, "median": a, "baselineMedian": b,
                         "ratio": ratio, "roundRatios": per_round,
                         "within": ratio is not None and ratio >= WITHIN})
    return rows


def baseline_table(rows, label):
    lines = [f"| workload | LUN | this build | baseline {label} | this / baseline | per round | within {1 - WITHIN:.0%} |",
             "|---|---|---:|---:|---:|---|---|"]
    for r in rows:
        unit = unit_of(r["workload"])
        lun = "file" if r["target"].endswith("file") else "RAM"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.3f}"
        rounds = ", ".join(f"{x:.3f}" for x in r["roundRatios"])
        lines.append(f"| {r['workload']} | {lun} | {fmt(r['median'], unit)} | "
                     f"{fmt(r['baselineMedian'], unit)} | {ratio} | {rounds} | {'yes' if r['within'] else 'no'} |")
    return lines


def fmt(v, unit):
    if v is None:
        return ""
    return f"{v:,.1f}" if unit == "us" else f"{v:,.0f}"


def table(s, order):
    lines = ["| workload | client | target | median | unit | ratio to tgt | target CPU us/command"
             " | client CPU us/command | runs |", "|---|---|---|---:|---|---:|---:|---:|---|"]
    for w in order:
        unit = unit_of(w)
        for t, m in s[w].items():
            base = s[w].get("tgt", {}).get("median")
            ratio = f"{m['median'] / base:.2f}" if base and t != "tgt" and t != "loopback" else ""
            tc = m["targetCpuMicrosPerCommand"]
            cc = m["clientCpuMicrosPerCommand"]
            lines.append(f"| {w} | {client_of(w) if t != 'loopback' else w.split()[0]} | {NAMES.get(t, t)} | "
                         f"{fmt(m['median'], unit)} | {unit} | {ratio} | "
                         f"{'' if tc is None else f'{tc:.2f}'} | {'' if cc is None else f'{cc:.2f}'} | "
                         f"{', '.join(fmt(v, unit) for v in m['runs'])} |")
    return lines


def read_curve(path):
    points = []
    if not path or not os.path.exists(path):
        return points
    with open(path) as f:
        for line in f:
            target, rate, file = line.rstrip("\n").split("\t")
            if not os.path.exists(file) or os.path.getsize(file) == 0:
                continue
            with open(file) as j:
                doc = json.load(j)
            r = doc["results"][0] if "results" in doc else doc
            lat = r.get("read", r).get("latencyMicros", r.get("latencyMicros", {}))
            pct = lat.get("percentiles", {}) if isinstance(lat, dict) else {}
            p50 = pct.get("50", pct.get("50.0", r.get("p50Micros")))
            p99 = pct.get("99", pct.get("99.0", r.get("p99Micros")))
            points.append({"target": target, "offeredIops": int(rate), "iops": r.get("iops"),
                           "p50Micros": p50, "p99Micros": p99})
    return points


def bars_svg(s, order):
    rows = [(w, t, m["median"]) for w in order for t, m in s[w].items()]
    h = 40 + len(rows) * 20 + len(order) * 14
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="960" height="{h}" font-family="sans-serif" '
           'font-size="12">', '<text x="10" y="20" font-size="14">medians of the interleaved rounds; '
           'bars scaled per workload</text>']
    y = 36
    for w in order:
        top = max(m["median"] for m in s[w].values()) or 1
        out.append(f'<text x="10" y="{y + 10}" font-weight="bold">{w} ({unit_of(w)})</text>')
        y += 14
        for t, m in s[w].items():
            width = m["median"] / top * 500
            out.append(f'<text x="20" y="{y + 11}">{NAMES.get(t, t)}</text>'
                       f'<rect x="200" y="{y}" width="{width:.0f}" height="14" fill="{COLOURS.get(t, "#555")}"/>'
                       f'<text x="{205 + width:.0f}" y="{y + 11}">{fmt(m["median"], unit_of(w))}</text>')
            y += 20
    out.append("</svg>")
    return "\n".join(out)


def curve_svg(points):
    good = [p for p in points if p["iops"] and p["p50Micros"] and p["p99Micros"]]
    w, h, left, bottom = 900, 480, 70, 50
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" '
           'font-size="12">', '<text x="10" y="20" font-size="14">4 KiB random read, depth 32: latency '
           'against achieved IOPS at rising offered rates (solid p50, dashed p99)</text>']
    if not good:
        out.append('<text x="10" y="60">no points were measured</text></svg>')
        return "\n".join(out)
    xmax = max(p["iops"] for p in good) * 1.05
    ymax = max(p["p99Micros"] for p in good) * 1.1

    def x(v):
        return left + v / xmax * (w - left - 20)

    def y(v):
        return h - bottom - v / ymax * (h - bottom - 40)

    out.append(f'<line x1="{left}" y1="{h - bottom}" x2="{w - 20}" y2="{h - bottom}" stroke="black"/>')
    out.append(f'<line x1="{left}" y1="40" x2="{left}" y2="{h - bottom}" stroke="black"/>')
    for i in range(6):
        xv, yv = xmax * i / 5, ymax * i / 5
        out.append(f'<text x="{x(xv):.0f}" y="{h - bottom + 16}" text-anchor="middle">{xv:,.0f}</text>')
        out.append(f'<text x="{left - 6}" y="{y(yv) + 4:.0f}" text-anchor="end">{yv:,.0f}</text>')
    out.append(f'<text x="{w / 2:.0f}" y="{h - 12}" text-anchor="middle">achieved IOPS</text>')
    out.append(f'<text x="16" y="{h / 2:.0f}" transform="rotate(-90 16 {h / 2:.0f})" '
               'text-anchor="middle">latency (us)</text>')
    ly = 50
    for t in sorted({p["target"] for p in good}):
        ps = sorted((p for p in good if p["target"] == t), key=lambda p: p["offeredIops"])
        c = COLOURS.get(t, "#555")
        for key, dash in (("p50Micros", ""), ("p99Micros", ' stroke-dasharray="6 4"')):
            pts = " ".join(f"{x(p['iops']):.1f},{y(p[key]):.1f}" for p in ps)
            out.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="2"{dash}/>')
            out.extend(f'<circle cx="{x(p["iops"]):.1f}" cy="{y(p[key]):.1f}" r="3" fill="{c}"/>' for p in ps)
        out.append(f'<rect x="{w - 200}" y="{ly - 10}" width="12" height="12" fill="{c}"/>'
                   f'<text x="{w - 182}" y="{ly}">{NAMES.get(t, t)}</text>')
        ly += 18
    out.append("</svg>")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--curve")
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--rounds", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--baseline", help="the label of a baseline build measured beside this one")
    a = ap.parse_args()
    if a.baseline:
        NAMES["base"] = f"iscsilab {a.baseline}"
        NAMES["base-file"] = f"iscsilab {a.baseline} (file LUN)"
    runs = read_raw(a.raw)
    s = summarise(runs)
    order = list(runs)
    stream = s.get("iperf3 stream (MB/s)", {}).get("loopback", {}).get("median")
    with open("/proc/cpuinfo") as f:
        cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "unknown")
    machine = {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release()}
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    g = goals(s, stream)
    curve = read_curve(a.curve)
    md = [f"iscsilab vs tgt {date}: {machine['cores']} cores ({cpu}), Linux {machine['kernel']}, "
          f"{a.seconds:g} s per run, medians of {a.rounds} interleaved rounds", "",
          "| goal | measured | target | met |", "|---|---|---|---|"]
    md += [f"| {label} | {measured} | {target} | {'yes' if ok else 'no'} |" for label, measured, target, ok in g]
    md += ["", *table(s, order)]
    base_rows = against_baseline(runs, s, order) if a.baseline else []
    if base_rows:
        md += ["", f"This build against {a.baseline}, same rounds (ratios >= 1 are not slower; latency inverted):",
               "", *baseline_table(base_rows, a.baseline)]
    if curve:
        md += ["", "| latency at load | offered IOPS | achieved IOPS | p50 us | p99 us |", "|---|---:|---:|---:|---:|"]
        md += [f"| {NAMES.get(p['target'], p['target'])} | {p['offeredIops']:,} | {p['iops'] or 0:,.0f} | "
               f"{p['p50Micros'] or 0:,.0f} | {p['p99Micros'] or 0:,.0f} |" for p in curve]
    text = "\n".join(md) + "\n"
    print(text)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "compare.md"), "w") as f:
        f.write(text)
    with open(os.path.join(a.out, "compare.json"), "w") as f:
        json.dump({"date": date, "machine": machine, "secondsPerRun": a.seconds, "rounds": a.rounds,
                   "iperf3StreamMBps": stream,
                   "goals": [{"goal": l, "measured": m, "target": t, "met": ok} for l, m, t, ok in g],
                   "workloads": [{"workload": w, "unit": unit_of(w), "client": client_of(w),
                                  "targets": s[w]} for w in order],
                   "baseline": {"label": a.baseline, "rows": base_rows} if a.baseline else None,
                   "latencyAtLoad": curve}, f, indent=2)
    with open(os.path.join(a.out, "compare.svg"), "w") as f:
        f.write(bars_svg(s, order))
    with open(os.path.join(a.out, "latency-at-load.svg"), "w") as f:
        f.write(curve_svg(curve))
    print(f"wrote {a.out}/compare.md, compare.json, compare.svg and latency-at-load.svg")


if __name__ == "__main__":
    main()
