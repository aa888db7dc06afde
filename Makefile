# papyra — see README.md.  `make` builds build/papyra; `make test` installs
# what is missing (Debian, as root), builds, and runs the whole suite twice:
# plain and under AddressSanitizer + UndefinedBehaviorSanitizer.

PREFIX ?= /usr/local
CC ?= cc
PKGS := ncursesw libcjson hiredis
BUILD ?= build

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
CSTD := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64
OPT ?= -O2 -g
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) $(EXTRA_CFLAGS) -Icore -Iui -Isrc -Itests/unit \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS_ALL = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lncursesw -lcjson -lhiredis) -lm
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

CORE_SRC := $(wildcard core/*.c)
UI_SRC   := $(wildcard ui/*.c)
APP_SRC  := $(wildcard src/*.c)
TEST_SRC := $(wildcard tests/unit/test_*.c)

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
APP_OBJ  := $(APP_SRC:%.c=$(BUILD)/%.o) $(UI_SRC:%.c=$(BUILD)/%.o)
TESTS    := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all test test-plain test-san unit cli deps run bench install clean screenshots fuzz man \
	torture torture-quick

all: $(BUILD)/papyra

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/libpapyra.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/papyra: $(APP_OBJ) $(BUILD)/libpapyra.a
	$(CC) $(OPT) $(EXTRA_CFLAGS) $(EXTRA_LDFLAGS) -o $@ $(APP_OBJ) $(BUILD)/libpapyra.a $(LDLIBS_ALL)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libpapyra.a $(filter-out $(BUILD)/src/main.o,$(APP_OBJ))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(filter-out $(BUILD)/src/main.o,$(APP_OBJ)) $(BUILD)/libpapyra.a \
		$(LDLIBS_ALL) $(CMOCKA_LIBS) $(EXTRA_LDFLAGS)

deps:
	@sh tests/deps.sh

unit: $(TESTS)
	@sh tests/run-unit.sh $(TESTS)

cli: $(BUILD)/papyra
	@sh tests/cli/run.sh $(abspath $(BUILD)/papyra)

test-plain:
	$(MAKE) unit cli

SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
test-san:
	$(MAKE) BUILD=build/san OPT="-O1 -g" EXTRA_CFLAGS="$(SAN)" EXTRA_LDFLAGS="$(SAN)" unit cli

# The scanner and repair under libFuzzer (clang): properties in tests/fuzz.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
fuzz:
	@mkdir -p build/fuzz/corpus
	clang $(CSTD) $(FUZZ_FLAGS) -Icore $(shell pkg-config --cflags libcjson hiredis) -o build/fuzz/fuzz_scan \
		tests/fuzz/fuzz_scan.c $(CORE_SRC) $(shell pkg-config --libs libcjson hiredis) -lm
	cp tests/fuzz/corpus/* build/fuzz/corpus/
	build/fuzz/fuzz_scan -max_total_time=$(FUZZ_SECONDS) -seed=1 -max_len=4096 -print_final_stats=1 \
		build/fuzz/corpus >build/fuzz/log 2>&1; rc=$$?; \
		grep -E '^Done|number_of_executed_units' build/fuzz/log; \
		if [ $$rc -ne 0 ]; then tail -40 build/fuzz/log; echo "fuzz: 0 passed, 1 failed"; exit 1; fi; \
		echo "fuzz: 1 passed, 0 failed"

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
	$(MAKE) fuzz FUZZ_SECONDS=20
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

install: $(BUILD)/papyra
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/papyra $(DESTDIR)$(PREFIX)/bin/papyra
	install -m 644 man/papyra.1 $(DESTDIR)$(PREFIX)/share/man/man1/papyra.1

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
