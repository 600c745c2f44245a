#!/usr/bin/env python3
"""Screenshots of what the MLflow UI shows of a cddpm experiment (issue 13), in headless Chromium.

    make screenshots URI=http://127.0.0.1:5000 EXPERIMENT=quickstart [SHOTS=build/screenshots]
    # or, with Playwright installed:  python3 mlflow/screenshots.py --tracking-uri URI --experiment NAME

Saves into --out (default build/screenshots):
  first-view.png          the address a sweep's last line gives (its shared view, `viewStateShareKey=cddpm`)
                          opened as it comes, nothing clicked, filtered or moved: what a newcomer sees first
  first-view-full.png     the same page in a tall window: every chart section
  chart-view.png          the experiment's chart view, filtered to its image grid charts (one per
                          image key, widened to one a row): the trials' pictures side by side at
                          their last step, a step slider under each chart
  chart-<key>.png         each image grid chart full screen (grid_test, grid_new_test, progressive)
  settings.png            the chart view filtered to the accuracy metrics: accuracy_<file> (each
                          trial's own sampling over its epochs) and one chart per sampling setting
                          (accuracy_<file>/<setting>), each comparing the trials
  run-metrics.png         one trial run's overview: its metrics table, every setting's accuracy side by side
  runs-table.png          the runs table, the sweep's parent run expanded, rows expanded so the
                          Dataset column lists each trial's training set and test files
  models.png              the Models page: the registered model and its aliased version (@ champion)
  model-<name>.png        the registered model's page: its versions, their aliases and tags
  system-metrics.png      one trial run's System metrics tab

The UI is a single-page app: each page is opened by its URL, then the script waits for the elements
that show it is drawn (images loaded, charts present) before it takes the picture, and does what a
person would (expand the sweep's parent run so its trials are the runs charted, move each slider to
the last step, close the Models pages' announcement). A wait that gives up saves failed.png.
The chart layout it changes lives in the browser's local storage of a throwaway profile: nothing
is written to the tracking server.

Chromium: --chromium PATH, else $CHROMIUM, else `chromium` / `chromium-browser` / `google-chrome` on
PATH, else the browser Playwright installs itself (`playwright install chromium`). The registered
model is the one named after the experiment (cddpm's convention) unless --model says otherwise.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import urllib.parse
import urllib.request
from pathlib import Path

from playwright.sync_api import Locator, Page, TimeoutError as PlaywrightTimeout, sync_playwright

IMAGE_TAG = "mlflow.loggedImages"
PARENT_TAG = "mlflow.parentRunId"
# Long enough for a first render on a loaded 2-core machine; each wait ends as soon as the page is drawn.
TIMEOUT_MS = 90_000
CHART_AREA = '[data-testid="experiment-view-compare-runs-chart-area"]'
CARD = '[data-testid="experiment-view-compare-runs-card"]'
# The expander button of a parent run in the runs table and the chart view's runs list
EXPANDER = '[data-component-id$="runnamecellrenderer.tsx_46"]'
FULLSCREEN = '[data-component-id="fullscreen_button_chartcard"]'
HIDE_EXPERIMENTS = '[data-component-id="mlflow.experiment_list_view.hide_button"]'
RESIZE_HANDLE = '[data-testid="draggable-card-resize-handle"]'


def api(uri: str, path: str, body: dict | None = None, query: dict | None = None) -> dict:
    url = f"{uri}/api/2.0/mlflow/{path}"
    if query:
        url += "?" + urllib.parse.urlencode(query)
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)


def runs_of(uri: str, experiment_id: str) -> list[dict]:
    runs, token = [], None
    while True:
        body = {"experiment_ids": [experiment_id], "max_results": 1000}
        if token:
            body["page_token"] = token
        page = api(uri, "runs/search", body)
        runs += page.get("runs", [])
        token = page.get("next_page_token")
        if not token:
            return runs


def tags(run: dict) -> dict:
    return {t["key"]: t["value"] for t in run.get("data", {}).get("tags", [])}


def image_keys_of(uri: str, run_id: str) -> set[str]:
    """The keys of a run's stepped images: images/<key>+step+<n>+... ('%' where MLflow's client wrote them)."""
    files = api(uri, "artifacts/list", query={"run_id": run_id, "path": "images"}).get("files", [])
    keys = set()
    for f in files:
        name = f["path"].split("/")[-1]
        for sep in ("+", "%"):
            if f"{sep}step{sep}" in name:
                keys.add(name.split(f"{sep}step{sep}")[0])
    return keys


def find_chromium(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None  # Playwright's own browser


def settle(page: Page, ms: int = 1500) -> None:
    """Waits until the page has no requests in flight, then lets the charts finish drawing."""
    try:
        page.wait_for_load_state("networkidle", timeout=15_000)
    except PlaywrightTimeout:
        pass  # a page that polls (running runs) never goes idle; what matters is waited for explicitly
    page.wait_for_timeout(ms)


def wait_images_loaded(page: Page, selector: str) -> None:
    """Waits until the elements matching selector hold images and every one of them has loaded."""
    page.wait_for_function(
        """(selector) => {
            const imgs = [...document.querySelectorAll(selector)].flatMap(e => [...e.querySelectorAll('img')]);
            return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0);
        }""",
        arg=selector,
        timeout=TIMEOUT_MS,
    )


def expand_parent_runs(page: Page, names: list[str]) -> None:
    """Opens the collapsed parent runs in the runs list (the square '+' before a parent's name) until
    the given runs (the trials) are rows of it."""
    expanders = page.locator(EXPANDER)
    for i in range(expanders.count()):
        if all(page.get_by_text(n, exact=True).count() for n in names):
            return
        expanders.nth(i).click()
        page.wait_for_timeout(500)
    for n in names:
        page.get_by_text(n, exact=True).first.wait_for()


def scroll_to_card(page: Page, title: str) -> Locator:
    """The chart card with this title, scrolled into view: the chart area draws only the cards near
    its visible part, so it is scrolled down a screen at a time until the card is there."""
    card = page.locator(CARD).filter(has=page.get_by_text(title, exact=True)).first
    area = page.locator(CHART_AREA).bounding_box()
    page.mouse.move(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
    for _ in range(200):
        if card.count():
            break
        page.mouse.wheel(0, area["height"] / 2)
        page.wait_for_timeout(300)
    card.scroll_into_view_if_needed()
    page.mouse.move(0, 0)
    return card


def close_announcement(page: Page) -> None:
    """Closes the dialog the Models pages open on a first visit (it announces the new registry UI)."""
    dialog = page.get_by_role("dialog")
    if dialog.count() and dialog.first.is_visible():
        page.keyboard.press("Escape")
        dialog.first.wait_for(state="hidden")
        page.wait_for_timeout(500)


def hide_experiment_list(page: Page) -> None:
    """Folds the list of experiments on the left, which leaves the runs and their charts more width."""
    button = page.locator(HIDE_EXPERIMENTS)
    if button.count():
        button.first.click()
        page.wait_for_timeout(500)


def to_last_step(thumb: Locator) -> None:
    """Moves an image chart's step slider to its last step, a logged step at a time (the arrow keys
    go from step mark to step mark; Home and End do nothing on these sliders)."""
    for _ in range(10_000):
        if float(thumb.get_attribute("aria-valuenow")) >= float(thumb.get_attribute("aria-valuemax")):
            return
        before = thumb.get_attribute("aria-valuenow")
        thumb.press("ArrowRight")
        if thumb.get_attribute("aria-valuenow") == before:
            return  # no further step mark


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tracking-uri", default=os.environ.get("MLFLOW_TRACKING_URI"), help="default $MLFLOW_TRACKING_URI")
    ap.add_argument("--experiment", required=True, help="experiment name (a cddpm sweep's `name:`)")
    ap.add_argument("--model", help="registered model name (default: the experiment's name)")
    ap.add_argument("--out", default="build/screenshots", help="folder for the PNGs (default build/screenshots)")
    ap.add_argument("--chromium", help="Chromium executable (default: $CHROMIUM, then chromium on PATH)")
    ap.add_argument("--width", type=int, default=1920, help="browser window width in pixels (default 1920)")
    ap.add_argument("--height", type=int, default=1080, help="browser window height in pixels (default 1080)")
    ap.add_argument("--first-view-only", action="store_true", help="only first-view.png and first-view-full.png")
    args = ap.parse_args()
    if not args.tracking_uri:
        ap.error("--tracking-uri or MLFLOW_TRACKING_URI is needed")
    uri = args.tracking_uri.rstrip("/")
    model = args.model or args.experiment
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    experiment_id = api(uri, "experiments/get-by-name", query={"experiment_name": args.experiment})["experiment"]["experiment_id"]
    runs = runs_of(uri, experiment_id)
    trials = sorted((r for r in runs if PARENT_TAG in tags(r)), key=lambda r: r["info"].get("run_name", ""))
    if not trials:
        print(f"experiment '{args.experiment}' has no trial (child) runs", file=sys.stderr)
        return 1
    image_keys = sorted({key for r in trials if tags(r).get(IMAGE_TAG) for key in image_keys_of(uri, r["info"]["run_id"])})
    with_system = [r for r in trials if any(m["key"].startswith("system/") for m in r["data"].get("metrics", []))]
    system_run = (with_system or trials)[0]
    saved: list[Path] = []

    names = [r["info"]["run_name"] for r in trials]

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(args.chromium), headless=True)
        context = browser.new_context(viewport={"width": args.width, "height": args.height})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)

        def shot(name: str) -> None:
            page.screenshot(path=out / name)
            saved.append(out / name)

        try:
            # 0. What a newcomer sees: the sweep's shared view as it opens (no clicks), if the sweep recorded one.
            shared = any(t["key"] == "mlflow.sharedViewState.cddpm"
                         for t in api(uri, "experiments/get", query={"experiment_id": experiment_id})["experiment"].get("tags", []))
            if shared:
                page.goto(f"{uri}/#/experiments/{experiment_id}?viewStateShareKey=cddpm&compareRunsMode=CHART")
                page.wait_for_selector(CHART_AREA)
                page.wait_for_function("(sel) => document.querySelectorAll(sel).length > 0", arg=f"{CARD}:has([role=slider])",
                                       timeout=TIMEOUT_MS)
                wait_images_loaded(page, f"{CARD}:has([role=slider])")
                settle(page, 3000)
                shot("first-view.png")
                page.set_viewport_size({"width": args.width, "height": 3 * args.height})
                settle(page, 3000)
                wait_images_loaded(page, f"{CARD}:has([role=slider])")
                shot("first-view-full.png")
                page.set_viewport_size({"width": args.width, "height": args.height})
            else:
                print("the experiment has no shared view (mlflow.sharedViewState.cddpm): no first-view.png", file=sys.stderr)
            if args.first_view_only:
                context.close()
                browser.close()
                for p in saved:
                    print(p)
                return 0 if shared else 1
            # 1. The chart view: an image grid chart per key, the trials side by side, a step slider each. A new
            # browser context: the UI keeps the shared view's layout in local storage, and this is the plain view.
            context.close()
            context = browser.new_context(viewport={"width": args.width, "height": args.height})
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{uri}/#/experiments/{experiment_id}?compareRunsMode=CHART")
            page.wait_for_selector(CHART_AREA)
            settle(page)
            hide_experiment_list(page)
            expand_parent_runs(page, names)
            # The chart search box keeps the metric charts whose key matches its regular expression and
            # every image chart, so this leaves the image grids together at the top.
            page.get_by_placeholder("Search metric charts").fill("^(" + "|".join(image_keys) + ")$")
            image_cards = page.locator(CARD).filter(has=page.locator('[role="slider"]'))
            page.wait_for_function(
                "([sel, n]) => document.querySelectorAll(sel).length >= n",
                arg=[f"{CARD}:has([role=slider])", len(image_keys)],
                timeout=TIMEOUT_MS,
            )
            # A new chart starts at step 0, where cddpm logs no image: each slider goes to the last step.
            for i in range(image_cards.count()):
                to_last_step(image_cards.nth(i).locator('[role="slider"]').first)
            wait_images_loaded(page, f"{CARD}:has([role=slider])")
            settle(page)
            # Cards are three to a row, too narrow for more than one trial's picture: dragging the first
            # card's resize handle to the right edge of the chart area makes the section one card a row
            # (the UI rounds a card's width to a column count), and taller.
            resizable = page.locator(f"div:has(> {RESIZE_HANDLE})").filter(has=image_cards.first).first
            handle = resizable.locator(RESIZE_HANDLE).first.bounding_box()
            area = page.locator(CHART_AREA).bounding_box()
            page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
            page.mouse.down()
            page.mouse.move(area["x"] + area["width"] - 4, handle["y"] + 120, steps=20)
            page.mouse.up()
            page.mouse.move(0, 0)  # no hover highlight in the pictures
            settle(page)
            wait_images_loaded(page, f"{CARD}:has([role=slider])")
            shot("chart-view.png")
            # Each image chart full screen: the trials side by side at full width, with the step slider.
            for key in image_keys:
                card = scroll_to_card(page, key)
                card.locator(FULLSCREEN).click()
                dialog = page.get_by_role("dialog")
                dialog.locator('[role="slider"]').wait_for()
                wait_images_loaded(page, '[role="dialog"]')
                settle(page, 1000)
                page.mouse.move(0, 0)
                shot(f"chart-{key}.png")
                page.keyboard.press("Escape")
                dialog.wait_for(state="hidden")

            # 1b. The accuracy charts of the first test file: accuracy_<file> (the trials' own setting over the
            # epochs) and one chart per sampling setting (accuracy_<file>/<setting>), the trials in each.
            setting_keys = sorted({m["key"] for r in trials for m in r["data"].get("metrics", []) if "/" in m["key"]
                                   and m["key"].startswith("accuracy_")})
            if setting_keys:
                file_key = setting_keys[0].split("/")[0]
                page.goto(f"{uri}/#/experiments/{experiment_id}?compareRunsMode=CHART")
                page.wait_for_selector(CHART_AREA)
                settle(page)
                expand_parent_runs(page, names)
                page.get_by_placeholder("Search metric charts").fill("^" + file_key)
                page.locator(CARD).filter(has=page.get_by_text(setting_keys[0], exact=True)).first.wait_for()
                settle(page, 2000)
                page.mouse.move(0, 0)
                shot("settings.png")
            # 1c. One trial's overview: the metrics table lists every setting's accuracy side by side.
            page.goto(f"{uri}/#/experiments/{experiment_id}/runs/{trials[0]['info']['run_id']}")
            page.get_by_text("accuracy_", exact=False).first.wait_for()
            settle(page, 1500)
            shot("run-metrics.png")

            # 2. The runs table with the Dataset column, the trials (child runs) shown under their sweep.
            page.goto(f"{uri}/#/experiments/{experiment_id}?compareRunsMode=TABLE")
            page.get_by_text(names[0], exact=True).or_(page.locator(EXPANDER)).first.wait_for()
            settle(page, 500)
            hide_experiment_list(page)
            expand_parent_runs(page, names)
            page.locator('[data-testid="open-dataset-drawer"]').first.wait_for()
            page.get_by_text("Expand rows", exact=True).click()  # every dataset of a run, not the first and "+2"
            settle(page)
            shot("runs-table.png")

            # 3. The Models page and the registered model's page, with the champion alias.
            page.goto(f"{uri}/#/models")
            page.locator('[data-testid="model-list-table"]').get_by_text(model, exact=True).first.wait_for()
            page.get_by_text("champion").first.wait_for()
            settle(page)
            close_announcement(page)
            shot("models.png")
            page.goto(f"{uri}/#/models/{urllib.parse.quote(model, safe='')}")
            page.get_by_text("champion").first.wait_for()
            settle(page)
            close_announcement(page)
            shot(f"model-{model}.png")

            # 4. One trial run's System metrics tab.
            run_id = system_run["info"]["run_id"]
            page.goto(f"{uri}/#/experiments/{experiment_id}/runs/{run_id}/system-metrics")
            page.locator(CARD).first.wait_for()
            page.locator(f"{CARD} .js-plotly-plot").first.wait_for()
            settle(page, 2500)
            shot("system-metrics.png")
        except Exception:
            shot("failed.png")  # what the page showed when a wait gave up
            print(f"failed at {page.url}; the page as it was: {out / 'failed.png'}", file=sys.stderr)
            raise

        context.close()
        browser.close()
    for p in saved:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
