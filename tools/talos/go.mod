// talosctl, built from source at the pinned Talos release.
// Upstream's go.mod has replace directives, so `go install ...@version` cannot
// be used; this wrapper module requires Talos and repeats those replaces.
// Upstream's `github.com/siderolabs/talos/pkg/machinery => ./pkg/machinery`
// points inside its own tree: here the published machinery module of the
// same version is used instead.
module homelab/tools/talos

go 1.26

replace (
	github.com/containerd/containerd/v2 => github.com/smira/containerd/v2 v2.2.3-0.20260521103442-e05d8ca25f89
	github.com/coredns/coredns => github.com/siderolabs/coredns v1.14.53
	github.com/mdlayher/ethtool => github.com/siderolabs/ethtool v0.4.0-sidero
	github.com/mdlayher/kobject => github.com/smira/kobject v0.0.0-20240304111826-49c8d4613389
	golang.zx2c4.com/wireguard/wgctrl => github.com/siderolabs/wgctrl-go v0.0.0-20251029173431-c4fd5f6a4e72
)
