#!/usr/bin/env bash
# `prisma generate` without network. The CLI downloads the native schema-engine binary before any command, unless
# PRISMA_SCHEMA_ENGINE_BINARY names an existing file; generate never runs it, so any file will do.
# The client it writes (libs/db/src/generated, git-ignored) needs no native engine: it runs on @prisma/adapter-pg.
set -euo pipefail
cd "$(dirname "$0")/../../.."

export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$(command -v node)}"
export CHECKPOINT_DISABLE=1 # no update check against checkpoint.prisma.io
export PRISMA_HIDE_UPDATE_MESSAGE=1

exec node_modules/.bin/prisma generate --config libs/db/prisma.config.ts "$@"
