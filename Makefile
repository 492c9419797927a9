# cars: rule-language compiler (carsc) and routing VM (carsvm).
#   make          build carsc, carsvm and libcars into build/
#   make demo     install what is missing, build, route the sample corpus
#   make test     every test: unit (cmocka), text cases, end to end, the
#                 serve tests (tests/serve/, a real server and curl), the
#                 library's (make lib-test), the language server's
#                 (tests/lsp/), the man pages, completion and install
#                 (tests/pkg/), then the editor grammars (tests/editors/), the
#                 Debian packages (make package-test), the browser tests, the
#                 same again under AddressSanitizer + UBSan (build-asan/);
#                 then make lint (cppcheck and clang-tidy, tests/lint.sh)
#   make browser  the auditors' report and the figure pages (impact, effectiveness,
#                 equality) in headless Chromium: links, console,
#                 axe-core WCAG 2.2 AA, screenshots (tests/browser/)
#   make lib      libcars (docs/libcars.md): build/libcars.so.1.0.0 (soname
#                 libcars.so.1, links libcars.so.1 and libcars.so),
#                 build/libcars.a and build/cars.pc; part of make all
#   make lib-test the library's checks: only the cars_ API exported, the
#                 header as C11 and C++11, docs/examples/route_one.c built
#                 with pkg-config (shared and static) routing the demo
#                 corpus as carsvm route does (tests/lib/run.sh)
#   make install  carsc, carsvm, libcars and its header, the man pages, bash
#                 completion and the docs under PREFIX (default /usr/local;
#                 DESTDIR, BINDIR, LIBDIR, INCLUDEDIR, DATADIR, MANDIR,
#                 DOCDIR too); make uninstall removes what it put there
#   make package-test  the Debian packages (debian/) built, lintian-checked,
#                 installed, used as their man pages say and purged
#                 (tests/pkg/package.sh; needs root for apt-get)
#   make bench    benchmarks (docs/performance.md)

CC      ?= cc
CXX     ?= g++
BUILD   ?= build
SAN     ?=
CSTD     = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
OPT     ?= -O2 -g
ifeq ($(SAN),1)
OPT      = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
endif
ifeq ($(FUZZ),1)
OPT      = -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
endif
# The one C++ file (vm/reader_simd.cpp, simdjson's adapter): C++17, the
# same optimisation and sanitizers as the C, but UBSan's vptr check (its
# runtime is C++'s, and the programs link as C).
CXXFLAGS_ALL = -std=c++17 -Wall -Wextra -Werror -Wshadow $(OPT) $(if $(findstring fsanitize,$(OPT)),-fno-sanitize=vptr) \
               -MMD -MP -Ivm $(CPPFLAGS) $(CXXFLAGS)
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) -MMD -MP -Ivm -Icompiler -Iinclude -I$(BUILD)/gen $(CPPFLAGS) $(CFLAGS)
LIBS_VM  = -lsimdjson -lyajl -lsodium -lpthread -lstdc++
LIBS_C   = -lm
LIBS_TEST = -lcmocka

# cppcheck and clang-tidy: make lint, the last step of make test; strace: the
# case that shows how the state file is replaced (tests/cases/release/state-durable).
# libjansson-dev: the strict JSON parser fuzz_reader_diff checks the reader
# against (test and fuzz binaries only, never carsvm).
# libevent-dev: carsvm serve's HTTP, evhttp (libevent_core and libevent_extra,
# which need libc only; carsvm only); curl and python3: the serve tests'
# clients (tests/serve/); wrk: the load test only (make loadtest).
# libsimdjson-dev: the record reader's parser (vm/reader_simd.cpp).
# vim (not vim-tiny, which has no syntax highlighting): the Vim syntax
# file's test (make editors-test).
# python3-jsonschema and libxml2-utils (xmllint): the cases that validate
# carsc's JSON outputs against docs/schemas/*.json and its JUnit report
# against docs/schemas/junit.xsd (tests/cases/machine/).
# mandoc: the man pages' lint (make man-test); bash-completion: the helpers
# the completion scripts use (make completion-test).
DEPS_PKGS = flex bison libcmocka-dev libsodium-dev libyajl-dev pkg-config minisign time cppcheck clang-tidy strace \
            libjansson-dev libevent-dev curl python3 libsimdjson-dev g++ vim python3-jsonschema libxml2-utils \
            mandoc bash-completion
