# Shared by bin/*: find a JDK >= 21, make sure Maven is there, build the runnable jar when stale.
# shellcheck shell=bash

BEAMLINE_HOME=${BEAMLINE_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BEAMLINE_JAR="$BEAMLINE_HOME/target/beamline-worker.jar"

die() { echo "beamline-worker: $*" >&2; exit 2; }

# Major version of the JDK at $1, or nothing.
jdk_major() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}

# Prints a JDK home with Java >= 21: $JAVA_HOME when suitable, else the newest under /usr/lib/jvm.
find_jdk() {
  local major candidate best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(jdk_major "$JAVA_HOME" || true)
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then echo "$JAVA_HOME"; return 0; fi
  fi
  for candidate in /usr/lib/jvm/*; do
    [ -d "$candidate" ] && [ ! -L "$candidate" ] || continue
    major=$(jdk_major "$candidate" || true)
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best=$candidate; best_major=$major
    fi
  done
  if [ -z "$best" ]; then
    echo "beamline-worker: no JDK 21 or newer found (JAVA_HOME=${JAVA_HOME:-unset}, searched /usr/lib/jvm)." >&2
    echo "Install one, e.g. 'apt-get install -y openjdk-21-jdk-headless' or a Temurin 21+ JDK, or set JAVA_HOME." >&2
    return 1
  fi
  echo "$best"
}

# Maven's own libraries call sun.misc.Unsafe; newer JDKs warn about it on every build.
maven_quiet_opts() {
  local major
  major=$(jdk_major "$JAVA_HOME" || echo 0)
  if [ "$major" -ge 24 ]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}

ensure_maven() {
  maven_quiet_opts
  command -v mvn >/dev/null 2>&1 && return 0
  echo "beamline-worker: installing Maven (apt-get install -y maven)" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven; } >&2 \
    || die "Maven is missing and could not be installed"
}

# True when the jar is missing or older than any source or build file.
jar_is_stale() {
  [ -f "$BEAMLINE_JAR" ] || return 0
  [ -n "$(find "$BEAMLINE_HOME/src/main" "$BEAMLINE_HOME/pom.xml" -newer "$BEAMLINE_JAR" -print -quit 2>/dev/null)" ]
}

# Builds target/beamline-worker.jar (+ target/lib) when stale. Serialised with a lock so that
# several workers started at once build only once.
ensure_built() {
  jar_is_stale || return 0
  ensure_maven
  mkdir -p "$BEAMLINE_HOME/target"
  (
    flock 9
    if jar_is_stale; then
      echo "beamline-worker: building (mvn package)…" >&2
      (cd "$BEAMLINE_HOME" && mvn -B -q -DskipTests package) >&2 \
        || die "build failed"
    fi
  ) 9>"$BEAMLINE_HOME/target/.build.lock"
}

# Prints the jar a worker should run: a copy of the built jar named after its checksum and size
# (target/beamline-worker.<crc>-<size>.jar, beside target/lib for its class path), made once per
# build. Maven writes target/beamline-worker.jar in place, so a worker running that file would
# find its classes gone after the next build (the launcher builds when the sources changed, e.g.
# for a second worker from the same checkout); a copy is never written over, only unlinked when
# a newer one replaces it, and a running worker keeps reading the unlinked file.
# Under the build lock, shared: never a copy of a jar that a build is writing.
runnable_jar() {
  (
    flock -s 9
    local key snapshot
    key=$(cksum <"$BEAMLINE_JAR" | tr ' ' '-') || die "no $BEAMLINE_JAR"
    snapshot="$BEAMLINE_HOME/target/beamline-worker.$key.jar"
    if [ ! -f "$snapshot" ]; then
      cp "$BEAMLINE_JAR" "$snapshot.$$" && mv -f "$snapshot.$$" "$snapshot" || die "cannot copy $BEAMLINE_JAR"
      find "$BEAMLINE_HOME/target" -maxdepth 1 -name 'beamline-worker.*-*.jar' ! -path "$snapshot" -delete 2>/dev/null || true
    fi
    echo "$snapshot"
  ) 9>"$BEAMLINE_HOME/target/.build.lock"
}
