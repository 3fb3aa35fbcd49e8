#!/usr/bin/env python3
"""Loads report.html pages in headless Chromium (DevTools protocol) and prints what a reader waits
for: the time until the page's load event (its script has built the map by then), the JavaScript
heap it holds, and the time to show five other services. Run by benchmarks/report_page.sh:

    report_page.py PORT LABEL=REPORT.html [LABEL=REPORT.html ...]

Each page is loaded 3 times, the pages in turn (A B A B A B), so that the machine's noise falls on
all alike; the median of each figure is printed, and each page's ratio to the first (the baseline).
"""
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from report_browser_check import Page  # noqa: E402


def load(page, path):
    page.events.clear()
    page.call("HeapProfiler.collectGarbage")
    start = time.time()
    page.call("Page.navigate", url="file://" + os.path.abspath(path))
    while not any(e.get("method") == "Page.loadEventFired" for e in page.events):
        message = json.loads(page.ws.recv())
        if "method" in message:
            page.events.append(message)
    seconds = time.time() - start
    page.call("HeapProfiler.collectGarbage")
    heap = page.call("Runtime.getHeapUsage")["usedSize"]
    switch = page.js("""(() => {
        const inputs = [...document.querySelectorAll('.leaflet-control-layers-base input')];
        const t = performance.now();
        for (const i of inputs.slice(1, 6)) i.click();
        return (performance.now() - t) / 1000; })()""")
    return seconds, heap, switch


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    port = int(sys.argv[1])
    pages = [a.split("=", 1) for a in sys.argv[2:]]
    page = Page(port)
    page.ws.settimeout(900)
    for domain in ("Page", "Runtime", "HeapProfiler"):
        page.call(domain + ".enable")
    page.call("Emulation.setDeviceMetricsOverride", width=1400, height=1000, deviceScaleFactor=1, mobile=False)
    figures = {label: [] for label, _ in pages}
    for _ in range(3):
        for label, path in pages:
            figures[label].append(load(page, path))
    first = None
    for label, path in pages:
        loads, heaps, switches = zip(*figures[label])
        row = (statistics.median(loads), statistics.median(heaps) / 2**20, statistics.median(switches))
        first = first or row
        print(f"{label:<10} {os.path.getsize(path) / 1e6:8.1f} MB  load {row[0]:6.2f} s  heap {row[1]:7.0f} MiB  "
              f"5 services {row[2]:5.2f} s  |  x first: load {row[0] / first[0]:5.2f}, heap {row[1] / first[1]:5.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
