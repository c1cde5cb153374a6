#!/usr/bin/env bash
# A `git` first on PATH for the crash tests: passes every call to the real git, except that
# the N-th call of a subcommand (HONE_FAULT_GIT="SUBCOMMAND:N[:after]", `*` for any call)
# kills the hone process that made it with SIGKILL: before git runs, or just after it ran.
set -u
real="$HONE_FAULT_REAL_GIT"
spec="${HONE_FAULT_GIT:-}"
sub=""
args=("$@")
i=0
while [ $i -lt ${#args[@]} ]; do
  a="${args[$i]}"
  case "$a" in
    -c|-C) i=$((i + 2)); continue ;;
    -*) i=$((i + 1)); continue ;;
    *) sub="$a"; break ;;
  esac
done
want="${spec%%:*}"; rest="${spec#*:}"; nth="${rest%%:*}"; mode="${rest#*:}"
[ "$mode" = "$rest" ] && mode="before"
if [ -n "$spec" ] && { [ "$want" = "*" ] || [ "$want" = "$sub" ]; }; then
  count="$HONE_FAULT_GIT_DIR/count"
  exec 9>>"$HONE_FAULT_GIT_DIR/lock"
  flock 9
  n=$(( $(cat "$count" 2>/dev/null || echo 0) + 1 ))
  echo "$n" > "$count"
  flock -u 9
  if [ "$n" = "$nth" ]; then
    echo "$sub" > "$HONE_FAULT_GIT_DIR/hit"
    if [ "$mode" = "after" ]; then
      "$real" "$@"; rc=$?
      kill -9 "$PPID"
      exit $rc
    fi
    kill -9 "$PPID"
    exit 137
  fi
fi
exec "$real" "$@"
