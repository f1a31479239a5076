# driftctl's container image: a static binary on distroless, as a non-root
# user. Build it (the image the Kubernetes manifests in deploy/ run):
#
#   docker build --build-arg VERSION="$(git describe --tags --always --dirty)" \
#     --build-arg COMMIT="$(git rev-parse HEAD)" -t ghcr.io/gitdrift/driftctl:0.1.0 .
#
# `just docker` does the same. The build stage's go build command is run by
# a test (TestDockerfileBuildsAStaticBinary), which checks that the binary
# is static and runs.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=""
ARG DATE=""
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "-s -w -X github.com/gitdrift/driftctl/internal/buildinfo.version=${VERSION} -X main.commit=${COMMIT} -X main.date=${DATE}" -o /out/driftctl ./cmd/driftctl

# distroless/static: CA certificates, tzdata and /etc/passwd with the
# nonroot user (65532), and nothing else: no shell, no package manager.
FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/driftctl /usr/local/bin/driftctl
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/driftctl"]
