// exec-shim serves the kubelet's exec endpoint for kwok's fake node: kube-apiserver forwards
// `kubectl exec` (and the plugin's exec) here, and the command runs on this host, in a work
// directory. Unlike kwok's own exec, the command's exit code reaches the client as a real kubelet
// reports it (a NonZeroExitCode status with an ExitCode cause), which the end-to-end tests need.
//
// With -exec-log FILE it records every exec it serves as JSON lines: a "start" line (time,
// namespace, pod, container, argv) when the command starts and an "end" line (time, exit code or
// error) when it ends, even when the client stopped waiting long before (Velero returns on a hook
// timeout without closing the stream, so the command runs on). Tests read this log to see exactly
// what a real Velero server executed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/cri-streaming/pkg/streaming/remotecommand"
	utilexec "k8s.io/utils/exec"
)

// execLog appends one JSON object per line; a nil *execLog records nothing.
type execLog struct {
	mu   sync.Mutex
	f    *os.File
	next atomic.Int64
}

type execRecord struct {
	Event     string   `json:"event"` // start | end
	ID        int64    `json:"id"`
	Time      string   `json:"time"` // RFC 3339 with nanoseconds
	Namespace string   `json:"namespace,omitempty"`
	Pod       string   `json:"pod,omitempty"`
	Container string   `json:"container,omitempty"`
	Argv      []string `json:"argv,omitempty"`
	ExitCode  *int     `json:"exitCode,omitempty"`
	Error     string   `json:"error,omitempty"`
}

func (l *execLog) write(r execRecord) {
	if l == nil {
		return
	}
	r.Time = time.Now().UTC().Format(time.RFC3339Nano)
	line, err := json.Marshal(r)
	if err != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.f.Write(append(line, '\n')); err != nil {
		log.Printf("exec log: %v", err)
	}
}

type hostExecutor struct {
	workDir string
	log     *execLog
}

func (h hostExecutor) ExecInContainer(ctx context.Context, pod string, _ string, container string, cmd []string, in io.Reader, out, errOut io.WriteCloser, tty bool, resize <-chan remotecommand.TerminalSize, timeout time.Duration) error {
	if h.log == nil {
		return h.run(ctx, pod, container, cmd, in, out, errOut)
	}
	ns, name, _ := strings.Cut(pod, "/")
	id := h.log.next.Add(1)
	h.log.write(execRecord{Event: "start", ID: id, Namespace: ns, Pod: name, Container: container, Argv: append([]string{}, cmd...)})
	err := h.run(ctx, pod, container, cmd, in, out, errOut)
	end := execRecord{Event: "end", ID: id}
	var codeErr utilexec.CodeExitError
	switch {
	case err == nil:
		code := 0
		end.ExitCode = &code
	case errors.As(err, &codeErr):
		code := codeErr.Code
		end.ExitCode = &code
	default:
		end.Error = err.Error()
	}
	h.log.write(end)
	return err
}

func (h hostExecutor) run(ctx context.Context, pod string, container string, cmd []string, in io.Reader, out, errOut io.WriteCloser) error {
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
	logPath := flag.String("exec-log", "", "append a JSON line for the start and the end of every exec to this file")
	flag.Parse()

	executor := hostExecutor{workDir: *workDir}
	if *logPath != "" {
		f, err := os.OpenFile(*logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			log.Fatalf("exec log: %v", err)
		}
		executor.log = &execLog{f: f}
	}
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
