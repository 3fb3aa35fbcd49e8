#!/usr/bin/env python3
"""Opens a report.html in headless Chromium (DevTools protocol) as a reader would, and checks it.

Run by scripts/check-report-browser.sh, which installs what is missing and starts the browser:

    report_browser_check.py PORT REPORT.html OUT_DIR

Checks, printing "ok - ..." or "not ok - ..." per check (exit 1 if any failed):
  - the page loads from file:// without any request leaving the file (every request is file: or
    data:), and draws the map;
  - the first service's deficit areas are all drawn (the page decodes them);
  - the legend says what a colour averages: "moyenne de la commune" where the zones are French
    communes (code_insee), "moyenne de la zone" elsewhere, "par carreau" in a grid study;
  - with "Isochrones du service" ticked (or, when the page left them out beyond its budget, with
    the notice saying so above the map), a real mouse click (Input.dispatchMouseEvent, through the
    browser's hit testing) on every commune's name opens that commune's popup, not an isochrone's;
  - the commune table is reachable with the keyboard (Tab focus lands in it) and focus is visible;
  - on a 390 px wide screen the layer list starts collapsed and the legend closed;
  - printed to PDF (A4 portrait, backgrounds NOT requested, as the browser's default), it writes
    OUT_DIR/report-print.pdf; and OUT_DIR/report-390px.png shows the small screen.
Needs python3-websocket (Debian).
"""
import base64
import json
import os
import sys
import time
import urllib.request

import websocket

failures = 0


def result(ok, name, details=""):
    global failures
    if ok:
        print(f"ok - {name}")
    else:
        failures += 1
        print(f"not ok - {name}: {details}")


