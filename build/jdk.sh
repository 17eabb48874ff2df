# Sourced by ./spectral4j and bench/run: find_jdk prints the home of a JDK >= 25 — JAVA_HOME if it is
# one, else the newest under /usr/lib/jvm — or nothing.

java_major() { # prints the feature version of the JDK at $1, or nothing
  local v
  v="$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
  printf '%s' "${v%%.*}"
}

find_jdk() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    local m; m="$(java_major "$JAVA_HOME")"
    if [[ -n "$m" && "$m" -ge 25 ]]; then printf '%s' "$JAVA_HOME"; return; fi
  fi
  local best="" best_major=0 dir m
  for dir in /usr/lib/jvm/*/; do
    dir="${dir%/}"
    [[ -x "$dir/bin/java" ]] || continue
    m="$(java_major "$dir")"
    if [[ -n "$m" && "$m" -ge 25 && "$m" -gt "$best_major" ]]; then best="$dir"; best_major="$m"; fi
  done
  printf '%s' "$best"
}
