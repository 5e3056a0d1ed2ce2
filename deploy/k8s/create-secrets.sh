#!/usr/bin/env bash
# Creates (or updates) the Secrets the manifests refer to, from values in this shell's environment, never from git:
#   JWT_SECRET, SERVICE_KEY_<NAME> for every service, DATABASE_URL (the owner: migration Job only), REDIS_URL;
#   optional provider credentials (WECHATPAY_*, ALIPAY_*, WECHAT_SECRET, TENCENT_SMS_*, KUAIDI100_*) when set.
# Each subgraph gets its own <NAME>_DATABASE_URL (its role shop_<name>… see platform/db.ts) and only its own signing
# key plus its callers' verification keys (npm run service-keys -- <name>). Usage, from the repository root:
#   NAMESPACE=shop deploy/k8s/create-secrets.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ns="${NAMESPACE:-shop}"
services="router user product cart order promote payment open review"
subgraphs="user product cart order promote payment open review"
apply() { kubectl -n "$ns" create secret generic "$@" --dry-run=client -o yaml | kubectl -n "$ns" apply -f -; }
: "${JWT_SECRET:?}" "${DATABASE_URL:?}" "${REDIS_URL:?}"
apply shop-jwt --from-literal=JWT_SECRET="$JWT_SECRET"
apply shop-redis --from-literal=REDIS_URL="$REDIS_URL"
db_args=(--from-literal=DATABASE_URL="$DATABASE_URL")
database="$(node -e "process.stdout.write(new URL(process.argv[1]).pathname.slice(1) || 'postgres')" "$DATABASE_URL")"
for s in $subgraphs; do
  role="$(echo "${database}_${s}" | tr 'A-Z' 'a-z' | sed 's/[^a-z0-9_]/_/g')"
  url="$(node -e "const u = new URL(process.argv[1]); u.username = process.argv[2]; process.stdout.write(u.toString())" "$DATABASE_URL" "$role")"
  db_args+=(--from-literal="${s^^}_DATABASE_URL=$url")
done
apply shop-database "${db_args[@]}"
for s in $services; do
  apply "shop-keys-$s" --from-env-file=<(npx tsx scripts/service-keys.ts "$s")
done
optional() {
  local name="$1"; shift; local args=()
  for key in "$@"; do [ -n "${!key:-}" ] && args+=(--from-literal="$key=${!key}"); done
  apply "$name" "${args[@]}"
}
optional shop-payment WECHATPAY_APPID WECHATPAY_MCHID WECHATPAY_MERCHANT_SERIAL WECHATPAY_MERCHANT_PRIVATE_KEY WECHATPAY_APIV3_KEY \
  WECHATPAY_PLATFORM_PUBLIC_KEY WECHATPAY_PLATFORM_SERIAL ALIPAY_APP_ID ALIPAY_PRIVATE_KEY ALIPAY_PUBLIC_KEY
optional shop-providers WECHAT_APPID WECHAT_SECRET TENCENT_SMS_SECRET_ID TENCENT_SMS_SECRET_KEY TENCENT_SMS_SDK_APP_ID \
  TENCENT_SMS_SIGN_NAME TENCENT_SMS_TEMPLATE_ID KUAIDI100_SALT KUAIDI100_KEY
