//go:build tools

// Package tools pins restic's command for `go build` (tools/build.sh).
package tools

import _ "github.com/restic/restic/cmd/restic"
