GO ?= go
BIN ?= vit
# The version printed by `vit version`: git describe when available.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)

.PHONY: build check test test-purego bench bench-cli lint tidy generate staticcheck cross fixtures flatmem accuracy precision-accuracy clean

# A static binary (no cgo), reproducible paths.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-X main.version=$(VERSION)' -o $(BIN) ./cmd/vit

# Everything CI holds the tree to (.ci/run calls this): formatting and vet for
# both tag sets, a tidy go.mod, generated code that matches its generator,
# staticcheck, the cross-builds the README advertises, and the tests.
check: lint tidy generate staticcheck cross test

# The tests: vet, every package's fast tests, and the same with the pure-Go
# kernels (-tags purego).
test:
	$(GO) vet ./...
	$(GO) test -short ./...
	$(GO) test -short -tags purego ./...

test-purego:
	$(GO) test -short -tags purego ./...

# Go benchmarks: kernels and model (GFLOP/s), the classify pipeline (images/s).
bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./internal/... ./cmd/vit

# End-to-end speed of the binary on torchvision-shaped random-weight ViTs.
bench-cli: build
	./$(BIN) bench -m vit-ti16 -b 1 --iters 20
	./$(BIN) bench -m vit-s16 -b 1 --iters 10
	./$(BIN) bench -m vit-b16 -b 1 --iters 10
	./$(BIN) bench -m vit-b16 -b 8 --iters 3

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt: $$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags purego ./...

# go.mod and go.sum list exactly what the code imports.
tidy:
	$(GO) mod tidy -diff

# The kernels' generated assembly and Go stubs match their generator.
GENERATED = internal/kernels/*_amd64.s internal/kernels/*_amd64.go
generate:
	@before=$$(cat $(GENERATED) | cksum); $(GO) generate ./internal/kernels; \
	if [ "$$before" != "$$(cat $(GENERATED) | cksum)" ]; then \
		echo "go generate ./internal/kernels changed its output: review and commit it"; exit 1; fi

# staticcheck at a pinned version, fetched through the Go module proxy.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
staticcheck:
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(STATICCHECK) -tags purego ./...

# The targets the README advertises build (pure Go off amd64).
cross:
	GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/vit
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/vit
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/vit

# Regenerate the test fixtures. The Python is Debian's, run as /usr/bin/python3
# (another python3 on PATH does not see these packages):
#   apt-get install -y python3-torch python3-torchvision python3-pil python3-numpy libjpeg-turbo-progs
# then, once, `go test ./cmd/vit -run Golden -update` rewrites the CLI golden files.
fixtures:
	/usr/bin/python3 scripts/make_model_fixtures.py
	/usr/bin/python3 scripts/make_preprocess_fixtures.py
	/usr/bin/python3 scripts/make_jpeg_fixtures.py
	/usr/bin/python3 scripts/make_decode_fixtures.py
	$(GO) test ./cmd/vit -run Golden -update

# Classify 1 000 generated images and report the peak RSS (flat memory check).
flatmem:
	$(GO) test ./cmd/vit -run TestThousandImages -v

# Top-1 accuracy of the built-in model on the 10 000 Fashion-MNIST test images,
# end to end through `vit classify` (needs dataset-fashion-mnist and python3-torch).
accuracy:
	scripts/eval_builtin.sh

# The built-in model on the 10 000 Fashion-MNIST test images in fp32, bf16
# and int8: top-1 agreement with fp32 and accuracy (Go only; installs
# Debian's dataset-fashion-mnist when missing).
precision-accuracy:
	@dpkg -s dataset-fashion-mnist >/dev/null 2>&1 || apt-get install -y -qq dataset-fashion-mnist
	$(GO) test -tags accuracy -run TestPrecisionAccuracy -v ./models

clean:
	rm -f $(BIN)
