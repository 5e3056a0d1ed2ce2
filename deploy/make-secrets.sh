#!/usr/bin/env bash
# Fresh secrets for deploy/docker-compose.yml, written where compose reads them and git does not (deploy/.gitignore):
#   deploy/.env                 JWT_SECRET, POSTGRES_PASSWORD
#   deploy/secrets/<name>.env   SERVICE_KEY_<NAME> and the verification keys of its callers (npm run service-keys)
# Run once from the repository root (needs the development dependencies: `npm install`). Refuses to overwrite.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -e deploy/.env ] && { echo "deploy/.env exists: remove it (and deploy/secrets/) to start over" >&2; exit 1; }
services="router user product cart order promote payment open review"
random() { node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64url'))"; }
umask 077
mkdir -p deploy/secrets
env_keys=()
for s in $services; do env_keys+=("SERVICE_KEY_${s^^}=k1:$(random)"); done
for s in $services; do
  env "${env_keys[@]}" npx tsx scripts/service-keys.ts "$s" > "deploy/secrets/$s.env"
done
printf 'JWT_SECRET=%s\nPOSTGRES_PASSWORD=%s\n' "$(random)" "$(random)" > deploy/.env
echo "wrote deploy/.env and deploy/secrets/*.env"
