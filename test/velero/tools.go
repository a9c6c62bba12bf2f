//go:build tools

// Keeps the Velero server's main package in this module's requirements (built by ./build).
package tools

import _ "github.com/vmware-tanzu/velero/cmd/velero"
