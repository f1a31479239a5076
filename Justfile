# driftctl's everyday commands. `just --list` shows them.

# Build the binary into ./driftctl.
build:
    go build -o driftctl ./cmd/driftctl

# Run every test (needs moto_server; see README). The same command as
# .ci/run's; -timeout is per package and holds on a 2-core machine.
test:
    go test -timeout 20m ./...

# Create the demo estate in moto, change it by hand, scan it.
demo:
    go run ./cmd/driftctl demo

# Every fuzz target, 5 minutes each (CI runs them 20 s each).
fuzz time="5m":
    .ci/fuzz {{time}}

# Every test with the race detector.
race:
    go test -race -timeout 40m ./...

# Release archives (tar.gz) and SHA256SUMS in dist/ for linux and darwin,
# amd64 and arm64, versioned by git describe; RELEASE_PLATFORMS=linux/amd64
# for some platforms only (see .ci/release).
release:
    .ci/release

# Build the container image the Kubernetes manifests in deploy/ run (needs
# a Docker engine; see Dockerfile).
docker tag="0.1.0":
    docker build --build-arg VERSION="$(git describe --tags --always --dirty)" --build-arg COMMIT="$(git rev-parse HEAD)" --build-arg DATE="$(git log -1 --format=%cI)" -t ghcr.io/gitdrift/driftctl:{{tag}} .

# Formatting and static checks.
lint:
    test -z "$(gofmt -l .)"
    go vet ./...

# Benchmark scans against moto with a real region's latency, with driftctl's
# default API rate limits (safe for AWS) beside the floor (see cmd/driftbench),
# then the engine alone on 100,000 resources for its memory: with Go's
# defaults, and with a soft memory limit as the Kubernetes manifests set one.
bench:
    go run ./cmd/driftbench --resources 1000,5000 --latency 50ms
    go run ./cmd/driftbench --engine-only --resources 100000
    GOMEMLIMIT=220MiB go run ./cmd/driftbench --engine-only --resources 100000

# driftctl's plugin path (every type through terraform-provider-aws, at
# terraform's parallelism and at driftctl scan's) beside its native readers,
# `terraform plan -refresh-only` and a whole `terraform plan`, on the same
# estates, through the same proxy and provider binary: DIR is a filesystem
# mirror (`terraform providers mirror DIR`) holding one hashicorp/aws;
# terraform on PATH (see cmd/driftbench).
bench-plugin dir:
    go run ./cmd/driftbench --resources 200,1000 --latency 50ms --modes native,plugin,terraform,terraform-plan --plugin-parallelism 10,32 --plugin-dir {{dir}}

# Regenerate the Go code of the trimmed Terraform plugin protocol
# (providers/plugin/internal/tfplugin5, tfplugin6). Needs protoc
# (apt-get install protobuf-compiler) and, on PATH, protoc-gen-go v1.36.12
# and protoc-gen-go-grpc v1.6.2 (go install ...@version).
proto:
    cd providers/plugin/internal && for v in 5 6; do \
        protoc --proto_path=tfplugin$v \
            --go_out=tfplugin$v --go_opt=paths=source_relative \
            --go-grpc_out=tfplugin$v --go-grpc_opt=paths=source_relative \
            tfplugin$v/tfplugin$v.proto; \
    done
