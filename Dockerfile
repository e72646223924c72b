# syntax=docker/dockerfile:1
#
# paved with Atmos and Terraform (or OpenTofu), for CI jobs and for `paved serve`.
#
#   docker build \
#     --build-arg ATMOS_SHA256=<sha256 of atmos_${ATMOS_VERSION}_linux_amd64> \
#     --build-arg TERRAFORM_SHA256=<sha256 of terraform_${TERRAFORM_VERSION}_linux_amd64.zip> \
#     -t paved .
#
#   docker build --build-arg IAC=opentofu --build-arg OPENTOFU_SHA256=<...> --build-arg ATMOS_SHA256=<...> -t paved .
#
# Every downloaded tool is pinned by a version and a SHA-256 build argument; a missing or wrong
# checksum fails the build. docs/ci.md says where the checksums come from.

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=bookworm

# --- paved ---------------------------------------------------------------------------------
FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake pkg-config perl git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin paved \
 && install -m 0755 target/release/paved /usr/local/bin/paved
# Man pages and completions, generated from the binary's own CLI definition.
RUN mkdir -p /out/man1 /out/completions \
 && paved man --out-dir /out/man1 \
 && paved completions bash > /out/completions/paved.bash \
 && paved completions zsh > /out/completions/_paved \
 && paved completions fish > /out/completions/paved.fish

# --- atmos and terraform / OpenTofu, verified ---------------------------------------------
FROM debian:${DEBIAN_RELEASE}-slim AS tools
ARG TARGETARCH=amd64
ARG ATMOS_VERSION=1.160.0
ARG ATMOS_SHA256=""
# terraform or opentofu
ARG IAC=terraform
ARG TERRAFORM_VERSION=1.10.5
ARG TERRAFORM_SHA256=""
ARG OPENTOFU_VERSION=1.9.0
ARG OPENTOFU_SHA256=""
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl unzip \
 && rm -rf /var/lib/apt/lists/*
COPY ci/docker/fetch-tool.sh /usr/local/bin/fetch-tool
RUN mkdir -p /opt/tools/bin \
 && fetch-tool ATMOS_SHA256 \
      "https://github.com/cloudposse/atmos/releases/download/v${ATMOS_VERSION}/atmos_${ATMOS_VERSION}_linux_${TARGETARCH}" \
      "${ATMOS_SHA256}" /opt/tools/bin/atmos
RUN case "${IAC}" in \
      terraform) fetch-tool TERRAFORM_SHA256 \
        "https://releases.hashicorp.com/terraform/${TERRAFORM_VERSION}/terraform_${TERRAFORM_VERSION}_linux_${TARGETARCH}.zip" \
        "${TERRAFORM_SHA256}" /opt/tools/bin/terraform terraform ;; \
      opentofu) fetch-tool OPENTOFU_SHA256 \
        "https://github.com/opentofu/opentofu/releases/download/v${OPENTOFU_VERSION}/tofu_${OPENTOFU_VERSION}_linux_${TARGETARCH}.tar.gz" \
        "${OPENTOFU_SHA256}" /opt/tools/bin/tofu tofu ;; \
      *) echo "IAC must be terraform or opentofu, not '${IAC}'" >&2; exit 1 ;; \
    esac

# --- the image -------------------------------------------------------------------------------
FROM debian:${DEBIAN_RELEASE}-slim
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=https://github.com/paved-dev/paved
LABEL org.opencontainers.image.title="paved" \
      org.opencontainers.image.description="A GitOps reconciler for Backstage catalogs and Atmos stacks" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.documentation="${SOURCE}/blob/main/docs/ci.md"
# git for module sources and paved's repositories, curl for the health check, tini to reap
# the processes atmos and terraform leave behind.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates git curl tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 paved \
 && useradd --uid 10001 --gid 10001 --home-dir /home/paved --create-home --shell /usr/sbin/nologin paved \
 && mkdir -p /workspace /var/lib/paved \
 && chown paved:paved /workspace /var/lib/paved
COPY --from=build /usr/local/bin/paved /usr/local/bin/paved
COPY --from=build /out/man1/ /usr/local/share/man/man1/
COPY --from=build /out/completions/paved.bash /usr/share/bash-completion/completions/paved
COPY --from=build /out/completions/_paved /usr/local/share/zsh/site-functions/_paved
COPY --from=build /out/completions/paved.fish /usr/share/fish/vendor_completions.d/paved.fish
COPY --from=tools /opt/tools/bin/ /usr/local/bin/
COPY ci/docker/entrypoint.sh /usr/local/bin/docker-entrypoint

USER 10001:10001
WORKDIR /workspace
ENV PAVED_HEALTH_URL=http://127.0.0.1:8080/healthz
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/docker-entrypoint", "healthcheck"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/docker-entrypoint"]
CMD ["serve"]
