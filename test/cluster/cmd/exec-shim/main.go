// exec-shim serves the kubelet's exec endpoint for kwok's fake node: kube-apiserver forwards
// `kubectl exec` (and the plugin's exec) here, and the command runs on this host, in a work
// directory. Unlike kwok's own exec, the command's exit code reaches the client as a real kubelet
// reports it (a NonZeroExitCode status with an ExitCode cause), which the end-to-end tests need.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"k8s.io/cri-streaming/pkg/streaming/remotecommand"
	utilexec "k8s.io/utils/exec"
)

type hostExecutor struct {
	workDir string
}

func (h hostExecutor) ExecInContainer(ctx context.Context, pod string, _ string, container string, cmd []string, in io.Reader, out, errOut io.WriteCloser, _ bool, _ <-chan remotecommand.TerminalSize, _ time.Duration) error {
	if len(cmd) == 0 {
		return errors.New("no command")
	}
	c := exec.CommandContext(ctx, cmd[0], cmd[1:]...)
	c.Dir = h.workDir
	c.Env = append(os.Environ(), "POD="+pod, "CONTAINER="+container)
	if in != nil {
		c.Stdin = in
	}
	if out != nil {
		c.Stdout = out
	}
	if errOut != nil {
		c.Stderr = errOut
	}
	err := c.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && exitErr.ExitCode() >= 0 {
		return utilexec.CodeExitError{Err: err, Code: exitErr.ExitCode()}
	}
	return err
}

func main() {
	listen := flag.String("listen", "127.0.0.1:10250", "address to serve HTTPS on")
	cert := flag.String("tls-cert-file", "", "serving certificate")
	key := flag.String("tls-private-key-file", "", "serving key")
	workDir := flag.String("work-dir", os.TempDir(), "directory the commands run in")
	flag.Parse()

	executor := hostExecutor{workDir: *workDir}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	// /exec/{namespace}/{pod}/{container} or /exec/{namespace}/{pod}/{uid}/{container}
	mux.HandleFunc("/exec/", func(w http.ResponseWriter, req *http.Request) {
		parts := strings.Split(strings.TrimPrefix(req.URL.Path, "/exec/"), "/")
		if len(parts) != 3 && len(parts) != 4 {
			http.Error(w, "expected /exec/{namespace}/{pod}/{container}", http.StatusNotFound)
			return
		}
		ns, pod, container := parts[0], parts[1], parts[len(parts)-1]
		opts, err := remotecommand.NewOptions(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		cmd := req.URL.Query()["command"]
		remotecommand.ServeExec(w, req, executor, ns+"/"+pod, "", container, cmd, opts, 4*time.Hour, 30*time.Second, remotecommand.SupportedStreamingProtocols)
	})
	log.Printf("exec-shim listening on https://%s (work dir %s)", *listen, *workDir)
	log.Fatal(http.ListenAndServeTLS(*listen, *cert, *key, mux))
}
