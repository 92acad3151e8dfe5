package main

import (
	"slices"
	"testing"
)

func TestEveryImplementationLeadsARoundInTurn(t *testing.T) {
	const count = 3
	var leads []int
	for round := range count {
		order := roundOrder(round, count)
		sorted := slices.Clone(order)
		slices.Sort(sorted)
		if !slices.Equal(sorted, []int{0, 1, 2}) {
			t.Fatalf("round %d order %v does not start each implementation once", round, order)
		}
		leads = append(leads, order[0])
	}
	if !slices.Equal(leads, []int{0, 1, 2}) {
		t.Errorf("rounds were led by %v, want each implementation once, in turn", leads)
	}
}
