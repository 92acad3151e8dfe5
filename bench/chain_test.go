package main

import (
	"strings"
	"testing"
	"time"
)

func TestChainCostReportsTheAddedLatency(t *testing.T) {
	var b strings.Builder
	writeChainCost(&b, &chainCost{paths: []chainPath{{
		name:    "link",
		alone:   durations(time.Millisecond, 10),
		chained: durations(1500*time.Microsecond, 10),
	}}})
	if row := "| link | 1.00 ms | 1.50 ms | 0.500 ms | 1.00 ms | 1.50 ms | 0.500 ms |"; !strings.Contains(b.String(), row) {
		t.Errorf("report lacks the row %q:\n%s", row, b.String())
	}
}