# make package-test: what building and checking the .debs takes besides
# DEPS_PKGS (debian/control's Build-Depends are among the two lists).
PACKAGE_PKGS = debhelper dpkg-dev fakeroot lintian man-db

SERVE_SRC = $(wildcard vm/serve*.c)
VM_SRC   = $(filter-out vm/main.c $(SERVE_SRC),$(wildcard vm/*.c))
C_SRC    = $(filter-out compiler/main.c,$(wildcard compiler/*.c)) $(wildcard editors/lsp/*.c)
GEN_C    = $(BUILD)/gen/parser.c $(BUILD)/gen/lexer.c
VM_OBJ   = $(VM_SRC:%.c=$(BUILD)/obj/%.o) $(patsubst %.cpp,$(BUILD)/obj/%.o,$(wildcard vm/*.cpp))
SERVE_OBJ = $(SERVE_SRC:%.c=$(BUILD)/obj/%.o)
C_OBJ    = $(C_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/parser.o $(BUILD)/obj/gen/lexer.o
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC = $(filter-out tools/gencorpus_%.c,$(wildcard tools/*.c))
TOOL_BIN = $(TOOL_SRC:tools/%.c=$(BUILD)/%)
# libcars: the trusted core (VM_SRC and the C++ adapter) and lib/, compiled
# again with -fPIC into $(BUILD)/pic/: every symbol hidden but the CARS_API
# functions of include/cars.h (also listed in lib/libcars.map), fault
# injection compiled out (CARS_ALLOC_PLAIN: no global counters).
# PREFIX and LIBDIR: what build/cars.pc says (the install's locations).
LIB_SRC  = $(wildcard lib/*.c)
LIB_PIC  = -fPIC -fvisibility=hidden -DCARS_BUILDING_LIBRARY -DCARS_ALLOC_PLAIN
LIBCARS_OBJ = $(patsubst $(BUILD)/obj/%,$(BUILD)/pic/%,$(VM_OBJ)) $(LIB_SRC:%.c=$(BUILD)/pic/%.o)
LIBCARS_SO  = $(BUILD)/libcars.so.1.0.0
LIBCARS  = $(LIBCARS_SO) $(BUILD)/libcars.so.1 $(BUILD)/libcars.so $(BUILD)/libcars.a $(BUILD)/cars.pc
CARS_VER := $(shell sed -n 's/^\#define CARS_VERSION "\(.*\)"/\1/p' vm/version.h)
PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
# An ASan/UBSan library takes the sanitizer runtime from the program that
# loads it: only an ordinary build is linked with every symbol defined.
LIB_LDFLAGS = -shared -Wl,-soname,libcars.so.1 -Wl,--version-script=lib/libcars.map \
              $(if $(findstring fsanitize,$(OPT)),,-Wl,--no-undefined)
FUZZ_TARGETS = parse loader vm reader reader_diff reader_simd
FUZZ_LIBS_reader_diff = -ljansson -lm
FUZZ_REPLAY  = $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay_%)
FUZZ_SECONDS ?= 60
FUZZ_DIR ?= build-fuzz

.PHONY: all lib lib-test install uninstall man-test completion-test install-test package-test package-deps deps demo test test-fast test-san test-bins unit cases demo-test serve-test lsp-test editors-test editors-deps loadtest clean bench bench-deps bench-bin fuzz fuzz-replay coverage valgrind lint \
        browser browser-deps
all: $(BUILD)/carsc $(BUILD)/carsvm $(TOOL_BIN) $(LIBCARS)
lib: $(LIBCARS)

# The end of every *-deps recipe: the Debian packages the shell variable
# missing names are installed (as root), or the exact command is said.
INSTALL_MISSING = if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages; run: sudo apt-get install$$missing"; exit 1; fi; \
	fi
# npm ci in DIR when its package-lock.json is newer than what is installed.
NPM_CI = stamp=$(1)/node_modules/.package-lock.json; \
	if [ ! -f $$stamp ] || [ $(1)/package-lock.json -nt $$stamp ]; then \
	  npm ci --prefix $(1) --no-audit --no-fund; fi

# Install missing Debian packages (as root), or say exactly what to install.
deps:
	@missing=""; for p in $(DEPS_PKGS); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	$(INSTALL_MISSING)

$(BUILD)/gen/parser.c $(BUILD)/gen/parser.h &: grammar/parser.y
	@mkdir -p $(BUILD)/gen
	bison -Wall -Werror --defines=$(BUILD)/gen/parser.h -o $(BUILD)/gen/parser.c $<

$(BUILD)/gen/lexer.c $(BUILD)/gen/lexer.h &: grammar/lexer.l $(BUILD)/gen/parser.h
	@mkdir -p $(BUILD)/gen
	flex --header-file=$(BUILD)/gen/lexer.h -o $(BUILD)/gen/lexer.c $<

# Generated code is exempt from our stricter warnings, not from -Werror.
$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) -Wall -Werror -Wno-unused-function -Wno-sign-compare $(OPT) -MMD -MP -Ivm -Icompiler -I$(BUILD)/gen $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS_ALL) -c $< -o $@

$(C_OBJ): $(BUILD)/gen/parser.h $(BUILD)/gen/lexer.h

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LIB_PIC) -c $< -o $@

$(BUILD)/pic/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS_ALL) $(LIB_PIC) -c $< -o $@

$(LIBCARS_SO): $(LIBCARS_OBJ) lib/libcars.map
	$(CC) $(OPT) $(LIB_LDFLAGS) $(LDFLAGS) -o $@ $(LIBCARS_OBJ) $(LIBS_VM)
$(BUILD)/libcars.so.1: $(LIBCARS_SO)
	ln -sf libcars.so.1.0.0 $@
$(BUILD)/libcars.so: $(BUILD)/libcars.so.1
	ln -sf libcars.so.1 $@
# The static library: one object, linked from the same ones (ld -r), its
# hidden symbols made local, so that it too defines only the cars_ API and
# cannot clash with a program's own names.
$(BUILD)/libcars.a: $(LIBCARS_OBJ)
	$(LD) -r -o $(BUILD)/pic/libcars.o $(LIBCARS_OBJ)
	objcopy --localize-hidden $(BUILD)/pic/libcars.o
	rm -f $@ && ar rcs $@ $(BUILD)/pic/libcars.o
# Written only when it changes (PREFIX or LIBDIR given differently).
$(BUILD)/cars.pc: cars.pc.in FORCE
	@mkdir -p $(BUILD)
	@sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@VERSION@|$(CARS_VER)|g' cars.pc.in >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@ && echo "wrote $@ (prefix $(PREFIX), libdir $(LIBDIR))"; fi
FORCE:

$(BUILD)/libcarsvm.a: $(VM_OBJ)
	ar rcs $@ $^
$(BUILD)/libcarsc.a: $(C_OBJ)
	ar rcs $@ $^

$(BUILD)/carsvm: $(BUILD)/obj/vm/main.o $(SERVE_OBJ) $(BUILD)/libcarsvm.a
	$(CC) $(OPT) $(LDFLAGS) -o $@ $^ $(LIBS_VM) -levent_extra -levent_core
$(BUILD)/carsc: $(BUILD)/obj/compiler/main.o $(BUILD)/libcarsc.a $(BUILD)/libcarsvm.a
	$(CC) $(OPT) $(LDFLAGS) -o $@ $^ $(LIBS_VM) $(LIBS_C)
$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(BUILD)/libcarsvm.a
	@mkdir -p $(dir $@)
	$(CC) $(OPT) $(LDFLAGS) -o $@ $^ $(LIBS_VM) -lm
# gencorpus uses the VM's dates, UTF-8 and table key normalisation (libcarsvm).
$(BUILD)/gencorpus: $(BUILD)/obj/tools/gencorpus.o $(BUILD)/obj/tools/gencorpus_json.o \
                    $(BUILD)/obj/tools/gencorpus_tables.o $(BUILD)/libcarsvm.a
	$(CC) $(OPT) $(LDFLAGS) -o $@ $^ $(LIBS_VM)
$(BUILD)/%: $(BUILD)/obj/tools/%.o
	$(CC) $(OPT) $(LDFLAGS) -o $@ $^
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/libcarsc.a $(BUILD)/libcarsvm.a
	@mkdir -p $(dir $@)
	$(CC) $(OPT) $(LDFLAGS) -o $@ $^ $(LIBS_VM) $(LIBS_C) $(LIBS_TEST)
# test_libcars_*: the library's interface (lib/cars.c) over the same objects
# as the other tests, so that they can count and fail allocations.
$(BUILD)/tests/test_libcars_%: $(BUILD)/obj/tests/unit/test_libcars_%.o $(BUILD)/obj/lib/cars.o $(BUILD)/libcarsc.a \
                               $(BUILD)/libcarsvm.a
	@mkdir -p $(dir $@)
	$(CC) $(OPT) $(LDFLAGS) -o $@ $^ $(LIBS_VM) $(LIBS_C) $(LIBS_TEST)

# Fuzz targets (tests/fuzz/): replay_<t> with any compiler (make test replays
# the corpora); fuzz_<t> with clang and libFuzzer (make fuzz, FUZZ=1).
$(FUZZ_TARGETS:%=$(BUILD)/obj/tests/fuzz/fuzz_%.o): $(BUILD)/gen/parser.h $(BUILD)/gen/lexer.h
$(BUILD)/fuzz/replay_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/obj/tests/fuzz/replay.o $(BUILD)/libcarsc.a $(BUILD)/libcarsvm.a
	@mkdir -p $(dir $@)
	$(CC) $(OPT) $(LDFLAGS) -o $@ $^ $(LIBS_VM) $(FUZZ_LIBS_$*)
$(BUILD)/fuzz/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/libcarsc.a $(BUILD)/libcarsvm.a
	@mkdir -p $(dir $@)
	$(CC) $(OPT) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(LIBS_VM) $(FUZZ_LIBS_$*)

# lines_<t>: target t on every line of the files it is given (bench corpora).
$(BUILD)/fuzz/lines_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/obj/tests/fuzz/lines.o $(BUILD)/libcarsc.a $(BUILD)/libcarsvm.a
	@mkdir -p $(dir $@)
	$(CC) $(OPT) $(LDFLAGS) -o $@ $^ $(LIBS_VM) $(FUZZ_LIBS_$*)

fuzz-replay: all $(FUZZ_REPLAY)
	@sh tests/fuzz/replay.sh $(BUILD)

# make fuzz FUZZ_SECONDS=N: each target N seconds; new inputs go to
# $(FUZZ_DIR)/work/, crashes to $(FUZZ_DIR)/crashes/ (tests/fuzz/fuzz.sh).
fuzz: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_DIR) CC=clang CXX=clang++ FUZZ=1 $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz/fuzz_%)
	@sh tests/fuzz/fuzz.sh $(BUILD) $(FUZZ_DIR) $(FUZZ_SECONDS)

# make coverage: a --coverage build in build-cov/ runs the unit tests, the
# cases and the fuzz replay; lcov reports line and branch coverage.
coverage: deps
	@missing=""; dpkg -s lcov >/dev/null 2>&1 || missing=" lcov"; \
	$(INSTALL_MISSING)
	@find build-cov -name '*.gcda' -delete 2>/dev/null || true
	@$(MAKE) --no-print-directory BUILD=build-cov OPT="-O0 -g --coverage -fprofile-update=atomic" all unit cases fuzz-replay
	@sh tests/coverage.sh build-cov

# make valgrind: every text case with carsc and carsvm under memcheck;
# make lint: cppcheck and clang-tidy over the tree (tests/lint.sh).
valgrind: deps
	@$(MAKE) --no-print-directory all
	@sh tests/valgrind.sh $(BUILD)
lint: $(BUILD)/gen/parser.h $(BUILD)/gen/lexer.h
	@sh tests/lint.sh $(BUILD)

# The interpreter's portable dispatch (a switch, for compilers without
# labels as values), built with -DCARS_VM_SWITCH and run by the tests that
# hold routing to the bytecode: both dispatches are tested on every build.
VM_SWITCH_TESTS = test_xcode test_vm test_explain
$(BUILD)/obj-switch/vm/vm.o: vm/vm.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DCARS_VM_SWITCH -c $< -o $@
$(BUILD)/switch/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/obj-switch/vm/vm.o $(BUILD)/libcarsc.a $(BUILD)/libcarsvm.a
	@mkdir -p $(dir $@)
	$(CC) $(OPT) $(LDFLAGS) -o $@ $^ $(LIBS_VM) $(LIBS_C) $(LIBS_TEST)

unit: $(UNIT_BIN) $(VM_SWITCH_TESTS:%=$(BUILD)/switch/tests/%)
	@for t in $(UNIT_BIN) $(VM_SWITCH_TESTS:%=$(BUILD)/switch/tests/%); do CARS_TEST_BUILD=$(BUILD) $$t || exit 1; done

cases: all
	@BUILD=$(BUILD) JOBS=$(JOBS) sh tests/run_cases.sh

# The serve tests (tests/serve/): the real carsvm serve on a loopback port,
# curl as the client; about half a minute.
serve-test: all
	@JOBS=$(JOBS) sh tests/serve/run.sh $(BUILD)

# The language server's test (tests/lsp/): a scripted client drives carsc
# lsp over stdio; a few seconds.
lsp-test: all
	@python3 tests/lsp/test_lsp.py $(BUILD)/carsc

# What the tests run, built on every core first (JOBS, default: the
# number of cores); the text cases and the serve tests then run JOBS at a
# time (each in its own scratch directory), the rest one after another.
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
test-bins: all $(UNIT_BIN) $(VM_SWITCH_TESTS:%=$(BUILD)/switch/tests/%) $(FUZZ_REPLAY)

test-fast: deps
	@$(MAKE) --no-print-directory -j$(JOBS) test-bins
	@$(MAKE) --no-print-directory all unit cases fuzz-replay serve-test lib-test lsp-test man-test completion-test install-test demo-test

test-san: deps
	@$(MAKE) --no-print-directory -j$(JOBS) BUILD=build-asan SAN=1 test-bins
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 all unit cases fuzz-replay serve-test lib-test lsp-test

lib-test: all
	@CC="$(CC)" CXX="$(CXX)" OPT="$(OPT)" sh tests/lib/run.sh $(BUILD)

test: deps
	@$(MAKE) --no-print-directory test-fast
	@$(MAKE) --no-print-directory editors-test
	@$(MAKE) --no-print-directory package-test
	@$(MAKE) --no-print-directory browser
	@$(MAKE) --no-print-directory test-san
	@$(MAKE) --no-print-directory lint

# make browser: carsc report's site loaded in headless Chromium (Debian's
# chromium, driven by playwright-core; axe-core), tests/browser/run.sh.
# browser-deps installs chromium, nodejs and npm when missing, then the npm
# packages pinned in tests/browser/package-lock.json (npm ci).
browser-deps:
	@missing=""; [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	$(INSTALL_MISSING)
	@$(call NPM_CI,tests/browser)
browser: browser-deps all
	@sh tests/browser/run.sh $(BUILD)

# make editors-test: the Vim syntax file and the VS Code TextMate grammar
# (editors/) on every .cars file of the tree and the docs' examples
# (tests/editors/run.sh; vim headless, and node with vscode-textmate and
# vscode-oniguruma). editors-deps installs nodejs and npm when missing, then
# the npm packages pinned in tests/editors/package-lock.json (npm ci).
editors-deps: deps
	@missing=""; command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	$(INSTALL_MISSING)
	@$(call NPM_CI,tests/editors)
editors-test: editors-deps all
	@sh tests/editors/run.sh $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tools/demo.sh $(BUILD)
# make demo-test: tools/demo.sh twice in a row in a scratch directory.
demo-test: all
	@sh tests/demo_test.sh $(BUILD)

# Benchmarks (bench/run.sh writes docs/performance.md and docs/scale.svg).
# bench-deps installs only what is missing, by command (node may come with
# its own npm rather than Debian's); hyperfine: bench/ab.sh's A/B timings.
BENCH_BIN  = $(BUILD)/bench/handwritten $(BUILD)/bench/readonly $(BUILD)/bench/yajlfloor $(BUILD)/bench/scale/genrules \
             $(BUILD)/bench/scale/loadtime
bench-deps:
	@missing=""; \
	command -v jq >/dev/null 2>&1 || missing="$$missing jq"; \
	command -v luajit >/dev/null 2>&1 || missing="$$missing luajit"; \
	luajit -e 'require("cjson")' >/dev/null 2>&1 || missing="$$missing lua-cjson"; \
	command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	[ -x /usr/bin/time ] || missing="$$missing time"; \
	command -v valgrind >/dev/null 2>&1 || missing="$$missing valgrind"; \
	command -v hyperfine >/dev/null 2>&1 || missing="$$missing hyperfine"; \
	$(INSTALL_MISSING)
	@if [ -f bench/peers/node/package-lock.json ] && [ ! -d bench/peers/node/node_modules/json-rules-engine ]; then \
	  npm ci --prefix bench/peers/node --no-audit --no-fund; fi
bench-bin: all $(BENCH_BIN)
bench: deps bench-deps
	@$(MAKE) --no-print-directory bench-bin
	@BUILD=$(BUILD) sh bench/run.sh

# make loadtest: carsvm serve under wrk on loopback, about a minute
# (bench/loadtest.sh; figures into docs/performance.md).
loadtest: deps
	@missing=""; command -v wrk >/dev/null 2>&1 || missing=" wrk"; \
	$(INSTALL_MISSING)
	@$(MAKE) --no-print-directory all
	@sh bench/loadtest.sh $(BUILD)

# make install (GNU conventions; DESTDIR stages the tree, as debian/rules
# does). Shared library 0644, programs 0755, everything else 0644.
BINDIR      ?= $(PREFIX)/bin
INCLUDEDIR  ?= $(PREFIX)/include
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
DOCDIR      ?= $(DATADIR)/doc/cars
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
INSTALL     ?= install
MAN_PAGES    = man/carsc.1 man/carsvm.1 man/cars-language.5 man/cars-records.5
# What goes into DOCDIR, as paths relative to the tree (docs/ and the
# reference ruleset, which goes to DOCDIR/examples/cars-v).
DOC_FILES    = README.md $(sort $(shell find docs -type f))
EXAMPLE_FILES = $(sort $(shell find rulesets/cars-v -type f))
EXAMPLE_DIRS  = $(sort $(patsubst %/,%,$(dir $(EXAMPLE_FILES))))

install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR)
	$(INSTALL) -m 0755 $(BUILD)/carsc $(BUILD)/carsvm $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 0644 $(LIBCARS_SO) $(BUILD)/libcars.a $(DESTDIR)$(LIBDIR)/
	ln -sf libcars.so.1.0.0 $(DESTDIR)$(LIBDIR)/libcars.so.1
	ln -sf libcars.so.1 $(DESTDIR)$(LIBDIR)/libcars.so
	$(INSTALL) -m 0644 $(BUILD)/cars.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	$(INSTALL) -m 0644 include/cars.h $(DESTDIR)$(INCLUDEDIR)/
	$(INSTALL) -m 0644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 $(filter %.5,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 0644 completion/carsc completion/carsvm $(DESTDIR)$(BASHCOMPDIR)/
	@set -e; for f in $(DOC_FILES); do \
	  $(INSTALL) -d $(DESTDIR)$(DOCDIR)/$$(dirname $$f); \
	  $(INSTALL) -m 0644 $$f $(DESTDIR)$(DOCDIR)/$$f; done; \
	for f in $(EXAMPLE_FILES); do \
	  d=$(DESTDIR)$(DOCDIR)/examples/$${f#rulesets/}; \
	  $(INSTALL) -d $$(dirname $$d); $(INSTALL) -m 0644 $$f $$d; done; \
	echo "installed the docs in $(DESTDIR)$(DOCDIR), the reference ruleset in $(DESTDIR)$(DOCDIR)/examples/cars-v"

# Removes the files install put, then the directories under DOCDIR it made
# (the shared ones, such as BINDIR or MANDIR/man1, stay).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/carsc $(DESTDIR)$(BINDIR)/carsvm \
	  $(addprefix $(DESTDIR)$(LIBDIR)/,libcars.so.1.0.0 libcars.so.1 libcars.so libcars.a pkgconfig/cars.pc) \
	  $(DESTDIR)$(INCLUDEDIR)/cars.h \
	  $(DESTDIR)$(MANDIR)/man1/carsc.1 $(DESTDIR)$(MANDIR)/man1/carsvm.1 \
	  $(DESTDIR)$(MANDIR)/man5/cars-language.5 $(DESTDIR)$(MANDIR)/man5/cars-records.5 \
	  $(DESTDIR)$(BASHCOMPDIR)/carsc $(DESTDIR)$(BASHCOMPDIR)/carsvm
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(DOC_FILES)) \
	  $(addprefix $(DESTDIR)$(DOCDIR)/examples/,$(EXAMPLE_FILES:rulesets/%=%))
	@for d in $$(printf '%s\n' $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DOCDIR)/examples \
	    $(addprefix $(DESTDIR)$(DOCDIR)/examples/,$(EXAMPLE_DIRS:rulesets/%=%)) \
	    $(addprefix $(DESTDIR)$(DOCDIR)/,$(patsubst %/,%,$(dir $(DOC_FILES)))) | sort -ru); do \
	  [ ! -d $$d ] || rmdir --ignore-fail-on-non-empty $$d; done

# The man pages (mandoc -Tlint; every option of --help in them), the bash
# completion driven as bash drives it, make install and uninstall into a
# scratch DESTDIR (tests/pkg/).
man-test: all
	@sh tests/pkg/man.sh $(BUILD)
completion-test: all
	@bash tests/pkg/completion.sh $(BUILD)
install-test: all
	@sh tests/pkg/install.sh $(BUILD)

# make package-test: build the .debs from a copy of the tree, lintian,
# apt-get install ./*.deb, route the demo corpus as carsvm(1) shows, purge
# and check that nothing is left (tests/pkg/package.sh). package-deps
# installs what that takes (as root), or says what to install.
package-deps:
	@missing=""; for p in $(PACKAGE_PKGS); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	$(INSTALL_MISSING)
package-test: deps package-deps
	@$(MAKE) --no-print-directory all
	@sh tests/pkg/package.sh $(BUILD)

clean:
	rm -rf build build-asan build-fuzz build-cov

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
