# Sourced by the scripts in bin/: picks the Temurin JDK 25 under /usr/lib/jvm, whatever the default java is.
petrel_pick_jdk() {
  local candidate
  for candidate in "${PETREL_JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk* /usr/lib/jvm/*-25-* /usr/lib/jvm/*25*; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ]; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      # Maven's own libraries trip JDK 25's Unsafe warnings; they are Maven's, not ours. Maven 3.8's jansi
      # writes a colour reset (ESC[0m) to stdout and stderr on start and exit even with -B, -q and
      # -Dstyle.color=never; jansi.noreset is the only switch that silences it.
      export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow -Djansi.noreset=true"
      return 0
    fi
  done
  echo "petrel: no JDK 25 found under /usr/lib/jvm" >&2
  return 1
}
