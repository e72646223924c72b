#!/usr/bin/env bash
# paved's GitHub Action (action.yml): runs one paved command, then turns its results into step
# outputs ($GITHUB_OUTPUT), a job summary ($GITHUB_STEP_SUMMARY), annotations (workflow
# commands on stdout) and a SARIF file.
#
# Inputs arrive as INPUT_* variables set by action.yml. PAVED_BIN names the paved binary
# (default: paved on PATH). Exit status: paved's own (0 clean, 1 problems found, 2 failure).
set -euo pipefail

paved=${PAVED_BIN:-paved}
command=${INPUT_COMMAND:-validate}
base_ref=${INPUT_BASE_REF:-}
head_ref=${INPUT_HEAD_REF:-}
config=${INPUT_CONFIG:-}
format=${INPUT_FORMAT:-}
stack=${INPUT_STACK:-}
component=${INPUT_COMPONENT:-}
extra_args=${INPUT_ARGS:-}
outputs=${GITHUB_OUTPUT:-/dev/null}
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/paved.XXXXXX")

# The token reaches paved (forge calls) through the environment only, never the command line.
if [ -n "${INPUT_GITHUB_TOKEN:-}" ]; then
  export GITHUB_TOKEN="$INPUT_GITHUB_TOKEN"
fi

# Writes one step output. A random delimiter that the value does not contain keeps a
# multi-line value (or one holding "name=value" text) from setting other outputs.
set_output() {
  local name=$1 value=$2 delimiter
  delimiter="paved_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  while [[ $value == *"$delimiter"* ]]; do
    delimiter="${delimiter}x"
  done
  printf '%s<<%s\n%s\n%s\n' "$name" "$delimiter" "$value" "$delimiter" >>"$outputs"
}

# An annotation for a failure of the action itself; %, CR and LF escaped as GitHub requires.
fail() {
  local message=$1
  message=${message//%/%25}
  message=${message//$'\r'/%0D}
  message=${message//$'\n'/%0A}
  printf '::error title=paved::%s\n' "$message"
}

case "$format" in
  "" | human | json | sarif | github | gitlab | junit) ;;
  *)
    fail "unknown format '$format': use human, json, sarif, github, gitlab or junit"
    set_output exit-code 2
    exit 2
    ;;
esac

# The run_* functions are called in `||` lists, where bash ignores set -e: they check each
# step that matters themselves.

# The optional arguments every command shares. Arrays are expanded as ${a[@]+"${a[@]}"} so
# an empty one is no error under set -u in bash 3.2 (macOS runners).
common_args=()
if [ -n "$config" ]; then
  common_args+=(--config "$config")
fi

# INPUT_ARGS: extra arguments, one per line (so values may hold spaces, and nothing is
# word-split or globbed).
user_args=()
if [ -n "$extra_args" ]; then
  while IFS= read -r line; do
    [ -n "$line" ] && user_args+=("$line")
  done <<<"$extra_args"
fi

# Picks the base revision when base-ref is empty, from the CI environment: a pull request's
# fork point (merge base with its target), or the commit before a push.
resolve_base() {
  if [ -n "$base_ref" ]; then
    return
  fi
  local PAVED_CI_BASE='' PAVED_CI_BASE_KIND=''
  eval "$("$paved" ci env --format shell)"
  case "$PAVED_CI_BASE_KIND" in
    merge-base)
      # actions/checkout fetches one commit by default: fetch the target branch if absent.
      if ! git rev-parse --verify --quiet "$PAVED_CI_BASE^{commit}" >/dev/null; then
        git fetch --no-tags --quiet origin "+refs/heads/${PAVED_CI_BASE#origin/}:refs/remotes/$PAVED_CI_BASE" ||
          fail "cannot fetch $PAVED_CI_BASE; use actions/checkout with fetch-depth: 0"
      fi
      base_ref=$(git merge-base HEAD "$PAVED_CI_BASE" 2>/dev/null) || {
        fail "no merge base of HEAD and $PAVED_CI_BASE: the clone is too shallow; use actions/checkout with fetch-depth: 0"
        exit 2
      }
      ;;
    commit)
      base_ref=$PAVED_CI_BASE
      if ! git cat-file -e "$base_ref^{commit}" 2>/dev/null; then
        git fetch --no-tags --quiet --depth=1 origin "$base_ref" ||
          fail "cannot fetch the base commit $base_ref; use actions/checkout with fetch-depth: 0"
      fi
      ;;
  esac
}

