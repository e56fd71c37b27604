// Command omnictl is Omni's CLI, built from the published
// github.com/siderolabs/omni/client module.
//
// Upstream's cmd/omnictl lives in the Omni server module, which the module
// proxy here does not serve; its main only copies version strings into the
// client's version package and runs the client's cobra root command. This file
// does the same: build.sh sets `tag` with -ldflags "-X main.tag=vX.Y.Z".
package main

import (
	"os"

	"github.com/siderolabs/omni/client/pkg/omnictl"
	"github.com/siderolabs/omni/client/pkg/version"
)

// tag is the client module version, set at link time.
var tag = "unknown"

// apiVersion is the Omni backend API version the client expects
// (upstream's internal/version.API); only used for compatibility warnings
// when talking to a server.
const apiVersion = 3

func main() {
	version.Name = "omnictl"
	version.Tag = tag
	version.API = apiVersion

	omnictl.RootCmd.Version = version.String()

	if err := omnictl.RootCmd.Execute(); err != nil {
		// cobra has already printed the error.
		os.Exit(1)
	}
}
