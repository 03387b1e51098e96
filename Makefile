# fklab: the two commands a new user types are `make demo` and `make test`.
# Both run `setup` first, which builds .venv and installs missing system tools.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FKLAB := $(VENV)/bin/fklab
STAMP := $(VENV)/.fklab-installed
# Debian packages: the builder (mtools, dosfstools, e2fsprogs, ntfs-3g, ewf-tools, faketime)
# and the cross-checks (sleuthkit, tshark, yara, foremost; fdisk and parted read our partition tables;
# regripper, libevtx-utils, liblnk-utils, libscca-utils and libhivex-bin read our Windows artefacts).
APT_PACKAGES := sleuthkit tshark mtools dosfstools e2fsprogs ntfs-3g ewf-tools faketime yara foremost exfatprogs \
	libimage-exiftool-perl sqlite3 chromium fdisk parted regripper libevtx-utils liblnk-utils libscca-utils libhivex-bin
TOOLS := fls mmls icat tshark capinfos mcopy mkfs.fat mke2fs debugfs mkntfs ewfacquire faketime yara foremost \
	exiftool sqlite3 chromium sfdisk parted regripper evtxexport lnkinfo sccainfo hivexsh

.PHONY: setup system-tools datasets demo test test-without-corpus bench lint clean

setup: $(STAMP) system-tools

# setuptools prints a generic notice on every lenient editable install; only that notice is silenced.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	PYTHONWARNINGS="ignore:Editable installation:UserWarning" $(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Installs what is missing with apt-get when we are root; otherwise says what to install.
system-tools:
	@missing=""; for t in $(TOOLS); do command -v $$t >/dev/null 2>&1 || [ -x /usr/sbin/$$t ] || [ -x /sbin/$$t ] || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing system tools (missing:$$missing)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) >/dev/null; \
	  else \
	    echo "warning: missing system tools:$$missing; install: sudo apt-get install $(APT_PACKAGES)"; \
	  fi; \
	fi

datasets: setup
	$(FKLAB) datasets build

demo: setup
	$(PY) -m forensics_kit.cli.demo

test: setup
	$(PY) -m pytest -q
	$(FKLAB) datasets audit --variants 2

# The tests that may read ../shared/corpus, run as a user's clone runs them (no corpus beside it):
# they must pass or skip, never fail, and some must have skipped (else the corpus went unread).
test-without-corpus: setup
	@empty=$$(mktemp -d); log=$$(mktemp); \
	FKLAB_CORPUS=$$empty $(PY) -m pytest -q -p no:cacheprovider -m corpus -rs >$$log 2>&1; rc=$$?; \
	tail -n 1 $$log; rmdir $$empty; \
	if [ $$rc -ne 0 ]; then cat $$log; rm -f $$log; echo "corpus tests failed without the corpus (exit $$rc)"; exit 1; fi; \
	if ! tail -n 1 $$log | grep -q skipped; then rm -f $$log; echo "no corpus test skipped without the corpus"; exit 1; fi; \
	rm -f $$log

bench: setup
	$(PY) tests/bench/run.py $(BENCH)

lint: setup
	$(VENV)/bin/ruff check forensics_kit grader solutions tests

clean:
	rm -rf datasets/build demo-out
