# Writes a unique key to the cache over HTTP and reads it back (the `helm test` hook runs this;
# the e2e tests run the same script against a local cluster). Needs sh and curl.
set -eu
key="helm-test-$(date +%s)-$$"
value="{\"written\":\"$key\"}"
auth=""
if [ -n "${CACHE_TOKEN:-}" ]; then auth="Authorization: Bearer $CACHE_TOKEN"; fi
url="$CACHE_URL/v1/maps/$CACHE_MAP/entries/$key"
curl -fsS --retry 5 --retry-connrefused --retry-delay 2 -X PUT \
  -H "Content-Type: application/json" -H "${auth:-X-No-Auth: 1}" -d "$value" "$url"
got="$(curl -fsS -H "${auth:-X-No-Auth: 1}" "$url")"
if [ "$got" != "$value" ]; then
  echo "read back '$got', expected '$value'" >&2
  exit 1
fi
curl -fsS -X DELETE -H "${auth:-X-No-Auth: 1}" "$url" >/dev/null
echo "put/get OK on $CACHE_URL map $CACHE_MAP"
