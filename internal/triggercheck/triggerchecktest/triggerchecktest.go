// Package triggerchecktest serves Lambda's GetFunction and GetPolicy to tests
// on loopback, from recorded JSON answers (internal/triggercheck/testdata).
package triggerchecktest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Recordings is the directory of recorded answers, relative to the module root.
const Recordings = "internal/triggercheck/testdata"

// Serve answers GET /2015-03-31/functions/<name> with
// dir/GetFunction.<name>.json and .../<name>/policy with
// dir/GetPolicy.<name>.json, where <name> is the function name (from a name
// or an ARN, without a qualifier); a missing file is Lambda's
// ResourceNotFoundException. It returns the server's URL.
func Serve(t *testing.T, dir string) string {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/2015-03-31/functions/")
		operation := "GetFunction"
		if trimmed, isPolicy := strings.CutSuffix(rest, "/policy"); isPolicy {
			rest, operation = trimmed, "GetPolicy"
		}
		name, err := url.PathUnescape(rest)
		if !ok || err != nil || r.Method != http.MethodGet {
			http.Error(w, "not a GetFunction or GetPolicy request", http.StatusBadRequest)
			return
		}
		if _, after, isARN := strings.Cut(name, ":function:"); isARN {
			name = after
		}
		name, _, _ = strings.Cut(name, ":")
		file := operation + "." + name + ".json"
		w.Header().Set("Content-Type", "application/json")
		answer, err := os.ReadFile(filepath.Join(dir, filepath.Base(file))) //nolint:gosec // G304: one path element (filepath.Base) under the test's own recordings directory
		if err != nil || filepath.Base(file) != file {
			w.Header().Set("X-Amzn-Errortype", "ResourceNotFoundException")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"Type":"User","Message":"Function not found"}`))
			return
		}
		_, _ = w.Write(answer) //nolint:gosec // recorded JSON from testdata/, answered to the test's own client
	}))
	t.Cleanup(server.Close)
	return server.URL
}

// ServeRecorded serves dir and points the SDK's Lambda endpoint
// (AWS_ENDPOINT_URL_LAMBDA) at it. Call it after the test's AWS environment
// is isolated (livepooltest.ServeRecorded or StartMoto).
func ServeRecorded(t *testing.T, dir string) string {
	t.Helper()
	endpoint := Serve(t, dir)
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", endpoint)
	return endpoint
}
