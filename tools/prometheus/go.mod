// Prometheus and promtool built from source (see tools/build.sh), for the
// alert rules' checks and unit tests and the end-to-end alerting check. Built
// with the tag remove_all_sd: the checks use static targets only, and one
// service discovery's dependency (Nomad's API) is refused by the module proxy.
// Without the tag builtinassets the server has no web UI; its API is all the
// checks use. The prod cluster is to run the same release (config/versions.ts).
module homelab/tools/prometheus

go 1.26.7

require github.com/prometheus/prometheus v0.316.0
