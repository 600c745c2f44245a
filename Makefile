# cddpm: the commands a user needs. `make help` lists them.
SHELL := /bin/bash
MVN ?= mvn -B -ntp
VENV := mlflow/.venv

.PHONY: help build test unit asan mlflow-env demo screenshots bench bench-pytorch clean

help:
	@echo "make build   - compile and package target/cddpm.jar (+ target/lib) for bin/cddpm"
	@echo "make test    - install the pinned MLflow server into $(VENV), then run all tests (unit + integration)"
	@echo "make unit    - unit tests only (no MLflow needed)"
	@echo "make asan    - native memory check: kernels built with AddressSanitizer, model tests + the training/sampling/re-scoring loop (ASAN_SECONDS=180) under it"
	@echo "make demo    - the main job (see README): a quick sweep through the pipeline, then the shipped model's pictures"
	@echo "make screenshots URI=http://127.0.0.1:5000 EXPERIMENT=quickstart - PNGs of the MLflow UI in $(SHOTS)"
	@echo "make bench   - cddpm bench ARCH=tiny32 PRECISION=fp32|bf16 (one JSON line)"
	@echo "make bench-pytorch - the same measure in PyTorch eager (pinned torch + diffusers in build/torch-venv)"

# .mvn/jvm.config gives Maven -Djansi.noreset=true: without it Maven 3.8's console library writes its
# reset code (ESC[0m) into make's output even in batch mode.
build:
	$(MVN) -q -DskipTests package

# The MLflow tracking server (Python, pinned in mlflow/requirements.txt) in a local virtual environment.
$(VENV)/.installed: mlflow/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r mlflow/requirements.txt
	touch $@

mlflow-env: $(VENV)/.installed

test: mlflow-env
	CDDPM_MLFLOW_BIN=$(CURDIR)/$(VENV)/bin/mlflow $(MVN) verify

unit:
	$(MVN) -DskipITs test

# AddressSanitizer (issue 30): the native kernels built with -fsanitize=address, then the model's unit
# tests and NativeMemoryIT (training + sampling + re-scoring in a loop for ASAN_SECONDS) in JVMs run with
# the ASan runtime preloaded and -Xcheck:jni. Fails on any ASan report (target/asan-report.PID); ends
# by rebuilding the normal jar (an ASan build of the kernels only loads under the preload).
ASAN_SECONDS ?= 180
asan:
	@runtime="$$(g++ -print-file-name=libasan.so)"; \
	if [[ "$$runtime" != /* || ! -f "$$runtime" ]]; then \
	  echo "make asan: g++ has no libasan.so (Debian/Ubuntu: apt-get install g++), so nothing can run under ASan" >&2; exit 2; \
	fi; \
	rm -f target/asan-report.*; \
	$(MVN) -Pasan -Dcddpm.asan.runtime="$$runtime" -Dcddpm.asan.seconds=$(ASAN_SECONDS) verify; status=$$?; \
	if ls target/asan-report.* >/dev/null 2>&1; then \
	  echo "make asan: AddressSanitizer reported:" >&2; cat target/asan-report.* >&2; status=1; \
	else \
	  echo "make asan: no AddressSanitizer report"; \
	fi; \
	$(MVN) -q -DskipTests package || status=1; \
	exit $$status

# The local MLflow server (data in mlruns/) stops with each command; the last line says how to serve that
# data folder again (mlflow/serve.sh PORT DATA_DIR) and the address of the sweep's view in the UI.
# Then what a trained model draws: the shipped 32x32 recipe model (models/iclevr32) samples test, new_test
# and novel three-object sets into runs/showcase/iclevr32/, scored by its own evaluator, recorded in the same
# MLflow experiment and registered as model 'iclevr32'. It samples with DPM-Solver++(2M) in 15 steps: within
# seed noise of the model's own DDIM 50 and 3.4x faster (docs/results.md), so the demo ends in about 10 minutes.
demo: build mlflow-env
	@bin/cddpm run experiments/quickstart.yaml; status=$$?; echo; \
	if [ -f models/iclevr32/model.json ]; then bin/cddpm model show iclevr32 --experiment quickstart --register --overwrite --sampler dpmpp_2m --steps 15 || status=1; \
	else echo "models/iclevr32 is not in this checkout: no shipped model to show (see models/README.md)"; fi; echo; \
	exit $$status

# Screenshots of an experiment in the MLflow UI (headless Chromium driven by Playwright, pinned in
# mlflow/screenshots-requirements.txt): the chart view's image grids, the runs table, the Models page,
# a run's system metrics. See mlflow/screenshots.py.
SHOTS_VENV := build/screenshots-venv
SHOTS ?= build/screenshots
URI ?= $(MLFLOW_TRACKING_URI)
$(SHOTS_VENV)/.installed: mlflow/screenshots-requirements.txt
	python3 -m venv $(SHOTS_VENV)
	$(SHOTS_VENV)/bin/pip install -q --disable-pip-version-check -r mlflow/screenshots-requirements.txt
	touch $@

screenshots: $(SHOTS_VENV)/.installed
	$(SHOTS_VENV)/bin/python mlflow/screenshots.py --tracking-uri "$(URI)" --experiment "$(EXPERIMENT)" --out "$(SHOTS)"

ARCH ?= tiny32
PRECISION ?= fp32
ITERS ?= 5
bench: build
	bin/cddpm bench --arch $(ARCH) --precision $(PRECISION) --iters $(ITERS)

TORCH_VENV := build/torch-venv
$(TORCH_VENV)/.installed: src/bench/requirements.txt
	python3 -m venv $(TORCH_VENV)
	$(TORCH_VENV)/bin/pip install -q --disable-pip-version-check -r src/bench/requirements.txt
	touch $@

bench-pytorch: $(TORCH_VENV)/.installed
	$(TORCH_VENV)/bin/python src/bench/pytorch_eager.py --arch $(ARCH) --precision $(PRECISION) --iters $(ITERS)

clean:
	$(MVN) -q clean
	rm -rf build
