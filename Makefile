# Portolan — two commands on a fresh Debian/Ubuntu machine: `make run` and `make test`.
# Both install the system packages they need (as root or with sudo), or print the command to run.

GO        ?= go
BIN       := bin/portolan
RUN_PKGS  := gcc libc6-dev pkg-config libgl1-mesa-dev xorg-dev
TEST_PKGS := $(RUN_PKGS) xvfb poppler-utils libreoffice-calc-nogui postgresql cups-daemon cups-client coinor-cbc
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
FYNE_TOOL   := fyne.io/tools/cmd/fyne@v1.7.4
export LANG := C.UTF-8
export LC_ALL := C.UTF-8

.PHONY: run debug build test bench lint package deps-run deps-test screenshots clean

# install-missing PACKAGES: apt-get install what dpkg does not know, as root or via sudo.
define install-missing
	@missing=""; for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if ! command -v apt-get >/dev/null 2>&1; then \
			echo "Portolan needs these packages (or your system's equivalent):$$missing"; exit 1; \
		elif [ "$$(id -u)" = 0 ]; then \
			echo "Installing:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
			echo "Installing with sudo:$$missing"; \
			sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "Missing system packages. Run:"; \
			echo "  sudo apt-get install -y$$missing"; \
			exit 1; \
		fi; \
	fi
endef

deps-run:
	$(call install-missing,$(RUN_PKGS))

deps-test:
	$(call install-missing,$(TEST_PKGS))

build: deps-run
	$(GO) build -o $(BIN) .

## run: open the window on the default database (see README for --db and PORTOLAN_DB)
run: build
	./$(BIN) $(ARGS)

## debug: a build without Fyne metadata, so wrong-thread warnings stay visible
debug: deps-run
	$(GO) build -tags no_metadata -o bin/portolan-debug .
	./bin/portolan-debug $(ARGS)

## test: gofmt check, go vet, and all tests with the race detector
## (vet with -race shares the test build; main — 30 lines, no tests, the
## only package that links the OpenGL window driver — is left to `make
## build` and `make lint`: vetting it would compile that cgo driver again
## under -race). PORTOLAN_TEST_TODAY=YYYY-MM-DD sets the tests' today. The store's
## the use cases' and the window's tests run twice: on SQLite, then on PostgreSQL
## (use cases and window without -race there: the race detector has seen the
## same code already). The race detector instruments our code and the
## libraries it shares memory with (Fyne above all), not the SQLite engine
## itself (modernc.org/sqlite/lib, its C translated to Go, behind SQLite's own
## locks): instrumenting its every memory access made the suite three to five
## times slower (TestBillingMargins 33 s -> 7 s). modernc.org/libc, which
## emulates C's threads and atomics, stays instrumented: without it the race
## detector loses happens-before edges and reports races that are not there.
RACE = -race -gcflags='modernc.org/sqlite/lib=-race=false'
test: deps-test
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "Not gofmt-formatted:"; echo "$$unformatted"; exit 1; fi
	@pkgs=$$($(GO) list ./... | grep -v '^github.com/portolan/portolan$$'); \
	echo "$(GO) vet -race <every package but main>" && $(GO) vet $(RACE) $$pkgs && \
	echo "$(GO) test -race -timeout 30m <every package but main>" && $(GO) test $(RACE) -timeout 30m $$pkgs && \
	echo "the store's, the use cases' and the window's tests again, on PostgreSQL (PORTOLAN_TEST_STORE=postgres)" && \
	PORTOLAN_TEST_STORE=postgres $(GO) test $(RACE) -timeout 30m ./integrations/sqlite/ && \
	PORTOLAN_TEST_STORE=postgres $(GO) test -timeout 30m ./app/ ./ui/

## bench: the Go benchmarks (results go into docs/BENCHMARKS.md)
bench: deps-run
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./...

lint: deps-run
	$(GO) run $(STATICCHECK) ./...

package: deps-run
	$(GO) run $(FYNE_TOOL) package -os linux -release

## screenshots: regenerate docs/screenshots under Xvfb (needs imagemagick and xdotool)
screenshots: build
	$(call install-missing,xvfb imagemagick xdotool)
	./docs/screenshots/capture.sh ./$(BIN)

clean:
	rm -rf bin Portolan.tar.xz
