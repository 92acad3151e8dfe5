package main

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdabuild"
)

// startupTrace is what GODEBUG=inittrace=1 reports for the bootstrap binary:
// the package initialisation before main, median over several starts.
type startupTrace struct {
	starts int
	// initClock is the summed wall-clock time of every package's init.
	initClock time.Duration
	// mainInitAt is when the main package's init began, counted from the
	// process start: everything the runtime does before main.
	mainInitAt time.Duration
	// credentialPackages are initialised SDK packages that only
	// config.LoadDefaultConfig's credential chain needs.
	credentialPackages []string
}

// credentialPackage matches the SDK packages the function must no longer
// initialise: STS, SSO, SSO-OIDC, sign-in, IMDS and the shared config.
var credentialPackage = regexp.MustCompile(`^github\.com/aws/aws-sdk-go-v2/(service/(sts|sso|ssooidc|signin)|feature/ec2/imds|config|credentials)(/|$)`)

// initLine is one line of inittrace: "init pkg @0.52 ms, 0.011 ms clock, ...".
var initLine = regexp.MustCompile(`^init (\S+) @([0-9.]+) ms, ([0-9.]+) ms clock`)

// measureInitTrace starts the function n times with its runtime environment,
// GODEBUG=inittrace=1 and no Runtime API, so it exits right after start-up,
// and parses its trace.
func measureInitTrace(ctx context.Context, fn lambdabuild.Artifact, n int) (startupTrace, error) {
	var clocks, mains []time.Duration
	found := map[string]bool{}
	for range n {
		cmd := exec.CommandContext(ctx, fn.BinaryPath)
		cmd.Env = append(fn.Environ(), "GODEBUG=inittrace=1", "PATH=/usr/bin:/bin")
		// The function exits non-zero without its environment; only the
		// trace matters here.
		out, _ := cmd.CombinedOutput()
		clock, mainAt, pkgs, err := parseInitTrace(string(out))
		if err != nil {
			return startupTrace{}, err
		}
		clocks, mains = append(clocks, clock), append(mains, mainAt)
		for _, p := range pkgs {
			if credentialPackage.MatchString(p) {
				found[p] = true
			}
		}
	}
	t := startupTrace{starts: n, initClock: percentile(clocks, 50), mainInitAt: percentile(mains, 50)}
	for p := range found {
		t.credentialPackages = append(t.credentialPackages, p)
	}
	slices.Sort(t.credentialPackages)
	return t, nil
}

// parseInitTrace sums the init clock of every package, and returns when main's
// init began and every package initialised.
func parseInitTrace(out string) (clock, mainAt time.Duration, pkgs []string, err error) {
	sawMain := false
	for _, line := range strings.Split(out, "\n") {
		m := initLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		at, err1 := strconv.ParseFloat(m[2], 64)
		c, err2 := strconv.ParseFloat(m[3], 64)
		if err1 != nil || err2 != nil {
			return 0, 0, nil, fmt.Errorf("inittrace line %q: not numbers", line)
		}
		clock += time.Duration(c * float64(time.Millisecond))
		pkgs = append(pkgs, m[1])
		if m[1] == "main" {
			mainAt, sawMain = time.Duration(at*float64(time.Millisecond)), true
		}
	}
	if !sawMain {
		return 0, 0, nil, fmt.Errorf("no inittrace line for package main in the output:\n%s", tail([]byte(out), 2000))
	}
	return clock, mainAt, pkgs, nil
}
