# cddpm: the commands a user needs. `make help` lists them.
SHELL := /bin/bash
MVN ?= mvn -B -ntp
VENV := mlflow/.venv

.PHONY: help build test unit mlflow-env demo screenshots bench bench-pytorch clean

help:
	@echo "make build   - compile and package target/cddpm.jar (+ target/lib) for bin/cddpm"
	@echo "make test    - install the pinned MLflow server into $(VENV), then run all tests (unit + integration)"
	@echo "make unit    - unit tests only (no MLflow needed)"
	@echo "make demo    - the main job (see README)"
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

# The run's local MLflow server (data in mlruns/) stops with the run; whatever the run's outcome, the
# last line gives the command that serves that data folder again (mlflow/serve.sh PORT DATA_DIR).
demo: build mlflow-env
	@bin/cddpm run experiments/quickstart.yaml; status=$$?; echo; \
	if [ -n "$$MLFLOW_TRACKING_URI" ]; then echo "MLflow UI: $$MLFLOW_TRACKING_URI (the server this run tracked to)"; \
	else echo "MLflow UI: its server stopped with the run; to open it again: mlflow/serve.sh 5000 $(CURDIR)/mlruns  then http://127.0.0.1:5000"; fi; \
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
