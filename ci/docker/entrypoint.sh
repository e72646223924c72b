#!/bin/sh
# The container's entrypoint.
#
#   docker run IMAGE                        paved serve (the image's CMD)
#   docker run IMAGE validate --format json paved validate --format json
#   docker run IMAGE --version              paved --version
#   docker run IMAGE atmos version          any other program in the image
#   docker-entrypoint healthcheck           exit 0 when paved serve answers its health URL
#
# A first argument that paved knows as a subcommand runs paved; anything else runs as a
# program, so CI systems that start a shell in the image (GitLab) work without overriding the
# entrypoint. PAVED_BIN names the paved binary (tests); PAVED_HEALTH_URL the health endpoint.
set -eu

paved=${PAVED_BIN:-paved}

if [ "$#" -eq 0 ]; then
  exec "$paved" serve
fi

case "$1" in
  healthcheck)
    exec curl --fail --silent --show-error --max-time 5 --output /dev/null \
      "${PAVED_HEALTH_URL:-http://127.0.0.1:8080/healthz}"
    ;;
  paved)
    shift
    exec "$paved" "$@"
    ;;
  -*)
    exec "$paved" "$@"
    ;;
esac

# `paved help NAME` succeeds only for paved's own subcommands.
if "$paved" help "$1" >/dev/null 2>&1; then
  exec "$paved" "$@"
fi
exec "$@"
