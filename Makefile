GO ?= go
BIN ?= vit

.PHONY: build test test-purego bench lint fixtures fuzz

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/vit

# The default test run: every package, fast paths and the purego build.
test:
	$(GO) vet ./...
	$(GO) test -short ./...
	$(GO) test -short -tags purego ./...

bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./internal/...

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt: $$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags purego ./...

# Regenerate the test fixtures (needs Debian's python3-torch, python3-torchvision, python3-pil).
fixtures:
	/usr/bin/python3 scripts/make_model_fixtures.py
	/usr/bin/python3 scripts/make_preprocess_fixtures.py
