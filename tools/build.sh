#!/usr/bin/env bash
# Builds the pinned verification tools from source into .tools/bin (git-ignored).
#
#   bash tools/build.sh            # from the repo root (any cwd works)
#   bash tools/build.sh omnictl    # only the tools named (a deploy needs omnictl alone)
#
# Every version is pinned in a go.mod/go.sum under tools/; nothing but those
# and this script is committed. Sources come through the Go module proxy
# (GOPROXY as configured on the machine) and are verified against go.sum.
# Go's default build and module caches (GOCACHE, GOMODCACHE) are reused, so a
# second run only relinks: seconds instead of minutes.
#
# One module per family whose dependencies clash:
#   tools/talos          talosctl          (wrapper: repeats upstream's replaces)
#   tools/omni           omnictl           (our main around omni/client's CLI)
#   tools/k8s            kubectl-validate
#   tools/lint           actionlint, gitleaks
#   tools/compose-check  compose-check     (our own program, compose-go loader)
#   tools/glance         glance            (the family dashboard, checked in a browser)
#   tools/cloudflared    cloudflared       (wrapper: repeats upstream's replaces;
#                                           upstream tags are not semver, so a
#                                           pseudo-version of a main commit)
#   tools/oauth2-proxy   oauth2-proxy      (the SSO proxy, run by the access-matrix check)
#   tools/prometheus     prometheus, promtool (alert rules: checks, unit tests, end to end;
#                                           tag remove_all_sd: static targets only)
#   tools/alertmanager   alertmanager, amtool (routing checks, end to end)
#   tools/alloy-syntax   alloy-syntax      (our own program: Alloy's parser and evaluator,
#                                           github.com/grafana/alloy/syntax as Alloy builds it)
#   tools/logql          logql-check       (our own program: Loki's LogQL parser, for the
#                                           ruler's rules and the dashboards' log queries)
#   tools/restic         restic            (the backups' tool, for the loopback restore drill)
#   tools/backup-crds    backup-crds       (our own program: Velero's and VolSync's API types,
#                                           Velero's CRDs; k8s modules shared with talosctl)
#   tools/kubevirt-check kubevirt-check    (our own program: KubeVirt's and CDI's API types;
#                                           k8s modules shared with backup-crds)
#
# Two lanes build at once (one downloads while the other compiles); each
# tool prints one line when it is done.
#
# Exits non-zero if any tool fails to build (after trying all of them).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/bin"
mkdir -p "$bin"

# Never edit go.mod/go.sum while building, and never fetch another Go
# toolchain (none can be fetched here): the machine's Go must satisfy go.mod.
export GOFLAGS="-mod=readonly -buildvcs=false${GOFLAGS:+ $GOFLAGS}"
export GOTOOLCHAIN=local
# Static binaries, no C toolchain needed (none of these tools needs cgo).
export CGO_ENABLED="${CGO_ENABLED:-0}"

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

# modver DIR MODULE -> the version DIR's go.mod selects for MODULE
modver() { (cd "$root/tools/$1" && go list -m -f '{{.Version}}' "$2"); }

tools=(talosctl omnictl kubectl-validate actionlint gitleaks compose-check glance cloudflared oauth2-proxy prometheus promtool alertmanager amtool alloy-syntax logql-check restic backup-crds kubevirt-check)
# The tools named on the command line, or all of them.
only=("$@")
for name in "${only[@]}"; do
  case " ${tools[*]} " in
    *" $name "*) ;;
    *) echo "tools/build.sh: unknown tool $name: expected one of ${tools[*]}" >&2; exit 2 ;;
  esac