run_validate() {
  local report="$work/report.json" sarif="$work/paved.sarif" status=0
  "$paved" validate ${common_args[@]+"${common_args[@]}"} ${user_args[@]+"${user_args[@]}"} --format json >"$report" || status=$?
  if [ "$status" -ge 2 ]; then
    fail "paved validate failed (exit $status); see the log"
    set_output error-count ""
    return "$status"
  fi
  # Annotations on the pull request's diff.
  if ! "$paved" ci render "$report" --format github; then
    fail "cannot read the report of paved validate; see the log"
    return 2
  fi
  "$paved" ci render "$report" --format sarif >"$sarif"
  "$paved" ci summary --report "$report" >>"$summary"
  case "$format" in
    "" | github) ;;
    *) "$paved" ci render "$report" --format "$format" ;;
  esac
  set_output error-count "$("$paved" ci count --report "$report" --severity error)"
  set_output sarif-file "$sarif"
  return "$status"
}

run_affected() {
  local affected="$work/affected.json" status=0 args=()
  resolve_base
  if [ -n "$base_ref" ]; then
    args+=(--base "$base_ref")
  fi
  if [ -n "$head_ref" ]; then
    args+=(--head "$head_ref")
  fi
  "$paved" affected ${args[@]+"${args[@]}"} ${user_args[@]+"${user_args[@]}"} --format json >"$affected" || status=$?
  if [ "$status" -ne 0 ]; then
    fail "paved affected failed (exit $status); see the log"
    return "$status"
  fi
  local count
  if ! count=$("$paved" ci count --affected "$affected"); then
    fail "cannot read the output of paved affected; see the log"
    return 2
  fi
  set_output affected "$(cat "$affected")"
  set_output matrix "$("$paved" ci matrix "$affected")"
  if [ "$count" -gt 0 ]; then
    set_output has-affected true
  else
    set_output has-affected false
  fi
  "$paved" ci summary --affected "$affected" >>"$summary"
  echo "paved: $count affected component(s) to plan${base_ref:+ since $base_ref}"
}

# plan, apply, drift: paved does the work and reports through the forge itself.
run_other() {
  local args=() status=0
  if [ -n "$stack" ]; then
    args+=(--stack "$stack")
  fi
  if [ -n "$component" ]; then
    args+=(--component "$component")
  fi
  if [ "$command" = drift ]; then
    args+=(--summary "$summary")
  fi
  "$paved" "$command" ${common_args[@]+"${common_args[@]}"} ${args[@]+"${args[@]}"} ${user_args[@]+"${user_args[@]}"} || status=$?
  if [ "$command" = drift ]; then
    # paved drift wrote its table into the summary. It exits 0 (no drift), 2 (drift found:
    # issues opened or updated) or 1 (errors); the step fails on both of the latter.
    if [ "$status" = 2 ]; then
      set_output has-drift true
    else
      set_output has-drift false
    fi
    if [ "$status" = 1 ]; then
      fail "paved drift: errors (a plan failed, or paved could not run); see the log"
    fi
    return "$status"
  fi
  local verdict
  case "$status" in
    0) verdict="✅ succeeded" ;;
    1) verdict="❌ found problems" ;;
    *) verdict="❌ failed (exit $status)" ;;
  esac
  printf '## paved %s\n\n%s%s\n' "$command" "$verdict" "${stack:+ for \`$component\` in \`$stack\`}" >>"$summary"
  if [ "$status" -ge 2 ]; then
    fail "paved $command failed (exit $status); see the log"
  fi
  return "$status"
}

status=0
case "$command" in
  validate) run_validate || status=$? ;;
  affected) run_affected || status=$? ;;
  plan | apply | drift) run_other || status=$? ;;
  *)
    fail "unknown command '$command': use validate, affected, plan, apply or drift"
    status=2
    ;;
esac
set_output exit-code "$status"
exit "$status"
