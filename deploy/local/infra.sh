#!/usr/bin/env bash
# Local infrastructure for CVP without Docker: Apache Kafka (single-node KRaft, official jars from Maven
# Central), PostgreSQL and Redis, all on 127.0.0.1, all state under .infra/ at the repository root; beside them a
# three-node Redis Cluster (the cluster layout's tests run against it; REDIS_CLUSTER=true points services at it).
#
#   bash deploy/local/infra.sh up              start what is not running (installs what is missing), create topics
#   bash deploy/local/infra.sh down [--purge]  stop what this script started; --purge also deletes the data
#   bash deploy/local/infra.sh reset           same as down --purge
#   bash deploy/local/infra.sh status          one line per component
#   bash deploy/local/infra.sh browser         install Debian's Chromium (the console's browser tests) if missing
#
# A service that already answers on its port (say a PostgreSQL of the machine) is used as it is, never
# started or stopped by this script. Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
# PGPORT (5432), REDIS_PORT (6379), REDIS_CLUSTER_PORTS ("7000 7001 7002"), KAFKA_HEAP_OPTS (-Xms256m -Xmx512m),
# INFRA_TIMEOUT (seconds to wait for each service to answer, 120). docker-compose.yml at the repository root
# describes the same stack.
set -euo pipefail

# The one Kafka release this project runs; docker-compose.yml pins the same apache/kafka image tag.
KAFKA_VERSION=4.4.0
SCALA_BINARY=2.13
# The SLF4J -> Log4j 2 binding: kafka_2.13 brings slf4j-api 1.7.x and log4j-api/core, but no binding, and
# without one the broker logs nothing at all. Same version as the log4j-core Kafka $KAFKA_VERSION depends on.
LOG4J_VERSION=2.25.5
MAVEN_DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
INFRA="$ROOT/.infra"
LOGS="$INFRA/logs"
RUN="$INFRA/run"
CACHE="$INFRA/cache"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
PGPORT="${PGPORT:-5432}"
REDIS_PORT="${REDIS_PORT:-6379}"
read -r -a REDIS_CLUSTER_PORTS <<<"${REDIS_CLUSTER_PORTS:-7000 7001 7002}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
INFRA_TIMEOUT="${INFRA_TIMEOUT:-120}"
HOST=127.0.0.1

KAFKA_HOME="$INFRA/kafka"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_DATA="$KAFKA_HOME/data"
KAFKA_CONF="$KAFKA_HOME/config"
KAFKA_PID="$RUN/kafka.pid"
KAFKA_LOG="$LOGS/kafka.log"

PG_HOME="$INFRA/postgres"
PG_DATA="$PG_HOME/data"
PG_LOG="$LOGS/postgres.log"

REDIS_HOME="$INFRA/redis"
REDIS_PID="$RUN/redis.pid"
REDIS_LOG="$LOGS/redis.log"
REDIS_CLUSTER_HOME="$INFRA/redis-cluster"

export DEBIAN_FRONTEND=noninteractive

say() { printf '[infra] %s\n' "$*"; }
die() {
  printf '[infra] ERROR: %s\n' "$*" >&2
  exit 1
}

