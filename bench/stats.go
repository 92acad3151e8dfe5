package main

import (
	"slices"
	"time"
)

// percentile returns the nearest-rank p-th percentile (1 ≤ p ≤ 100) of ds:
// the smallest value at least p% of the samples are at or below. Integer
// arithmetic keeps the rank exact (0.99*1000 is not 990 in floating point).
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	rank := max(1, min(len(sorted), (p*len(sorted)+99)/100))
	return sorted[rank-1]
}

// ratio is a/b, or 0 when b is 0 (nothing to compare against).
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
