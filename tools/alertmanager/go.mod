// Alertmanager and amtool built from source (see tools/build.sh), for the
// routing checks and the end-to-end alerting check. v0.31.1 is the newest
// release whose module carries its web UI (later ones embed a UI build that
// the module leaves out, so they do not compile from it); the prod cluster
// is to run the same release (config/versions.ts). Its own module: Prometheus requires
// a newer Alertmanager for its notifier types.
module homelab/tools/alertmanager

go 1.26.0

require github.com/prometheus/alertmanager v0.31.1
