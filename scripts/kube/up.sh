#!/usr/bin/env bash
# Starts a real Kubernetes control plane on loopback for tests: etcd, kube-apiserver (token auth,
# RBAC) and kube-controller-manager. No kubelet: pods stay Pending unless a test "kubelet" acts.
#
#   scripts/kube/up.sh            # prints KUBECONFIG=<path> and the state dir
#   . "$METADATACACHE_KUBE_DIR/env"   # exports KUBECONFIG, PATH (kubectl), tokens, URL
#
# State (pids, logs, kubeconfig, tokens, keys) lives in ${METADATACACHE_KUBE_DIR:-/tmp/metadatacache-kube}.
# If a control plane is already running there it is reused. scripts/kube/down.sh stops it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR
. "$here/lib.sh"

state="$MDC_KUBE_DIR"

print_result() {
  echo "KUBECONFIG=$state/kubeconfig"
  echo "METADATACACHE_KUBE_DIR=$state"
}

if mdc_pid_alive "$state/apiserver.pid" && mdc_pid_alive "$state/etcd.pid" &&
  curl -sfk --max-time 2 "$(cat "$state/apiserver.url")/readyz" >/dev/null 2>&1; then
  mdc_log "control plane already running in $state: reusing it"
  print_result
  exit 0
fi
# Anything half-started from an earlier run goes first.
"$here/down.sh" >/dev/null 2>&1 || true

kube_bin="$("$here/../tools/kube.sh")"
etcd_bin="$("$here/../tools/etcd.sh")/etcd"
mkdir -p "$state/pki" "$state/logs"
chmod 700 "$state"

# etcd's data is throwaway: keep it in memory when /dev/shm exists (etcd 3.4 cannot skip fsync).
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  etcd_data="$(mktemp -d /dev/shm/metadatacache-etcd.XXXXXX)"
else
  etcd_data="$state/etcd-data"
  mkdir -p "$etcd_data"
fi
echo "$etcd_data" >"$state/etcd-data.path"

etcd_port="$(mdc_free_port)"
etcd_peer_port="$(mdc_free_port)"
api_port="$(mdc_free_port)"
etcd_url="http://127.0.0.1:$etcd_port"
api_url="https://127.0.0.1:$api_port"
echo "$api_url" >"$state/apiserver.url"

# Credentials: static bearer tokens. admin and the controller-manager are system:masters;
# "unprivileged" authenticates but has no RBAC bindings (tests use it to prove RBAC is on).
admin_token="$(openssl rand -hex 24)"
kcm_token="$(openssl rand -hex 24)"
unprivileged_token="$(openssl rand -hex 24)"
cat >"$state/pki/tokens.csv" <<CSV
$admin_token,admin,uid-admin,"system:masters"
$kcm_token,system:kube-controller-manager,uid-kcm,"system:masters"
$unprivileged_token,unprivileged,uid-unprivileged
CSV
chmod 600 "$state/pki/tokens.csv"

# Service-account token signing key pair.
openssl genrsa -out "$state/pki/sa.key" 2048 2>/dev/null
openssl rsa -in "$state/pki/sa.key" -pubout -out "$state/pki/sa.pub" 2>/dev/null

# Serving certificate: a throwaway CA and a cert for 127.0.0.1/localhost signed by it, so clients
# verify TLS for real (no insecure-skip-tls-verify anywhere).
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=metadatacache-test-ca" \
  -keyout "$state/pki/ca.key" -out "$state/pki/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
  -keyout "$state/pki/apiserver.key" -out "$state/pki/apiserver.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default\nextendedKeyUsage=serverAuth\n' \
  >"$state/pki/apiserver.ext"
openssl x509 -req -in "$state/pki/apiserver.csr" -CA "$state/pki/ca.crt" -CAkey "$state/pki/ca.key" \
  -CAcreateserial -days 30 -extfile "$state/pki/apiserver.ext" -out "$state/pki/apiserver.crt" 2>/dev/null

write_kubeconfig() { # file user token
  cat >"$1" <<YAML
apiVersion: v1
kind: Config
clusters:
  - name: metadatacache-test
    cluster:
      server: $api_url
      certificate-authority: $state/pki/ca.crt
users:
  - name: $2
    user:
      token: $3
contexts:
  - name: $2@metadatacache-test
    context:
      cluster: metadatacache-test
      user: $2
      namespace: default
current-context: $2@metadatacache-test
YAML
  chmod 600 "$1"
}
write_kubeconfig "$state/kubeconfig" admin "$admin_token"
write_kubeconfig "$state/controller-manager.kubeconfig" system:kube-controller-manager "$kcm_token"
write_kubeconfig "$state/unprivileged.kubeconfig" unprivileged "$unprivileged_token"

# Launchers: one file per component so a test can restart exactly the same process.
cat >"$state/run-etcd.sh" <<SH
export GOGC=${MDC_KUBE_GOGC:-400}
exec "$etcd_bin" --name=default --data-dir="$etcd_data" \\
  --listen-client-urls=$etcd_url --advertise-client-urls=$etcd_url \\
  --listen-peer-urls=http://127.0.0.1:$etcd_peer_port \\
  --initial-advertise-peer-urls=http://127.0.0.1:$etcd_peer_port \\
  --initial-cluster=default=http://127.0.0.1:$etcd_peer_port \\
  --quota-backend-bytes=2147483648 --logger=zap --log-level=warn
SH

