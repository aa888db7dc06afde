# papyra — see README.md.  `make` builds build/papyra; `make test` installs
# what is missing (Debian, as root), builds, and runs the whole suite twice:
# plain and under AddressSanitizer + UndefinedBehaviorSanitizer.

PREFIX ?= /usr/local
CC ?= cc
PKGS := ncursesw libcjson hiredis openssl
BUILD ?= build

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
CSTD := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64
OPT ?= -O2 -g
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) $(EXTRA_CFLAGS) -Icore -Iui -Isrc -Itests/unit \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS_ALL = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lncursesw -lcjson -lhiredis -lssl -lcrypto) -lm
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

CORE_SRC := $(wildcard core/*.c)
UI_SRC   := $(wildcard ui/*.c)
APP_SRC  := $(wildcard src/*.c)
TEST_SRC := $(wildcard tests/unit/test_*.c)

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
APP_OBJ  := $(APP_SRC:%.c=$(BUILD)/%.o) $(UI_SRC:%.c=$(BUILD)/%.o)
TESTS    := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all test test-plain test-san test-pkg unit cli deps run bench install clean screenshots fuzz fuzz-screen man \
	completions deb cli-only torture torture-quick

all: $(BUILD)/papyra

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/libpapyra.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/papyra: $(APP_OBJ) $(BUILD)/libpapyra.a
	$(CC) $(OPT) $(EXTRA_CFLAGS) $(EXTRA_LDFLAGS) -o $@ $(APP_OBJ) $(BUILD)/libpapyra.a $(LDLIBS_ALL)

# papyra-cli: the same commands without ncurses (no interactive console),
# for minimal init-container images; the default build is unchanged.
CLI_PKGS := libcjson hiredis openssl
CLI_OBJ := $(APP_SRC:%.c=$(BUILD)/cli/%.o)
$(BUILD)/cli/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(OPT) $(EXTRA_CFLAGS) -DPAPYRA_NO_CONSOLE -Icore -Isrc \
		$(shell pkg-config --cflags $(CLI_PKGS) 2>/dev/null) -MMD -MP -c $< -o $@

$(BUILD)/papyra-cli: $(CLI_OBJ) $(BUILD)/libpapyra.a
	$(CC) $(OPT) $(EXTRA_CFLAGS) $(EXTRA_LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libpapyra.a \
		$(shell pkg-config --libs $(CLI_PKGS) 2>/dev/null || echo -lcjson -lhiredis -lssl -lcrypto) -lm

cli-only: $(BUILD)/papyra-cli

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libpapyra.a $(filter-out $(BUILD)/src/main.o,$(APP_OBJ))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(filter-out $(BUILD)/src/main.o,$(APP_OBJ)) $(BUILD)/libpapyra.a \
		$(LDLIBS_ALL) $(CMOCKA_LIBS) $(EXTRA_LDFLAGS) $(LDFLAGS_$*)
# test_live makes rotations happen inside the switch: its own fsutil_exchange
LDFLAGS_test_live := -Wl,--wrap=fsutil_exchange

deps:
	@sh tests/deps.sh

unit: $(TESTS)
	@sh tests/run-unit.sh $(TESTS)

cli: $(BUILD)/papyra
	@sh tests/cli/run.sh $(abspath $(BUILD)/papyra)

test-plain:
	$(MAKE) unit cli test-pkg

# make install, make deb and make cli-only, each built and run from a scratch root
test-pkg: $(BUILD)/papyra
	@sh tests/pkg/run.sh $(BUILD)

# UBSan's "undefined" group leaves out the float checks: add them (a double
# beyond int64 cast to an integer is undefined behaviour, SPEC §8 "bad number").
SAN := -fsanitize=address,undefined,float-divide-by-zero,float-cast-overflow \
	-fno-omit-frame-pointer -fno-sanitize-recover=all
test-san:
	$(MAKE) BUILD=build/san OPT="-O1 -g" EXTRA_CFLAGS="$(SAN)" EXTRA_LDFLAGS="$(SAN)" unit cli

# The scanner and repair under libFuzzer (clang), and the validator's
# AVX-512 fast path against its per-byte machine: properties in tests/fuzz.
# Each target gets FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined,float-divide-by-zero,float-cast-overflow -fno-sanitize-recover=all
FUZZ_TARGETS := fuzz_scan:corpus fuzz_jsonv_diff:corpus_jsonv
fuzz:
	@mkdir -p build/fuzz
	@pass=0; fail=0; for t in $(FUZZ_TARGETS); do name=$${t%%:*}; corpus=$${t#*:}; \
		clang $(CSTD) $(FUZZ_FLAGS) -Icore $(shell pkg-config --cflags libcjson hiredis openssl) -o build/fuzz/$$name \
			tests/fuzz/$$name.c $(CORE_SRC) $(shell pkg-config --libs libcjson hiredis openssl) -lm || exit 1; \
		rm -rf build/fuzz/$$corpus; mkdir -p build/fuzz/$$corpus; cp tests/fuzz/$$corpus/* build/fuzz/$$corpus/; \
		build/fuzz/$$name -max_total_time=$(FUZZ_SECONDS) -seed=1 -max_len=4096 -print_final_stats=1 \
			build/fuzz/$$corpus >build/fuzz/$$name.log 2>&1; rc=$$?; \
		echo "$$name:"; grep -E '^Done|number_of_executed_units|not exercised' build/fuzz/$$name.log; \
		if [ $$rc -ne 0 ]; then tail -40 build/fuzz/$$name.log; fail=$$((fail + 1)); else pass=$$((pass + 1)); fi; \
	done; echo "fuzz: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]
	@$(MAKE) --no-print-directory fuzz-screen FUZZ_SECONDS=$(FUZZ_SECONDS)

# The console's screen property (tests/unit/test_screen.c: nothing drawn
# leaves its cells) for FUZZ_SECONDS per locale, from a new seed each run
# (printed; PAPYRA_FUZZ_SEED=N repeats one).  `make unit` runs it with a
# fixed seed and a fixed number of rounds.
fuzz-screen: $(BUILD)/tests/test_screen
	@seed=$${PAPYRA_FUZZ_SEED:-$$(date +%s)}; echo "fuzz_screen: seed $$seed"; \
		PAPYRA_FUZZ_SEED=$$seed PAPYRA_FUZZ_SECONDS=$(FUZZ_SECONDS) $(BUILD)/tests/test_screen

# The torture suite (tests/torture/run.sh): a Papyra-like writer, a kill at
# every syscall, injected I/O errors, a full filesystem.  `make torture` is
# the long run (1000 operations per live case); `make test` runs a bounded one.
TORTURE_BIN := $(BUILD)/torture/writer $(BUILD)/torture/check
$(BUILD)/torture/%: tests/torture/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(OPT) -o $@ $<

torture: deps $(BUILD)/papyra $(TORTURE_BIN)
	sh tests/torture/run.sh $(BUILD)/papyra $(BUILD)/torture

torture-quick: $(BUILD)/papyra $(TORTURE_BIN)
	TORTURE_RUNS=25 TORTURE_STEP=7 sh tests/torture/run.sh $(BUILD)/papyra $(BUILD)/torture

test: deps
	$(MAKE) test-plain
	$(MAKE) torture-quick
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 $(MAKE) test-san
	PAPYRA_FUZZ_SEED=1 $(MAKE) fuzz FUZZ_SECONDS=10
	@echo "make test: all suites passed (plain, torture, sanitizers, fuzzing)"

run: deps $(BUILD)/papyra
	sh examples/run-demo.sh $(BUILD)/papyra

bench: deps $(BUILD)/papyra
	sh bench/bench.sh $(abspath $(BUILD)/papyra)

screenshots: $(BUILD)/papyra
	sh screenshots/capture.sh $(BUILD)/papyra

# Regenerate the console-key section of the man page from the key table.
man: $(BUILD)/papyra
	$(BUILD)/papyra console --print-keys-man > man/papyra-keys.inc
	sh man/splice-keys.sh

# Shell completions, written by the binary from its own command tables.
completions: $(BUILD)/completions/papyra $(BUILD)/completions/_papyra
$(BUILD)/completions/papyra: $(BUILD)/papyra
	@mkdir -p $(dir $@)
	$(BUILD)/papyra --print-completion bash > $@.tmp && mv $@.tmp $@
$(BUILD)/completions/_papyra: $(BUILD)/papyra
	@mkdir -p $(dir $@)
	$(BUILD)/papyra --print-completion zsh > $@.tmp && mv $@.tmp $@

STRIP ?= strip
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# Debian's zsh reads packages' completions from vendor-completions, local ones from site-functions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/$(if $(filter /usr,$(PREFIX)),vendor-completions,site-functions)

install: $(BUILD)/papyra completions
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(PREFIX)/share/papyra
	install -m 755 -s --strip-program=$(STRIP) $(BUILD)/papyra $(DESTDIR)$(PREFIX)/bin/papyra
	install -m 644 man/papyra.1 $(DESTDIR)$(PREFIX)/share/man/man1/papyra.1
	install -m 644 $(BUILD)/completions/papyra $(DESTDIR)$(BASHCOMPDIR)/papyra
	install -m 644 $(BUILD)/completions/_papyra $(DESTDIR)$(ZSHCOMPDIR)/_papyra
	install -m 644 share/papyra/report.schema.json $(DESTDIR)$(PREFIX)/share/papyra/report.schema.json
	install -m 644 share/papyra/lnav-papyra.json $(DESTDIR)$(PREFIX)/share/papyra/lnav-papyra.json

# A Debian package of `make install PREFIX=/usr` (Depends from dpkg-shlibdeps).
VERSION := $(shell sed -n 's/^\#define PAPYRA_VERSION "\(.*\)"/\1/p' core/version.h)
deb: $(BUILD)/papyra completions
	@sh packaging/mkdeb.sh $(BUILD) $(VERSION)

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
