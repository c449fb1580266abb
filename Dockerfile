# syntax=docker/dockerfile:1
# forward-auth container image.
#
#   docker build -t forward-auth:dev .
#   docker run --rm forward-auth:dev --help
#
# Two stages: the Swift toolchain builds a release binary with the Swift runtime linked in statically; the
# runtime stage is a slim Debian with the few shared libraries that binary still needs (glibc, libstdc++,
# libgcc_s, zlib) and the CA bundle. Build and runtime share one Debian release, so the glibc the binary was
# linked against is the one it runs on.

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
WORKDIR /src
# Only what the package needs (see .dockerignore): the manifest, the sources and the test targets it names.
COPY . .
# The cache mount keeps the dependency checkouts and the build between builds on one builder.
# scripts/swift-release: the release flags every build of the project uses (a section per function, for the
# release link's layout; docs/benchmarks.md, "Memory").
RUN --mount=type=cache,target=/src/.build,id=forward-auth-swift-build \
    scripts/swift-release --product forward-auth \
 && install -D -m 0755 "$(scripts/swift-release --show-bin-path)/forward-auth" /out/forward-auth \
 && strip /out/forward-auth \
 && /out/forward-auth --help > /dev/null

FROM ${RUNTIME_IMAGE}
ARG VERSION=dev
LABEL org.opencontainers.image.title="forward-auth" \
      org.opencontainers.image.description="OpenID Connect forward authentication for Traefik and nginx" \
      org.opencontainers.image.version="${VERSION}"
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libstdc++6 libgcc-s1 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 forward-auth \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin forward-auth
COPY --from=build /out/forward-auth /usr/local/bin/forward-auth
USER 65532:65532
EXPOSE 4181
ENTRYPOINT ["/usr/local/bin/forward-auth"]
