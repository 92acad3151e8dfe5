package main

import (
	"strings"
	"testing"
	"time"
)

func TestPercentileIsNearestRank(t *testing.T) {
	var ds []time.Duration
	for i := 1000; i >= 1; i-- { // reversed: percentile must sort
		ds = append(ds, time.Duration(i))
	}
	for _, tc := range []struct {
		p    int
		want time.Duration
	}{{50, 500}, {95, 950}, {99, 990}, {100, 1000}, {1, 10}} {
		if got := percentile(ds, tc.p); got != tc.want {
			t.Errorf("p%d = %d, want %d", tc.p, got, tc.want)
		}
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("p99 of one sample = %d", got)
	}
	if ds[0] != 1000 {
		t.Error("percentile sorted its input in place")
	}
}

func durations(d time.Duration, n int) []time.Duration {
	ds := make([]time.Duration, n)
	for i := range ds {
		ds[i] = d
	}
	return ds
}

func TestReportMarksEachTarget(t *testing.T) {
	paths := []path{{name: "link", wantGoCalls: 2}, {name: "no match", wantGoCalls: 1}, {name: "unrelated trigger", wantGoCalls: 0}}
	goRun := runResult{impl: goImpl, backend: "stub", cold: durations(10*time.Millisecond, 20), peakRSS: 15e6}
	pyRun := runResult{impl: pythonImpl, backend: "stub", cold: durations(300*time.Millisecond, 20), peakRSS: 50e6}
	for _, p := range paths {
		goRun.warm = append(goRun.warm, pathResult{path: p, latencies: durations(time.Millisecond, 100), calls: float64(p.wantGoCalls)})
		pyRun.warm = append(pyRun.warm, pathResult{path: p, latencies: durations(3*time.Millisecond, 100), calls: 1})
	}
	sizes := artifactSizes{hostArch: "amd64", hostBinary: 6.9e6, hostZip: 3.9e6, arm64Binary: 8e6, arm64Zip: 3.5e6}

	startup := startupTrace{starts: 20, initClock: 5 * time.Millisecond, mainInitAt: 4 * time.Millisecond}
	report := renderReport(options{coldStarts: 20, warmInvokes: 100}, machine{date: time.Now()}, sizes, []runResult{goRun, pyRun}, durations(time.Millisecond, 10), nil, startup, nil, nil)
	if !strings.Contains(report, "All 13 targets met") || strings.Contains(report, "MISSED") {
		t.Fatalf("every target was met, report says otherwise:\n%s", report)
	}
	if !strings.Contains(report, "| cold start median | 10.00 ms | 300 ms | 0.033 (1/30.0) | ≤ 1/20 of Python | PASS |") {
		t.Errorf("cold start row missing or wrong:\n%s", report)
	}
	if strings.Contains(report, "cold start median without") || !strings.Contains(report, "its build asks for, as it is deployed (none)") {
		t.Errorf("a run without a runtime environment reports one:\n%s", report)
	}

	// Slow cold start, a slow warm tail, one extra Cognito call, a fat zip.
	goRun.cold = durations(25*time.Millisecond, 20)
	// Two slow samples in 100: the nearest-rank p99 is the second slowest.
	goRun.warm[0].latencies[98] = 3 * time.Millisecond
	goRun.warm[0].latencies[99] = 3 * time.Millisecond
	goRun.warm[2].calls = 1
	sizes.arm64Zip = 4.2e6
	sizes.hostBinary = 7.2e6
	startup.credentialPackages = []string{"github.com/aws/aws-sdk-go-v2/service/sts"}
	report = renderReport(options{coldStarts: 20, warmInvokes: 100}, machine{date: time.Now()}, sizes, []runResult{goRun, pyRun}, durations(time.Millisecond, 10), nil, startup, nil, nil)
	for _, missed := range []string{"cold start median (stub)", "cold start p95 (stub)", "warm p99 link (stub)", "Cognito calls unrelated trigger (stub)", "zip size arm64", "stripped binary size amd64", "no credential-chain packages at start-up"} {
		if !strings.Contains(report, missed) {
			t.Errorf("report does not name the missed target %q:\n%s", missed, report)
		}
	}
	if !strings.Contains(report, "6 of 13 targets met") {
		t.Errorf("summary wrong:\n%s", report)
	}
}

func TestReportComparesTheRuntimeEnvironment(t *testing.T) {
	goRun := runResult{impl: goImpl, backend: "stub", cold: durations(18*time.Millisecond, 20), peakRSS: 1,
		runtimeEnv: []string{"GOMAXPROCS=1"}, coldWithoutRuntimeEnv: durations(24*time.Millisecond, 20)}
	pyRun := runResult{impl: pythonImpl, backend: "stub", cold: durations(400*time.Millisecond, 20), peakRSS: 1}
	report := renderReport(options{coldStarts: 20}, machine{date: time.Now()}, artifactSizes{}, []runResult{goRun, pyRun}, nil, nil, startupTrace{}, nil, nil)
	for _, want := range []string{
		"| cold start median | 18.00 ms | 400 ms | 0.045 (1/22.2) | ≤ 1/20 of Python | PASS |",
		"| cold start median without GOMAXPROCS=1 (same starts, alternating) | 24.00 ms | 400 ms | 0.060 (1/16.7) |  |  |",
		"its build asks for, as it is deployed (`GOMAXPROCS=1`)",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

func TestReportSaysWhenTheEmulatorAloneMissesTheTarget(t *testing.T) {
	goRun := runResult{impl: goImpl, backend: "cognito-local", cold: durations(time.Millisecond, 1), peakRSS: 1}
	for _, tc := range []struct {
		emulator time.Duration
		blames   bool
	}{{time.Millisecond, false}, {3 * time.Millisecond, true}} {
		report := renderReport(options{}, machine{date: time.Now()}, artifactSizes{}, []runResult{goRun}, durations(tc.emulator, 10), nil, startupTrace{}, nil, nil)
		if got := strings.Contains(report, "above the 2 ms p99 target on its own"); got != tc.blames {
			t.Errorf("emulator p99 %s: report blames the emulator = %v, want %v", tc.emulator, got, tc.blames)
		}
	}
}
