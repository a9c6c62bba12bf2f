//go:build tools

// Keeps the kwok controller in the module's build list: it is built with
// `go build sigs.k8s.io/kwok/cmd/kwok`.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
