# The README names two commands: `make demo` and `make test`. Both provision .venv on
# first use through tools/setup_env.sh, which returns at once when nothing changed.
PYTHON_VENV := .venv/bin/python
DEMO_DIR ?= work_dirs/demo
PYTEST_ARGS ?=

.PHONY: env test demo clean-demo

env:
	@bash tools/setup_env.sh

test: env
	$(PYTHON_VENV) -m pytest $(PYTEST_ARGS)

demo: env
	$(PYTHON_VENV) tools/synthetic_demo.py --work-dir $(DEMO_DIR)

clean-demo:
	rm -rf $(DEMO_DIR)