class Page:
    def __init__(self, port):
        deadline = time.time() + 30
        targets = None
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                    targets = [t for t in json.load(r) if t.get("type") == "page"]
                if targets:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        if not targets:
            raise SystemExit("report_browser_check: Chromium's DevTools did not answer")
        self.ws = websocket.create_connection(targets[0]["webSocketDebuggerUrl"], timeout=60,
                                              suppress_origin=True)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def js(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"script failed: {r['exceptionDetails'].get('text')} in {expression[:80]}")
        return r["result"].get("value")

    def wait_for(self, expression, seconds=20):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.js(expression):
                return True
            time.sleep(0.2)
        return False

    def open(self, url):
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete'")
        return self.wait_for("document.querySelectorAll('.leaflet-overlay-pane path').length > 0")

    def click(self, x, y):
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    port, report, out_dir = int(sys.argv[1]), os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    url = "file://" + report
    page = Page(port)
    page.call("Page.enable")
    page.call("Network.enable")
    page.call("Runtime.enable")
    page.call("Emulation.setDeviceMetricsOverride", width=1400, height=1000, deviceScaleFactor=1, mobile=False)

    drawn = page.open(url)
    result(drawn, "the page loads from file:// and draws the map")
    requests = [e["params"]["request"]["url"] for e in page.events if e.get("method") == "Network.requestWillBeSent"]
    outside = [u for u in requests if not (u.startswith("file:") or u.startswith("data:"))]
    result(not outside, "no request leaves the file (every request is file: or data:)", ", ".join(outside[:5]))
    files = [u for u in requests if u.startswith("file:") and u.split("#")[0] != url]
    result(not files, "no other file is read (static maps embedded)", ", ".join(files[:5]))

    # The first service's deficit areas (delta-encoded in the page) are decoded and drawn.
    deficit = page.js("""(() => {
        const d = JSON.parse(document.getElementById('proxima-data').textContent);
        const l = d.layers['deficit_' + d.services[0].id];
        return {areas: l.features.filter(f => f.geometry !== null).length,
                drawn: document.querySelectorAll('.leaflet-deficit-pane path').length}; })()""") or {}
    result(deficit.get("drawn", 0) == deficit.get("areas", -1),
           f"the first service's {deficit.get('areas')} deficit areas are drawn", f"{deficit.get('drawn')} paths")

    # The legend names what a colour averages: a commune's inhabitants where the zones are French
    # communes, a zone's elsewhere (Andorra's parishes), a square's in a grid study.
    legend = page.js("""(() => {
        const d = JSON.parse(document.getElementById('proxima-data').textContent);
        const s = document.querySelector('.legend .s');
        return {code: d.code_field, layer: d.origins_layer, text: s ? s.textContent : ''}; })()""") or {}
    if legend.get("layer") == "cells":
        expected = ", par carreau"
    elif legend.get("code") == "code_insee":
        expected = ", moyenne de la commune"
    else:
        expected = ", moyenne de la zone"
    result(legend.get("text", "").endswith(expected),
           f"the legend says what a colour is ('{expected[2:]}': zones coded by {legend.get('code')})",
           legend.get("text", ""))

    # Isochrones on (places off: a place's own popup is not the question), then a real click on a
    # commune's name; the page is opened afresh for each commune (a popup pans the map).
    def prepare():
        page.js("""(() => {
            const labels = [...document.querySelectorAll('.leaflet-control-layers-overlays label')];
            const places = labels.find(l => l.textContent.includes('Lieux habités'));
            if (places && places.querySelector('input').checked) places.querySelector('input').click();
            const iso = labels.find(l => l.textContent.includes('Isochrones du service'));
            if (iso && !iso.querySelector('input').checked) iso.querySelector('input').click();
            const r = document.getElementById('map').getBoundingClientRect();
            window.scrollTo(0, window.scrollY + r.top - 10);
            return true;
        })()""")
        return page.wait_for("document.querySelectorAll('.leaflet-isochrones-pane path').length > 0", 5)

    # Beyond its budget the page leaves the isochrones out (access.gpkg has them): it must say so
    # above the map, and then there is no overlay to tick.
    left_out = page.js("""(() => {
        const d = JSON.parse(document.getElementById('proxima-data').textContent);
        const some = Object.keys(d.layers).some(k => k.startsWith('isochrones_'));
        const notice = [...document.querySelectorAll('p.notice')].some(p => p.textContent.includes('Isochrones non affichées'));
        return {some: some, notice: notice}; })()""") or {}
    if left_out.get("some") is False and left_out.get("notice") is True:
        result(True, "the isochrones, beyond the page's budget, are left out and the page says so above the map")
        prepare()
    else:
        ticked = prepare()
        result(ticked, "the 'Isochrones du service' overlay can be ticked and draws")
    count = page.js("document.querySelectorAll('.lbl div').length") or 0
    hits, misses, tried = 0, [], min(count, 12)
    for i in range(tried):
        if i > 0:
            page.open(url)
            prepare()
        n = page.js(f"""(() => {{ const d = document.querySelectorAll('.lbl div')[{i}];
            const r = d.getBoundingClientRect(), m = document.getElementById('map').getBoundingClientRect();
            return {{name: d.textContent, x: r.left + r.width / 2, y: r.top + r.height / 2,
                     inside: r.top > m.top && r.bottom < m.bottom && r.left > m.left && r.right < m.right}}; }})()""")
        if not n["inside"]:
            misses.append(f"{n['name']}: outside the map's view")
            continue
        page.click(n["x"], n["y"])
        time.sleep(0.2)
        popup = page.js("(() => { const p = document.querySelector('.leaflet-popup-content');"
                        " return p ? p.textContent : ''; })()") or ""
        if n["name"] in popup and "Temps moyen" in popup:
            hits += 1
        else:
            misses.append(f"{n['name']}: '{popup[:60]}'")
    result(tried > 0 and hits == tried,
           f"with isochrones on, a click on each of {tried} communes' names opens that commune's popup",
           "; ".join(misses[:5]))

    # Keyboard: Tab reaches the commune table region, and the focus is drawn.
    page.js("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    reached, outline = False, ""
    for _ in range(80):
        page.call("Input.dispatchKeyEvent", type="keyDown", key="Tab", code="Tab", windowsVirtualKeyCode=9)
        page.call("Input.dispatchKeyEvent", type="keyUp", key="Tab", code="Tab", windowsVirtualKeyCode=9)
        state = page.js("""(() => { const a = document.activeElement;
            return {inTable: !!(a && a.closest && a.closest('[role=region]')),
                    outline: a ? getComputedStyle(a).outlineStyle + ' ' + getComputedStyle(a).outlineWidth : ''}; })()""")
        if state["inTable"]:
            reached, outline = True, state["outline"]
            break
    result(reached, "Tab reaches the table of times by commune")
    result(reached and not outline.startswith("none"), "the keyboard focus is visible", outline)

    # Printed as the browser prints by default (no background graphics requested), as opened.
    page.open(url)
    pdf = page.call("Page.printToPDF", paperWidth=8.27, paperHeight=11.69, printBackground=False,
                    preferCSSPageSize=True)
    pdf_path = os.path.join(out_dir, "report-print.pdf")
    with open(pdf_path, "wb") as f:
        f.write(base64.b64decode(pdf["data"]))
    result(os.path.getsize(pdf_path) > 10000, f"printed to PDF: {pdf_path}")

    # A phone: the layer list collapsed, the legend closed, the map visible.
    page.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=1, mobile=True)
    page.open(url)
    small = page.js("""(() => ({
        collapsed: !document.querySelector('.leaflet-control-layers-expanded'),
        legendOpen: !!document.querySelector('.legend details[open]') }))()""")
    result(small["collapsed"] and not small["legendOpen"],
           "on a 390 px screen the layer list is collapsed and the legend closed", json.dumps(small))
    page.js("(() => { const r = document.getElementById('map').getBoundingClientRect();"
            " window.scrollTo(0, window.scrollY + r.top); return true; })()")
    shot = page.call("Page.captureScreenshot", format="png")
    with open(os.path.join(out_dir, "report-390px.png"), "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    print(f"{failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