# die with the last lines of a log file, so a failed start explains itself.
die_log() {
  local message="$1" log="$2"
  if [[ -s "$log" ]]; then
    printf '[infra] --- last lines of %s ---\n' "$log" >&2
    tail -n 25 "$log" >&2 || true
    printf '[infra] ---\n' >&2
  fi
  die "$message (log: $log)"
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

read_pid() {
  if [[ -s "$1" ]]; then head -n 1 "$1" | tr -dc '0-9'; fi
}

# The port a server started by this script listens on, saved when it started: a KAFKA_PORT/PGPORT/REDIS_PORT
# changed since then must neither hide that server nor send 'down' to another one.
saved_port() { cat "$RUN/$1.port" 2>/dev/null || true; }
save_port() { echo "$2" >"$RUN/$1.port"; }
check_saved_port() {
  local name="$1" want="$2" have
  have="$(saved_port "$name")"
  if [[ -n "$have" && "$have" != "$want" ]]; then
    die "$name: already running on $HOST:$have (started by infra.sh); run 'down' before changing its port"
  fi
}

# The pid of whatever listens on a local TCP port, when ss can tell (root sees every process).
listener_pid() {
  command -v ss >/dev/null 2>&1 || return 0
  ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2 || true
}

# ---------------------------------------------------------------------------------------------- packages

APT_UPDATED=0
apt_install() {
  local sudo=()
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "need to install $* but not root and no sudo: install them by hand"
    sudo=(sudo --preserve-env=DEBIAN_FRONTEND)
  fi
  command -v apt-get >/dev/null 2>&1 || die "need $* but apt-get is missing: install them by hand"
  mkdir -p "$LOGS"
  say "apt: installing $* (log: $LOGS/apt.log) ..."
  # No systemd here, and a package must not start its own service (a second Redis/PostgreSQL on the default
  # port): the usual policy-rc.d that refuses service starts, only for the time of the install.
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    made_policy=1
  fi
  local rc=0
  {
    if [[ $APT_UPDATED -eq 0 ]]; then
      "${sudo[@]}" apt-get -qq update && APT_UPDATED=1
    fi &&
      "${sudo[@]}" apt-get -qq install -y --no-install-recommends "$@"
  } >>"$LOGS/apt.log" 2>&1 || rc=$?
  if [[ $made_policy -eq 1 ]]; then "${sudo[@]}" rm -f "$policy"; fi
  [[ $rc -eq 0 ]] || die_log "apt-get install $* failed" "$LOGS/apt.log"
}

java_major() {
  java -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}

ensure_java() {
  if ! command -v java >/dev/null 2>&1 || [[ "$(java_major)" -lt 17 ]]; then
    apt_install default-jre-headless
  fi
  [[ "$(java_major)" -ge 17 ]] || die "Kafka $KAFKA_VERSION needs Java 17 or newer; found $(java -version 2>&1 | head -n 1)"
}

# ------------------------------------------------------------------------------------------------- kafka

kafka_pid() {
  local pid
  pid="$(read_pid "$KAFKA_PID")"
  # Check it is still our broker, not a recycled pid.
  if pid_alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $KAFKA_CONF/server.properties"; then
    echo "$pid"
  fi
}

# The jars of kafka_2.13:$KAFKA_VERSION and its runtime dependencies, resolved by Maven into .infra/kafka/libs
# (Maven's own repository under .infra/cache/m2, kept by reset). Skipped once done for this exact pom.
kafka_fetch_jars() {
  mkdir -p "$KAFKA_HOME" "$CACHE" "$LOGS"
  local pom="$KAFKA_HOME/pom.xml"
  cat >"$pom.new" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by deploy/local/infra.sh: the jars of Kafka $KAFKA_VERSION, nothing is built from it. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.cvp.infra</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>$KAFKA_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_$SCALA_BINARY</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
  mv -f "$pom.new" "$pom"
  local stamp="$KAFKA_LIBS/.resolved" want
  want="$(sha256sum "$pom" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || apt_install maven
  say "kafka: fetching Kafka $KAFKA_VERSION jars from Maven Central (first run only; log: $LOGS/maven.log) ..."
  rm -rf "$KAFKA_LIBS"
  mvn -B -q -Dstyle.color=never -f "$pom" -Dmaven.repo.local="$CACHE/m2" \
    "$MAVEN_DEPENDENCY_PLUGIN:copy-dependencies" -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" \
    >"$LOGS/maven.log" 2>&1 || die_log "maven could not resolve the Kafka $KAFKA_VERSION jars" "$LOGS/maven.log"
  [[ -f "$KAFKA_LIBS/kafka_$SCALA_BINARY-$KAFKA_VERSION.jar" ]] || die_log "no kafka_$SCALA_BINARY-$KAFKA_VERSION.jar after maven" "$LOGS/maven.log"
  echo "$want" >"$stamp"
  say "kafka: $(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars in $KAFKA_LIBS"
}

kafka_write_config() {
  mkdir -p "$KAFKA_CONF" "$KAFKA_DATA"
  cat >"$KAFKA_CONF/server.properties" <<EOF
# Generated by deploy/local/infra.sh on every 'up'; edits are overwritten.
# Single node, KRaft: this process is both the broker and the (only) controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$KAFKA_DATA

# One broker: every internal topic with one replica.
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Topics are created by tools/infra/create-topics.ts from libs/contracts/src/topics.ts, never by a typo.
auto.create.topics.enable=false
# Consumers of tests and demos join a group at once instead of waiting 3 s for more members.
group.initial.rebalance.delay.ms=0

# A 2-core development machine.
num.network.threads=2
num.io.threads=4
EOF
  cat >"$KAFKA_CONF/log4j2.properties" <<EOF
# Generated by deploy/local/infra.sh. Kafka 4 logs through Log4j 2 (this file: -Dlog4j2.configurationFile).
status = warn
name = cvp-kafka
# No Log4j shutdown hook: the broker logs its own shutdown until the end (the file appender flushes each line).
shutdownHook = disable
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = $KAFKA_LOG
appender.file.filePattern = $LOGS/kafka.%i.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = WARN
EOF
}

# The JVM options of every Kafka process: modest heap, Kafka's usual G1 settings, Log4j 2 config to a file.
kafka_jvm_opts() {
  # shellcheck disable=SC2206  # KAFKA_HEAP_OPTS holds several options
  KAFKA_JVM_OPTS=($KAFKA_HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
    -Dkafka.logs.dir="$LOGS" -Dlog4j2.configurationFile="$KAFKA_CONF/log4j2.properties" -cp "$KAFKA_LIBS/*")
}

kafka_java() {
  kafka_jvm_opts
  java "${KAFKA_JVM_OPTS[@]}" "$@"
}

# Format the storage once: a random cluster id kept in .infra/kafka/cluster.id, data in .infra/kafka/data.
kafka_format() {
  if [[ -f "$KAFKA_DATA/meta.properties" ]]; then
    return 0
  fi
  local id_file="$KAFKA_HOME/cluster.id" cluster_id
  if [[ ! -s "$id_file" ]]; then
    kafka_java kafka.tools.StorageTool random-uuid >"$id_file.new" 2>>"$LOGS/kafka-storage.log" ||
      die_log "kafka: could not make a cluster id" "$LOGS/kafka-storage.log"
    tr -d '[:space:]' <"$id_file.new" >"$id_file" && rm -f "$id_file.new"
  fi
  cluster_id="$(cat "$id_file")"
  say "kafka: formatting storage in $KAFKA_DATA (cluster id $cluster_id) ..."
  kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_CONF/server.properties" \
    >>"$LOGS/kafka-storage.log" 2>&1 || die_log "kafka: storage format failed" "$LOGS/kafka-storage.log"
}

# Runs a tools/infra script with the repository's TypeScript loader.
node_tool() {
  [[ -d "$ROOT/node_modules/kafkajs" && -d "$ROOT/node_modules/@swc-node/register" ]] ||
    die "node_modules is missing kafkajs or @swc-node/register: run 'npm ci' first"
  (cd "$ROOT" && KAFKA_BROKERS="$HOST:$KAFKA_PORT" node -r @swc-node/register "$@")
}

# Byte offsets of the Kafka logs when this start began: a failed start shows only what it wrote itself.
KAFKA_LOG_OFFSET=0
KAFKA_STDOUT_OFFSET=0

# The JVM's own complaints (bad options, no memory) land in kafka-stdout.log, the broker's in kafka.log.
kafka_die() {
  local log offset
  for log in "$LOGS/kafka-stdout.log" "$KAFKA_LOG"; do
    offset=$KAFKA_LOG_OFFSET
    [[ "$log" == "$KAFKA_LOG" ]] || offset=$KAFKA_STDOUT_OFFSET
    if [[ -f "$log" ]] && (($(stat -c %s "$log") > offset)); then
      printf '[infra] --- last lines of %s ---\n' "$log" >&2
      tail -c "+$((offset + 1))" "$log" | tail -n 20 >&2 || true
    fi
  done
  die "$1 (logs: $KAFKA_LOG, $LOGS/kafka-stdout.log)"
}

kafka_up() {
  local pid
  pid="$(kafka_pid)"
  if [[ -n "$pid" ]]; then
    check_saved_port kafka "$KAFKA_PORT"
    say "kafka: already running (pid $pid, $HOST:$KAFKA_PORT)"
  elif port_open "$KAFKA_PORT"; then
    say "kafka: something already listens on $HOST:$KAFKA_PORT; using it (not managed by this script)"
  else
    ensure_java
    kafka_fetch_jars
    kafka_write_config
    kafka_format
    port_open "$KAFKA_CONTROLLER_PORT" && die "kafka: controller port $HOST:$KAFKA_CONTROLLER_PORT is taken (set KAFKA_CONTROLLER_PORT)"
    say "kafka: starting Kafka $KAFKA_VERSION on $HOST:$KAFKA_PORT (log: $KAFKA_LOG) ..."
    # setsid: the broker outlives this shell and the terminal or npm process that ran it. This shell has no job
    # control, so the background child is no process group leader and setsid execs java in place: $! is java.
    kafka_jvm_opts
    touch "$KAFKA_LOG" "$LOGS/kafka-stdout.log"
    KAFKA_LOG_OFFSET="$(stat -c %s "$KAFKA_LOG")"
    KAFKA_STDOUT_OFFSET="$(stat -c %s "$LOGS/kafka-stdout.log")"
    setsid java "${KAFKA_JVM_OPTS[@]}" kafka.Kafka "$KAFKA_CONF/server.properties" \
      </dev/null >>"$LOGS/kafka-stdout.log" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$KAFKA_PID"
    save_port kafka "$KAFKA_PORT"
    local deadline=$((SECONDS + INFRA_TIMEOUT))
    until port_open "$KAFKA_PORT"; do
      pid_alive "$pid" || kafka_die "kafka: the broker exited during start-up"
      ((SECONDS < deadline)) || kafka_die "kafka: no listener on $HOST:$KAFKA_PORT after ${INFRA_TIMEOUT}s"
      sleep 0.5
    done
  fi
  # Ready means a real Metadata request answered with a controller, not just an open port.
  KAFKA_READY_TIMEOUT_MS=$((INFRA_TIMEOUT * 1000)) node_tool tools/infra/kafka-ready.ts ||
    kafka_die "kafka: broker on $HOST:$KAFKA_PORT does not answer metadata requests"
  KAFKA_READY_TIMEOUT_MS=$((INFRA_TIMEOUT * 1000)) node_tool tools/infra/create-topics.ts ||
    die_log "kafka: topic creation failed" "$KAFKA_LOG"
}

# stop_pid NAME PID SECONDS: SIGTERM, wait, SIGKILL as a last resort.
stop_pid() {
  local name="$1" pid="$2" wait_s="$3" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < wait_s * 4; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.25
  done
  say "$name: still running after ${wait_s}s, sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

kafka_down() {
  local pid
  pid="$(kafka_pid)"
  if [[ -n "$pid" ]]; then
    say "kafka: stopping (pid $pid) ..."
    stop_pid kafka "$pid" 60
    say "kafka: stopped"
  elif port_open "$KAFKA_PORT"; then
    say "kafka: $HOST:$KAFKA_PORT was not started by this script; left running"
  else
    say "kafka: not running"
  fi
  rm -f "$KAFKA_PID" "$RUN/kafka.port"
}

# ---------------------------------------------------------------------------------------------- postgres

PG_BIN=""
find_pg_bin() {
  local dir
  if [[ -n "${PG_BINDIR:-}" ]]; then
    PG_BIN="$PG_BINDIR"
    return 0
  fi
  dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$dir" && -x "$dir/initdb" ]]; then
    PG_BIN="$dir"
  elif command -v initdb >/dev/null 2>&1; then
    PG_BIN="$(dirname "$(command -v initdb)")"
  else
    PG_BIN=""
  fi
}

# pg_isready/psql, from the server's bin dir or the client's wrapper.
pg_tool() {
  local tool="$1"
  shift
  if [[ -n "$PG_BIN" && -x "$PG_BIN/$tool" ]]; then
    "$PG_BIN/$tool" "$@"
  else
    "$tool" "$@"
  fi
}

# PostgreSQL refuses to run as root: as root, the server runs as the 'postgres' system user.
as_pg() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_socket_dir() {
  # A Unix socket path is limited to 107 bytes; a deep checkout falls back to /tmp.
  local dir="$PG_HOME/run"
  if ((${#dir} > 80)); then
    dir="/tmp/cvp-infra-pg-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
  fi
  echo "$dir"
}

pg_pid() {
  local pid
  pid="$(read_pid "$PG_DATA/postmaster.pid")"
  if pid_alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$PG_DATA"; then
    echo "$pid"
  fi
}

pg_ready() { pg_tool pg_isready -q -h "$HOST" -p "$PGPORT" -t 2 >/dev/null 2>&1; }

pg_query_as_cvp() {
  PGPASSWORD=cvp PGCONNECT_TIMEOUT=3 pg_tool psql -X -q -h "$HOST" -p "$PGPORT" -U cvp -d cvp -tAc "$1" 2>/dev/null
}

# As root the server runs as 'postgres', which must reach its data and its log. A checkout it cannot reach
# (one under /root, mode 700) keeps them in /var/tmp/cvp-infra-<hash of the checkout path>/postgres instead,
# linked from .infra/postgres and .infra/logs/postgres.log.
pg_resolve_paths() {
  [[ $EUID -eq 0 ]] && id postgres >/dev/null 2>&1 || return 0
  mkdir -p "$INFRA"
  if runuser -u postgres -- test -x "$INFRA"; then
    return 0
  fi
  PG_HOME="/var/tmp/cvp-infra-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)/postgres"
  PG_DATA="$PG_HOME/data"
  PG_LOG="$PG_HOME/postgres.log"
}

pg_ensure_user() {
  if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    say "postgres: creating the 'postgres' system user"
    useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
}

# Role cvp (password cvp, LOGIN CREATEDB) and database cvp owned by it, through the superuser's socket.
pg_ensure_role_and_db() {
  local socket="$1" psql_super
  psql_super=(as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$socket" -p "$PGPORT" -U "$PG_SUPERUSER" -d postgres)
  "${psql_super[@]}" >>"$PG_LOG" 2>&1 <<'SQL' || die_log "postgres: could not create role cvp" "$PG_LOG"
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cvp') THEN
    CREATE ROLE cvp LOGIN CREATEDB PASSWORD 'cvp';
  ELSE
    ALTER ROLE cvp LOGIN CREATEDB PASSWORD 'cvp';
  END IF;
END
$$;
SQL
  if [[ "$("${psql_super[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'cvp'" 2>>"$PG_LOG")" != 1 ]]; then
    "${psql_super[@]}" -c 'CREATE DATABASE cvp OWNER cvp' >>"$PG_LOG" 2>&1 ||
      die_log "postgres: could not create database cvp" "$PG_LOG"
    say "postgres: created role and database cvp"
  fi
}

PG_SUPERUSER=postgres
postgres_up() {
  find_pg_bin
  local pid socket
  pid="$(pg_pid)"
  if [[ -n "$pid" ]]; then
    check_saved_port postgres "$PGPORT"
    say "postgres: already running (pid $pid, $HOST:$PGPORT)"
  elif port_open "$PGPORT"; then
    command -v pg_isready >/dev/null 2>&1 || [[ -n "$PG_BIN" ]] || apt_install postgresql-client
    say "postgres: something already listens on $HOST:$PGPORT; using it (not managed by this script)"
    postgres_wait_ready
    if [[ "$(pg_query_as_cvp 'SELECT 1')" != 1 ]]; then
      # Best effort on a PostgreSQL of the machine: the Debian cluster's superuser over its socket.
      if [[ -n "$PG_BIN" && -d /var/run/postgresql ]] && id postgres >/dev/null 2>&1; then
        pg_ensure_role_and_db /var/run/postgresql
      fi
    fi
    [[ "$(pg_query_as_cvp 'SELECT 1')" == 1 ]] ||
      die "postgres: the PostgreSQL on $HOST:$PGPORT does not accept cvp/cvp on database cvp; create them, or stop it and run 'up' again"
    say "postgres: ready at $HOST:$PGPORT (database cvp)"
    return 0
  else
    if [[ -z "$PG_BIN" ]]; then
      apt_install postgresql
      find_pg_bin
      [[ -n "$PG_BIN" ]] || die "postgres: no initdb after installing postgresql"
    fi
    pg_ensure_user
    pg_resolve_paths
    mkdir -p "$PG_HOME" "$LOGS"
    if [[ "$PG_HOME" != "$INFRA/postgres" ]]; then
      say "postgres: the 'postgres' user cannot reach $INFRA; data in $PG_HOME"
      chmod 755 "$(dirname "$PG_HOME")"
      ln -sfn "$PG_HOME" "$INFRA/postgres"
      ln -sfn "$PG_LOG" "$LOGS/postgres.log"
    fi
    socket="$(pg_socket_dir)"
    mkdir -p "$socket"
    touch "$PG_LOG"
    if [[ $EUID -eq 0 ]]; then
      chown postgres: "$PG_HOME" "$PG_LOG" "$socket"
      runuser -u postgres -- test -x "$PG_HOME" ||
        die "postgres: the 'postgres' user cannot reach $PG_HOME; every parent directory needs o+x"
    fi
    if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
      say "postgres: initdb in $PG_DATA ..."
      mkdir -p "$PG_DATA"
      if [[ $EUID -eq 0 ]]; then chown postgres: "$PG_DATA"; fi
      chmod 700 "$PG_DATA"
      as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=peer --auth-host=scram-sha-256 >>"$PG_LOG" 2>&1 || die_log "postgres: initdb failed" "$PG_LOG"
    fi
    local data_version bin_version
    data_version="$(cat "$PG_DATA/PG_VERSION")"
    bin_version="$("$PG_BIN/postgres" --version | awk '{ print $3 }' | cut -d. -f1)"
    [[ "$data_version" == "$bin_version" ]] ||
      die "postgres: $PG_DATA is a PostgreSQL $data_version cluster but the binaries are $bin_version ($PG_BIN); run 'reset' to start over"
    if [[ $EUID -ne 0 ]]; then PG_SUPERUSER="$(id -un)"; fi
    say "postgres: starting on $HOST:$PGPORT (log: $PG_LOG) ..."
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$INFRA_TIMEOUT" \
      -o "-c listen_addresses=$HOST -p $PGPORT -k $socket" start >/dev/null 2>&1 9>&- ||
      die_log "postgres: pg_ctl start failed" "$PG_LOG"
    save_port postgres "$PGPORT"
    postgres_wait_ready
    pg_ensure_role_and_db "$socket"
  fi
  [[ "$(pg_query_as_cvp 'SELECT 1')" == 1 ]] || die_log "postgres: cvp cannot query database cvp" "$PG_LOG"
  say "postgres: ready at $HOST:$PGPORT (DATABASE_URL=postgresql://cvp:cvp@$HOST:$PGPORT/cvp)"
}

postgres_wait_ready() {
  local deadline=$((SECONDS + INFRA_TIMEOUT))
  until pg_ready; do
    ((SECONDS < deadline)) || die_log "postgres: not ready on $HOST:$PGPORT after ${INFRA_TIMEOUT}s" "$PG_LOG"
    sleep 0.5
  done
}

postgres_down() {
  find_pg_bin
  pg_resolve_paths
  local pid
  pid="$(pg_pid)"
  if [[ -n "$pid" ]]; then
    say "postgres: stopping (pid $pid) ..."
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null 2>&1 || stop_pid postgres "$pid" 30
    say "postgres: stopped"
    rm -f "$RUN/postgres.port"
  elif port_open "$PGPORT"; then
    say "postgres: $HOST:$PGPORT was not started by this script; left running"
  else
    say "postgres: not running"
  fi
}

# ------------------------------------------------------------------------------------------------- redis

# PING over bash's /dev/tcp: works before redis-cli is installed.
redis_ping() {
  local reply=""
  {
    exec 3<>"/dev/tcp/$HOST/$REDIS_PORT" &&
      printf 'PING\r\n' >&3 &&
      IFS= read -r -t 2 reply <&3
    exec 3>&- 3<&-
  } 2>/dev/null || true
  [[ "${reply%$'\r'}" == "+PONG" ]]
}

# redis-cli ping = PONG (the bash PING where a Redis found running came without redis-cli).
redis_answers() {
  if command -v redis-cli >/dev/null 2>&1; then
    [[ "$(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]
  else
    redis_ping
  fi
}

redis_pid() {
  local pid
  pid="$(read_pid "$REDIS_PID")"
  if pid_alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'redis-server'; then
    echo "$pid"
  fi
}

redis_up() {
  local pid
  pid="$(redis_pid)"
  if [[ -n "$pid" ]]; then
    check_saved_port redis "$REDIS_PORT"
    say "redis: already running (pid $pid, $HOST:$REDIS_PORT)"
  elif redis_ping || port_open "$REDIS_PORT"; then
    say "redis: something already listens on $HOST:$REDIS_PORT; using it (not managed by this script)"
  else
    if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
      apt_install redis-server
    fi
    mkdir -p "$REDIS_HOME/data" "$LOGS" "$RUN"
    cat >"$REDIS_HOME/redis.conf" <<EOF
# Generated by deploy/local/infra.sh on every 'up'; edits are overwritten.
bind $HOST
port $REDIS_PORT
protected-mode yes
daemonize yes
supervised no
pidfile $REDIS_PID
logfile $REDIS_LOG
loglevel notice
dir $REDIS_HOME/data
appendonly yes
appendfsync everysec
save 3600 1 300 100 60 10000
EOF
    say "redis: starting on $HOST:$REDIS_PORT (log: $REDIS_LOG) ..."
    rm -f "$REDIS_PID"
    save_port redis "$REDIS_PORT"
    redis-server "$REDIS_HOME/redis.conf" >>"$REDIS_LOG" 2>&1 9>&- || die_log "redis: redis-server failed to start" "$REDIS_LOG"
  fi
  local deadline=$((SECONDS + INFRA_TIMEOUT))
  until redis_answers; do
    ((SECONDS < deadline)) || die_log "redis: no PONG from $HOST:$REDIS_PORT after ${INFRA_TIMEOUT}s" "$REDIS_LOG"
    sleep 0.25
  done
  say "redis: ready at $HOST:$REDIS_PORT"
}

redis_down() {
  local pid
  pid="$(redis_pid)"
  if [[ -n "$pid" ]]; then
    say "redis: stopping (pid $pid) ..."
    redis-cli -h "$HOST" -p "$(saved_port redis)" shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 120; i++)); do
      pid_alive "$pid" || break
      sleep 0.25
    done
    pid_alive "$pid" && stop_pid redis "$pid" 10
    say "redis: stopped"
  elif redis_ping || port_open "$REDIS_PORT"; then
    say "redis: $HOST:$REDIS_PORT was not started by this script; left running"
  else
    say "redis: not running"
  fi
  rm -f "$REDIS_PID" "$RUN/redis.port"
}

# ------------------------------------------------------------------------------------------ redis cluster

# Three masters with no replicas (16384 slots split in three), each its own redis-server in cluster mode, started
# and stopped with the rest. A port already taken by something else stops 'up' (a cluster cannot be half ours).

cluster_node_pid() {
  local pid
  pid="$(read_pid "$RUN/redis-cluster-$1.pid")"
  if pid_alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'redis-server'; then
    echo "$pid"
  fi
}

cluster_info() { redis-cli -h "$HOST" -p "${REDIS_CLUSTER_PORTS[0]}" cluster info 2>/dev/null || true; }

redis_cluster_up() {
  local port pid fresh=0
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    apt_install redis-server
  fi
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    pid="$(cluster_node_pid "$port")"
    [[ -z "$pid" ]] || continue
    port_open "$port" && die "redis-cluster: $HOST:$port is taken by a process this script did not start"
    mkdir -p "$REDIS_CLUSTER_HOME/$port" "$LOGS" "$RUN"
    cat >"$REDIS_CLUSTER_HOME/$port/redis.conf" <<EOF
# Generated by deploy/local/infra.sh on every 'up'; edits are overwritten.
bind $HOST
port $port
protected-mode yes
daemonize yes
pidfile $RUN/redis-cluster-$port.pid
logfile $LOGS/redis-cluster-$port.log
dir $REDIS_CLUSTER_HOME/$port
cluster-enabled yes
cluster-config-file nodes.conf
cluster-node-timeout 5000
appendonly yes
appendfsync everysec
EOF
    rm -f "$RUN/redis-cluster-$port.pid"
    redis-server "$REDIS_CLUSTER_HOME/$port/redis.conf" >>"$LOGS/redis-cluster-$port.log" 2>&1 9>&- ||
      die_log "redis-cluster: node $port failed to start" "$LOGS/redis-cluster-$port.log"
    fresh=1
  done
  local deadline=$((SECONDS + INFRA_TIMEOUT))
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    until [[ "$(redis-cli -h "$HOST" -p "$port" ping 2>/dev/null)" == PONG ]]; do
      ((SECONDS < deadline)) || die_log "redis-cluster: no PONG from $HOST:$port" "$LOGS/redis-cluster-$port.log"
      sleep 0.25
    done
  done
  if ! cluster_info | grep -q '^cluster_state:ok'; then
    # A node that knows only itself was never joined: create the cluster (its nodes.conf keeps it from then on).
    if cluster_info | grep -q '^cluster_known_nodes:1\b'; then
      say "redis-cluster: creating the cluster on ports ${REDIS_CLUSTER_PORTS[*]} ..."
      local nodes=()
      for port in "${REDIS_CLUSTER_PORTS[@]}"; do nodes+=("$HOST:$port"); done
      redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >>"$LOGS/redis-cluster.log" 2>&1 ||
        die_log "redis-cluster: 'redis-cli --cluster create' failed" "$LOGS/redis-cluster.log"
    fi
    until cluster_info | grep -q '^cluster_state:ok'; do
      ((SECONDS < deadline)) || die_log "redis-cluster: cluster_state not ok after ${INFRA_TIMEOUT}s" "$LOGS/redis-cluster.log"
      sleep 0.25
    done
  fi
  [[ $fresh -eq 1 ]] || say "redis-cluster: already running"
  say "redis-cluster: ready at $HOST:${REDIS_CLUSTER_PORTS[0]} (${#REDIS_CLUSTER_PORTS[@]} masters)"
}

redis_cluster_down() {
  local port pid i stopped=0
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    pid="$(cluster_node_pid "$port")"
    [[ -n "$pid" ]] || continue
    redis-cli -h "$HOST" -p "$port" shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do
      pid_alive "$pid" || break
      sleep 0.25
    done
    pid_alive "$pid" && stop_pid "redis-cluster-$port" "$pid" 10
    rm -f "$RUN/redis-cluster-$port.pid"
    stopped=1
  done
  if [[ $stopped -eq 1 ]]; then say "redis-cluster: stopped"; else say "redis-cluster: not running"; fi
}

# ---------------------------------------------------------------------------------------------- commands

# One 'up'/'down' at a time. The servers are started with fd 9 closed ('9>&-'), else they would hold the lock.
lock() {
  mkdir -p "$RUN" "$LOGS"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$RUN/infra.lock"
    if ! flock -n 9; then
      say "waiting for another infra.sh to finish (lock $RUN/infra.lock) ..."
      flock -w 900 9 || die "another infra.sh is still running (lock $RUN/infra.lock)"
    fi
  fi
}

cmd_up() {
  lock
  local start=$SECONDS
  redis_up
  redis_cluster_up
  postgres_up
  kafka_up
  say "up: all services ready in $((SECONDS - start))s"
}

cmd_down() {
  local purge=0
  for arg in "$@"; do
    case "$arg" in
      --purge) purge=1 ;;
      *) die "down: unknown option $arg" ;;
    esac
  done
  lock
  kafka_down
  redis_down
  redis_cluster_down
  postgres_down
  if [[ $purge -eq 1 ]]; then
    say "purge: deleting data under $INFRA (keeping the Kafka jars and the Maven cache)"
    rm -rf "$KAFKA_DATA" "$KAFKA_CONF" "$KAFKA_HOME/cluster.id" "$PG_HOME" "$INFRA/postgres" "$REDIS_HOME" \
      "$REDIS_CLUSTER_HOME" "$LOGS"
    if [[ "$PG_HOME" != "$INFRA/postgres" ]]; then rmdir "$(dirname "$PG_HOME")" 2>/dev/null || true; fi
    rm -rf "$(pg_socket_dir)"
    find "$RUN" -mindepth 1 ! -name infra.lock -delete 2>/dev/null || true
  fi
}

status_line() {
  local name="$1" ours="$2" port="$3" up="$4" pid state how
  if [[ -n "$ours" ]]; then
    state=running pid="$ours" how="started by infra.sh" port="$(saved_port "$name")"
    port="${port:-$3}"
  elif [[ "$up" == 1 ]]; then
    state=running pid="$(listener_pid "$port")" how="found already running (not managed)"
  else
    state=stopped pid="" how=""
  fi
  printf '%-9s %-8s pid %-8s %s:%-6s %s\n' "$name" "$state" "${pid:--}" "$HOST" "$port" "$how"
}

cmd_status() {
  find_pg_bin
  pg_resolve_paths
  local up
  up=0 && port_open "$KAFKA_PORT" && up=1
  status_line kafka "$(kafka_pid)" "$KAFKA_PORT" "$up"
  up=0 && port_open "$PGPORT" && up=1
  status_line postgres "$(pg_pid)" "$PGPORT" "$up"
  up=0 && { redis_ping || port_open "$REDIS_PORT"; } && up=1
  status_line redis "$(redis_pid)" "$REDIS_PORT" "$up"
  local port
  for port in "${REDIS_CLUSTER_PORTS[@]}"; do
    up=0 && port_open "$port" && up=1
    status_line "rcluster" "$(cluster_node_pid "$port")" "$port" "$up"
  done
  if port_open "$KAFKA_PORT"; then
    KAFKA_READY_TIMEOUT_MS=5000 node_tool tools/infra/consumer-lag.ts || echo "consumer lag: could not be read"
  fi
}

# Debian's Chromium for the console's browser tests (playwright-core drives it; CHROMIUM_PATH names another one).
cmd_browser() {
  local chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
  if [[ ! -x "$chromium" ]]; then
    [[ -z "${CHROMIUM_PATH:-}" ]] || die "CHROMIUM_PATH=$chromium is not an executable"
    apt_install chromium
  fi
  say "browser: $("$chromium" --version 2>/dev/null | head -n 1)"
}

usage() {
  sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    reset) cmd_down --purge ;;
    status) cmd_status ;;
    browser) cmd_browser ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
