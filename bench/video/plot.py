"""Renders the video bench's plot: the spike, the backlog and the fleet over time.

Usage: plot.py <bench/results/video-plot.json> <docs/video-spike.png>
Written by `npx projen bench -- video` (bench/suites/video.ts), which installs matplotlib
(pinned) from PyPI into .tools/plot-venv.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(data_file, png_file):
    with open(data_file, encoding="utf-8") as f:
        d = json.load(f)
    burst = d["burst"]
    fleets = d["fleets"]
    fig, axes = plt.subplots(1, 3, figsize=(17, 5.2))
    colors = {2: "tab:orange", 8: "tab:blue"}

    ax = axes[0]
    for w in fleets:
        s = d.get(f"decoupled-{w}") or []
        t = [p["t"] for p in s]
        ax.plot(t, [p["accepted"] for p in s], color=colors[w], linestyle=":", label=f"{w} workers: uploads accepted")
        ax.plot(t, [p["backlog"] for p in s], color=colors[w], linestyle="--", label=f"{w} workers: backlog (jobs queue)")
        ax.plot(t, [p["done"] for p in s], color=colors[w], label=f"{w} workers: videos done")
    ax.set_title(f"Decoupled (ours), measured locally:\n{burst} uploads in a burst")
    ax.set_xlabel("seconds since the first upload")
    ax.set_ylabel("videos")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)

    ax = axes[1]
    for w in fleets:
        s = d.get(f"sync-{w}") or {}
        ok = s.get("answered", [])
        failed = s.get("failed", [])
        ax.step(ok, range(1, len(ok) + 1), where="post", color=colors[w], label=f"{w} workers: answered 200")
        ax.step(failed, range(1, len(failed) + 1), where="post", color=colors[w], linestyle="--", label=f"{w} workers: failed / timed out")
        tl = s.get("timeline", [])
        ax.plot([p[0] for p in tl], [p[1] for p in tl], color=colors[w], linestyle=":", label=f"{w} workers: requests waiting")
    ax.set_title(f"Synchronous (peer), measured locally:\nthe same {burst} callers wait for the transcode")
    ax.set_xlabel("seconds since the first call")
    ax.set_ylabel("requests")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)

    ax = axes[2]
    sim = d["simulated"]
    tl = sim["timeline"]
    minutes = [p[0] / 60 for p in tl]
    ax.plot(minutes, [p[3] for p in tl], color="tab:red", label="backlog (visible jobs)")
    ax.plot(minutes, [p[4] for p in tl], color="tab:purple", linestyle=":", label="in flight")
    ax.set_xlabel("minutes")
    ax.set_ylabel("jobs")
    ax2 = ax.twinx()
    ax2.step(minutes, [p[1] for p in tl], where="post", color="tab:green", label="desired workers")
    ax2.step(minutes, [p[2] for p in tl], where="post", color="tab:olive", linestyle="--", label="running workers")
    ax2.set_ylabel("workers")
    ax2.set_ylim(0, sim["maxTasks"] * 1.1)
    ax.axvline(sim["burstAt"] / 60, color="grey", linestyle="--", linewidth=0.8)
    ax.annotate(f"burst of {burst}", (sim["burstAt"] / 60, 0), xytext=(4, 10), textcoords="offset points", fontsize=8, color="grey")
    burst_min = sim["burstAt"] / 60
    busy_after = [p[0] / 60 for p in tl if p[0] / 60 > burst_min and p[1] > 0 and p[3] > 0]
    end = (max(busy_after) if busy_after else burst_min + 30) + 25
    ax.set_xlim(burst_min - 15, end)
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], fontsize=7, loc="upper right")
    ax.set_title("The stack's queue-depth scaling policy, simulated\n(AWS timing: 10 videos/min for an hour, then the burst; 1-min videos)")
    ax.grid(alpha=0.3)

    fig.tight_layout()
    fig.savefig(png_file, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
