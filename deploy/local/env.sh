# Defaults of the local stack that `npm run infra:up` starts; sourced by test.sh and demo.sh.
# Anything already set in the environment wins.
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:${KAFKA_PORT:-9092}}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:${REDIS_PORT:-6379}}"
# One node of the three-node Redis Cluster infra.sh starts beside it (the cluster tests; services with REDIS_CLUSTER=true).
export REDIS_CLUSTER_URL="${REDIS_CLUSTER_URL:-redis://127.0.0.1:$(echo "${REDIS_CLUSTER_PORTS:-7000}" | cut -d" " -f1)}"
export DATABASE_URL="${DATABASE_URL:-postgresql://cvp:cvp@127.0.0.1:${PGPORT:-5432}/cvp}"
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NX_SKIP_NX_CACHE=true
