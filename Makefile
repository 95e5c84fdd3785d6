# Two commands do everything on a fresh machine: `make run` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: setup run test index eval bench browser-deps clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# CPU torch from the wheel on disk first: an unpinned torch would pull a multi-GB CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

setup: $(STAMP)

# Debian's Chromium and CJK fonts for the browser test (never a browser download).
# Not root: via sudo. If that fails too, the browser test skips and says why (pytest -ra) instead of
# `make test` running nothing at all.
browser-deps:
	@test -x /usr/bin/chromium && fc-list 2>/dev/null | grep -qi "noto.*cjk" || \
	  { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	    $$SUDO apt-get update -qq && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null || \
	    echo "warning: could not install chromium + fonts-noto-cjk; the browser test will be skipped" >&2; }

index: setup
	$(VENV)/bin/plan-qa index

run: index
	$(PY) app.py

test: setup browser-deps
	$(VENV)/bin/pytest

# Every run of eval/runs.json: each set on its own plan, and with all plans loaded (see eval/baseline.json).
eval: setup
	$(PY) bench/eval_runs.py --all

bench: index
	$(PY) bench/bench.py
	$(PY) bench/bench.py --plans haizhou-14th-five-year-plan national-12th-five-year-plan \
	  national-13th-five-year-plan --out bench/results/bench-all.json

clean:
	rm -rf vectorstore/* .pytest_cache