# Flags follow envtest's (controller-runtime): loopback only, RBAC, no ServiceAccount admission
# (no token volumes are needed without a kubelet, and pods need not wait for the default SA).
# The Service range is a /16: a /24 holds 254 ClusterIPs, and a burst of 1000 MetadataCaches
# (one client Service each) failed with "range is full" after about 250.
# API Priority and Fairness is off: it isolates the tenants of a shared cluster, which a throwaway
# test control plane does not have, and the apiserver used 16 % less CPU per MetadataCache
# without it (the plain in-flight limits remain).
# GOGC 400 (MDC_KUBE_GOGC) trades memory for CPU in the Go components: the apiserver used 19 %
# less CPU per MetadataCache in a burst of 1000 than with Go's default 100 (docs/testing.md).
cat >"$state/run-apiserver.sh" <<SH
export GOGC=${MDC_KUBE_GOGC:-400}
exec "$kube_bin/kube-apiserver" \\
  --etcd-servers=$etcd_url \\
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port=$api_port \\
  --tls-cert-file="$state/pki/apiserver.crt" --tls-private-key-file="$state/pki/apiserver.key" \\
  --cert-dir="$state/pki" \\
  --token-auth-file="$state/pki/tokens.csv" \\
  --authorization-mode=RBAC \\
  --service-cluster-ip-range=10.0.0.0/16 \\
  --service-account-issuer=$api_url \\
  --service-account-key-file="$state/pki/sa.pub" \\
  --service-account-signing-key-file="$state/pki/sa.key" \\
  --allow-privileged=true \\
  --disable-admission-plugins=ServiceAccount \\
  --profiling=false \\
  --enable-priority-and-fairness=false \\
  --v=${MDC_KUBE_APISERVER_VERBOSITY:-1} ${MDC_KUBE_APISERVER_FLAGS:-}
SH

# The controllers a StatefulSet-based operator needs, plus Deployment/ReplicaSet for charts and
# disruption for PodDisruptionBudget status, clusterrole-aggregation for aggregated RBAC roles.
# No node-lifecycle controller (there are no kubelets). Client rate limits well above the defaults
# (20 QPS per controller): a burst of 1000 MetadataCaches means thousands of pod, status and
# EndpointSlice writes, which the defaults would spread over minutes.
controllers="${MDC_KUBE_CONTROLLERS:-statefulset,deployment,replicaset,endpoint,endpointslice,garbagecollector,namespace,serviceaccount,disruption,clusterrole-aggregation}"
cat >"$state/run-controller-manager.sh" <<SH
export GOGC=${MDC_KUBE_GOGC:-400}
exec "$kube_bin/kube-controller-manager" \\
  --kubeconfig="$state/controller-manager.kubeconfig" \\
  --leader-elect=false \\
  --controllers=$controllers \\
  --kube-api-qps=${MDC_KUBE_API_QPS:-200} --kube-api-burst=${MDC_KUBE_API_BURST:-400} \\
  --concurrent-statefulset-syncs=10 --concurrent-service-endpoint-syncs=10 \\
  --secure-port=0 \\
  --service-account-private-key-file="$state/pki/sa.key" \\
  --root-ca-file="$state/pki/ca.crt" \\
  --v=${MDC_KUBE_CONTROLLER_MANAGER_VERBOSITY:-1}
SH

apiserver_ready() { curl -sf --max-time 2 --cacert "$state/pki/ca.crt" -H "Authorization: Bearer $admin_token" "$api_url/readyz"; }
default_ns_exists() { curl -sf --max-time 2 --cacert "$state/pki/ca.crt" -H "Authorization: Bearer $admin_token" "$api_url/api/v1/namespaces/default"; }
fail() {
  mdc_log "$1; last log lines:"
  tail -n 30 "$state/logs/$2.log" >&2 || true
  "$here/down.sh" >/dev/null 2>&1 || true
  exit 1
}

start=$(date +%s)
mdc_spawn "$state/etcd.pid" "$state/logs/etcd.log" bash "$state/run-etcd.sh"
mdc_wait_for 30 "etcd on $etcd_url" curl -sf --max-time 2 "$etcd_url/health" || fail "etcd did not become healthy" etcd

mdc_spawn "$state/apiserver.pid" "$state/logs/apiserver.log" bash "$state/run-apiserver.sh"
mdc_wait_for 90 "kube-apiserver on $api_url" apiserver_ready || fail "kube-apiserver did not become ready" apiserver
mdc_wait_for 30 "namespace default" default_ns_exists || fail "namespace default did not appear" apiserver

mdc_spawn "$state/controller-manager.pid" "$state/logs/controller-manager.log" bash "$state/run-controller-manager.sh"
sleep 1
mdc_pid_alive "$state/controller-manager.pid" || fail "kube-controller-manager exited" controller-manager

# One file for shells (source it) and one for programs (test/helpers/kube.ts reads it).
cat >"$state/env" <<ENV
export KUBECONFIG="$state/kubeconfig"
export METADATACACHE_KUBE_DIR="$state"
export MDC_KUBE_APISERVER_URL="$api_url"
export MDC_KUBE_ADMIN_TOKEN="$admin_token"
export MDC_KUBE_UNPRIVILEGED_TOKEN="$unprivileged_token"
export PATH="$kube_bin:\$PATH"
ENV
cat >"$state/state.json" <<JSON
{
  "version": "$MDC_KUBE_VERSION",
  "stateDir": "$state",
  "kubeconfig": "$state/kubeconfig",
  "unprivilegedKubeconfig": "$state/unprivileged.kubeconfig",
  "apiserverUrl": "$api_url",
  "caFile": "$state/pki/ca.crt",
  "adminToken": "$admin_token",
  "unprivilegedToken": "$unprivileged_token",
  "binDir": "$kube_bin",
  "etcdUrl": "$etcd_url"
}
JSON
mdc_log "control plane $MDC_KUBE_VERSION up in $(($(date +%s) - start))s (logs in $state/logs)"
print_result
