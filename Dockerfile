# syntax=docker/dockerfile:1
# Autograd Server: build with the Swift 6.3 toolchain, run on a slim Ubuntu with nothing but the binary.
#   docker build -t autograd-server .
#   docker run --rm -p 8080:8080 autograd-server

# swift:6.3 is Ubuntu 24.04 (noble); naming the variant keeps builder and runtime on the same glibc.
FROM swift:6.3-noble AS builder
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends zlib1g-dev libssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY . .
# Exactly `make release`, which CI runs: if CI is green, this compiles.
RUN swift build -c release --static-swift-stdlib --product autograd-server \
    && install -D "$(swift build -c release --show-bin-path)/autograd-server" /staging/autograd-server

FROM ubuntu:24.04
# The Swift runtime and Foundation are linked in statically; what remains is the C/C++ runtime, zlib and OpenSSL
# (libssl3t64 is noble's name for libssl3; HTTPS with --tls-cert/--tls-key).
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends libstdc++6 zlib1g libssl3t64 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --no-create-home --uid 10001 --shell /usr/sbin/nologin autograd
COPY --from=builder /staging/autograd-server /usr/local/bin/autograd-server
# Numeric, so orchestrators that require a non-root user can verify it.
USER 10001
EXPOSE 8080
# The healthcheck reads the same AUTOGRAD_HOST/AUTOGRAD_PORT as the server, so `-e AUTOGRAD_PORT=...` needs no edit.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["autograd-server", "healthcheck"]
# SIGTERM (docker stop) drains: /readyz answers 503, in-flight requests finish, exit 0.
STOPSIGNAL SIGTERM
CMD ["autograd-server", "serve", "--host", "0.0.0.0"]