done
selected() { ((${#only[@]} == 0)) || [[ " ${only[*]} " == *" $1 "* ]]; }

# build NAME DIR PKG [LDFLAGS] [TAGS]: one line when it is done (two lanes print at once)
build() {
  local name=$1 dir=$2 pkg=$3 ldflags=${4:-} tags=${5:-} start=$SECONDS
  selected "$name" || return 0
  if (cd "$root/tools/$dir" && go build -trimpath -tags "$tags" -ldflags "-s -w $ldflags" -o "$bin/$name" "$pkg") >"$logs/$name.log" 2>&1; then
    printf '==> %-17s (tools/%s) built in %ss\n' "$name" "$dir" "$((SECONDS - start))"
    echo ok >"$logs/$name.status"
  else
    { printf '==> %-17s (tools/%s) FAILED after %ss\n' "$name" "$dir" "$((SECONDS - start))"; sed 's/^/    /' "$logs/$name.log" | tail -40; } >&2
    rm -f "$bin/$name" # no stale binary from an earlier run
    echo failed >"$logs/$name.status"
  fi
}

total=$SECONDS
echo "go: $(go version | cut -d' ' -f3-)  GOPROXY=$(go env GOPROXY)"

# Two lanes at once: while one lane's modules download, the other compiles
# (a cold build is mostly downloads and compiling; each is half the time
# alone). The lanes are balanced by their cold build times.
lane_a() {
  talos=$(modver talos github.com/siderolabs/talos) || talos=unknown
  build talosctl talos github.com/siderolabs/talos/cmd/talosctl \
    "-X github.com/siderolabs/talos/pkg/machinery/version.Tag=$talos -X github.com/siderolabs/talos/pkg/machinery/version.Name=Talos"

  build kubectl-validate k8s sigs.k8s.io/kubectl-validate

  build alloy-syntax alloy-syntax .

  build restic restic github.com/restic/restic/cmd/restic

  build backup-crds backup-crds .

  build kubevirt-check kubevirt-check .
}

lane_b() {
  omni=$(modver omni github.com/siderolabs/omni/client) || omni=unknown
  build omnictl omni ./omnictl "-X main.tag=$omni"

  build actionlint lint github.com/rhysd/actionlint/cmd/actionlint

  gitleaks=$(modver lint github.com/zricethezav/gitleaks/v8) || gitleaks=unknown
  build gitleaks lint github.com/zricethezav/gitleaks/v8 \
    "-X github.com/zricethezav/gitleaks/v8/version.Version=$gitleaks"

  build compose-check compose-check .

  glance=$(modver glance github.com/glanceapp/glance) || glance=unknown
  build glance glance github.com/glanceapp/glance \
    "-X github.com/glanceapp/glance/internal/glance.buildVersion=$glance"

  cloudflared=$(modver cloudflared github.com/cloudflare/cloudflared) || cloudflared=unknown
  build cloudflared cloudflared github.com/cloudflare/cloudflared/cmd/cloudflared \
    "-X main.Version=git-${cloudflared##*-}"

  oauth2proxy=$(modver oauth2-proxy github.com/oauth2-proxy/oauth2-proxy/v7) || oauth2proxy=unknown
  build oauth2-proxy oauth2-proxy github.com/oauth2-proxy/oauth2-proxy/v7 \
    "-X github.com/oauth2-proxy/oauth2-proxy/v7/pkg/version.VERSION=$oauth2proxy"

  prometheus=$(modver prometheus github.com/prometheus/prometheus) || prometheus=unknown
  # Module v0.3xx.y is Prometheus 3.xx.y.
  promversion=$(echo "$prometheus" | sed -E 's/^v0\.3([0-9]{2})\.([0-9]+)$/3.\1.\2/; s/^3\.0([0-9])/3.\1/')
  for cmd in prometheus promtool; do
    build "$cmd" prometheus "github.com/prometheus/prometheus/cmd/$cmd" "-X github.com/prometheus/common/version.Version=$promversion" remove_all_sd
  done

  alertmanager=$(modver alertmanager github.com/prometheus/alertmanager) || alertmanager=unknown
  for cmd in alertmanager amtool; do
    build "$cmd" alertmanager "github.com/prometheus/alertmanager/cmd/$cmd" "-X github.com/prometheus/common/version.Version=${alertmanager#v}"
  done

  build logql-check logql .
}

lane_a &
lane_b &
wait

failed=()
built=()
for name in "${tools[@]}"; do
  selected "$name" || continue
  if [ "$(cat "$logs/$name.status" 2>/dev/null)" = ok ]; then built+=("$name"); else failed+=("$name"); fi
done

echo
echo "tools in ${bin#"$root"/} (total $((SECONDS - total))s):"
version_of() {
  case $1 in
    talosctl) "$bin/talosctl" version --client --short 2>/dev/null | grep -m1 -o 'v[0-9][^ ]*' ;;
    omnictl) "$bin/omnictl" --version 2>/dev/null | sed 's/^omnictl version //' ;;
    kubectl-validate) echo "sigs.k8s.io/kubectl-validate $(modver k8s sigs.k8s.io/kubectl-validate)" ;;
    actionlint) "$bin/actionlint" -version 2>/dev/null | head -1 ;;
    gitleaks) "$bin/gitleaks" version 2>/dev/null ;;
    compose-check) echo "compose-go $(modver compose-check github.com/compose-spec/compose-go/v2)" ;;
    alloy-syntax) echo "github.com/grafana/alloy/syntax $(modver alloy-syntax github.com/grafana/alloy/syntax)" ;;
    logql-check) echo "github.com/grafana/loki/v3 $(modver logql github.com/grafana/loki/v3)" ;;
    restic) "$bin/restic" version 2>/dev/null | head -1 ;;
    backup-crds) echo "velero $(modver backup-crds github.com/vmware-tanzu/velero), volsync $(modver backup-crds github.com/backube/volsync)" ;;
    kubevirt-check) echo "kubevirt.io/api $(modver kubevirt-check kubevirt.io/api), cdi $(modver kubevirt-check kubevirt.io/containerized-data-importer-api)" ;;
    glance) "$bin/glance" --version 2>/dev/null | head -1 ;;
    oauth2-proxy) "$bin/oauth2-proxy" --version 2>/dev/null | head -1 ;;
    prometheus | promtool | alertmanager | amtool) "$bin/$1" --version 2>&1 | head -1 ;;
    cloudflared) echo "$("$bin/cloudflared" --version 2>/dev/null | head -1) = github.com/cloudflare/cloudflared $(modver cloudflared github.com/cloudflare/cloudflared)" ;;
  esac
}
for name in "${built[@]}"; do
  printf '  %-17s %s\n' "$name" "$(version_of "$name")"
done

if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
