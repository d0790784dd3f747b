# hutch: one static binary. `make` builds build/hutch with the musl toolchain and
# the dependencies that scripts/build-deps.sh builds from Debian's sources.
#
#   make            build/hutch (fully static, stripped)
#   make test       unit and integration tests, as unprivileged users
#   make demo       build, load an image made offline, run a container
#   make asan       a debug build with the system g++, ASan and UBSan
#   make man        regenerate man/ from the command registry
#   make bench      start-up benchmark against ch-run, bwrap and podman; pull benchmark

# Make remakes an included makefile before it looks at any goal, so the rule
# for build/deps.mk below runs first on every path (make, make test, make
# unit, make demo). `clean` and `setup` need no dependencies: skip it there.
ifneq ($(or $(filter-out clean setup,$(MAKECMDGOALS)),$(if $(MAKECMDGOALS),,all)),)
-include build/deps.mk
endif

BUILD      := build
SRC_LIB    := $(filter-out src/main.cc,$(shell find src -name '*.cc' ! -name '*_test.cc' | sort))
SRC_TESTS  := $(sort $(wildcard tests/unit/*.cc))
WARNINGS   := -Wall -Wextra -Wno-unused-parameter
CXXFLAGS   := -std=c++20 -O2 $(WARNINGS) -Isrc -MMD -MP
TARGET     := -target x86_64-linux-musl

CXX_STATIC := $(ZIG) c++ $(TARGET)

# Generated sources: the notices of what is linked in (scripts/gen-licenses.py).
SRC_GEN    := $(BUILD)/gen/licenses.cc
# The pasta hutch carries (third_party/passt; src/container/bundled_pasta.h).
PASTA_BLOB := $(BUILD)/gen/pasta_blob.S
OBJ_LIB    := $(SRC_LIB:%.cc=$(BUILD)/obj/%.o) $(SRC_GEN:%.cc=$(BUILD)/obj/%.o) $(BUILD)/obj/$(PASTA_BLOB:.S=.o)
OBJ_TESTS  := $(SRC_TESTS:%.cc=$(BUILD)/obj/%.o)

.PHONY: all setup test unit demo asan asan-unit man bench clean
all: $(BUILD)/hutch

# Installs packages (as root) and the toolchain; quick when already done.
setup:
	@bash scripts/setup.sh

# setup.sh comes first: build-deps.sh needs the packages it installs
# (dpkg-dev, xz-utils, patch, ...), and a `setup` prerequisite of a goal would
# run only after Make had remade this file. The recipe runs only when deps.mk is
# missing or a recipe or script changed, so a warm `make` never runs setup.
# build-deps.sh leaves an unchanged deps.mk alone (edits to setup.sh or a
# README do not change the deps), hence the touch.
$(BUILD)/deps.mk: scripts/setup.sh scripts/install-zig.sh scripts/build-deps.sh \
                  $(shell find third_party -type f 2>/dev/null)
	@bash scripts/setup.sh
	@bash scripts/build-deps.sh
	@touch $@

# From the upstream sources build-deps.sh downloaded, and zig's lib directory:
# remade when a pinned version, the generator or the toolchain changes.
$(BUILD)/gen/licenses.cc: scripts/gen-licenses.py third_party/versions $(BUILD)/deps.mk
	@mkdir -p $(dir $@)
	python3 scripts/gen-licenses.py --zig $(ZIG) --out $@

# The program's bytes in .rodata, between two symbols; deps.mk names the
# prefix that holds it.
$(PASTA_BLOB): $(BUILD)/deps.mk
	@mkdir -p $(dir $@)
	printf '%s\n' '.section .rodata.hutch_pasta,"a"' '.balign 64' '.globl hutch_pasta_begin' \
	    'hutch_pasta_begin:' '.incbin "$(DEPS)/bin/pasta"' '.globl hutch_pasta_end' 'hutch_pasta_end:' \
	    '.section .note.GNU-stack,"",@progbits' > $@
$(BUILD)/obj/$(PASTA_BLOB:.S=.o): $(PASTA_BLOB) $(DEPS)/bin/pasta
	@mkdir -p $(dir $@)
	$(ZIG) cc $(TARGET) -c $< -o $@

# The static build's libcurl sits on mbedTLS (see src/registry/http.cc).
$(BUILD)/obj/%.o: %.cc $(BUILD)/deps.mk
	@mkdir -p $(dir $@)
	$(CXX_STATIC) $(CXXFLAGS) -DHUTCH_CURL_MBEDTLS -I$(DEPS)/include -c $< -o $@

$(BUILD)/obj/src/main.o: src/main.cc $(BUILD)/deps.mk
	@mkdir -p $(dir $@)
	$(CXX_STATIC) $(CXXFLAGS) -I$(DEPS)/include -c $< -o $@

# mimalloc's object comes first so it replaces musl's allocator, which is slow
# under threads. Both links use the same flags: zig builds its libc++ once per
# flag set, so stripping is a separate step rather than -s.
# Static archives are searched in order: libcurl needs mbedTLS (tls, then
# x509, then crypto) and zlib, so they follow it.
DEP_LIBS    := -lcurl -lmbedtls -lmbedx509 -lmbedcrypto -larchive -lzstd -lz -lsimdjson
LINK_STATIC = $(CXX_STATIC) -static -o $@ $(DEPS)/lib/mimalloc.o $^ -L$(DEPS)/lib $(DEP_LIBS)

$(BUILD)/hutch: $(BUILD)/obj/src/main.o $(OBJ_LIB)
	$(LINK_STATIC)
	strip $@

$(BUILD)/unit-tests: $(OBJ_TESTS) $(OBJ_LIB)
	$(LINK_STATIC)

unit: $(BUILD)/unit-tests
	$(BUILD)/unit-tests

test: setup
	@$(MAKE) --no-print-directory $(BUILD)/hutch $(BUILD)/unit-tests
	@bash tests/run.sh

demo: setup
	@$(MAKE) --no-print-directory $(BUILD)/hutch
	@bash scripts/demo.sh

# The debugging build: Debian's g++ and -dev libraries, sanitizers on. It needs
# libcurl4-openssl-dev libarchive-dev libzstd-dev zlib1g-dev libsimdjson-dev
# (not installed by scripts/setup.sh; its libcurl uses OpenSSL, not mbedTLS).
ASAN_FLAGS := -std=c++20 -O1 -g -fsanitize=address,undefined $(WARNINGS) -Isrc -MMD -MP
OBJ_ASAN   := $(SRC_LIB:%.cc=$(BUILD)/asan/%.o) $(SRC_GEN:%.cc=$(BUILD)/asan/%.o) $(BUILD)/asan/src/main.o \
              $(BUILD)/asan/$(PASTA_BLOB:.S=.o)
asan: $(BUILD)/asan/hutch
$(BUILD)/asan/%.o: %.cc
	@mkdir -p $(dir $@)
	g++ $(ASAN_FLAGS) -c $< -o $@
$(BUILD)/asan/$(PASTA_BLOB:.S=.o): $(PASTA_BLOB)
	@mkdir -p $(dir $@)
	gcc -c $< -o $@
$(BUILD)/asan/hutch: $(OBJ_ASAN)
	g++ -fsanitize=address,undefined -o $@ $^ -lcurl -larchive -lzstd -lz -lsimdjson
$(BUILD)/asan/unit-tests: $(SRC_TESTS:%.cc=$(BUILD)/asan/%.o) $(filter-out $(BUILD)/asan/src/main.o,$(OBJ_ASAN))
	g++ -fsanitize=address,undefined -o $@ $^ -lcurl -larchive -lzstd -lz -lsimdjson
asan-unit: $(BUILD)/asan/unit-tests
	ASAN_OPTIONS=detect_leaks=0 $(BUILD)/asan/unit-tests

man: $(BUILD)/hutch
	@bash scripts/gen-man.sh $(BUILD)/hutch

bench: $(BUILD)/hutch
	@bash bench/startup.sh
	@bash bench/pull.sh

clean:
	rm -rf $(BUILD)

-include $(OBJ_LIB:.o=.d) $(OBJ_TESTS:.o=.d) $(BUILD)/obj/src/main.d $(OBJ_ASAN:.o=.d)
