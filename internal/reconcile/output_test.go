package reconcile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestTableShowsDecisionsMappingsAndTotals(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	sink := NewTableSink(&out)
	_ = sink.Begin(Plan{UserPoolID: "us-east-1_Pool1", UserPoolName: "prod", Provider: "Descope", Apply: true, BackupFile: "b.jsonl", EstimatedUsers: 12})
	_ = sink.Row(Row{FederatedUser: "Descope_A", FederatedSub: "old-1", Email: "j***@e***.com", Decision: DecisionMerge, Reason: "eligible", KeptUser: "jane", KeptSub: "kept-1", Result: ResultMerged})
	_ = sink.Row(Row{FederatedUser: "Descope_B", Decision: DecisionRefuse, Reason: "multiple_candidates"})
	_ = sink.End(Summary{UsersListed: 12, Federated: 2, Decisions: map[string]int{DecisionMerge: 1, DecisionRefuse: 1}, Refusals: map[string]int{"multiple_candidates": 1}, Merged: 1, Applied: true})
	text := out.String()
	for _, want := range []string{"us-east-1_Pool1 (prod), about 12 users", "backup file b.jsonl", "merged: sub old-1 -> kept-1", "Descope_B", "multiple_candidates", "merge 1", "refuse 1", "refusals: multiple_candidates 1", "merged 1, abandoned 0, failed 0"} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
}

func TestTableOfADryRunSaysHowToApply(t *testing.T) {
	t.Parallel()
	for eligible, want := range map[int]string{2: "--apply --backup FILE to merge 2 user(s)", 0: "nothing to merge"} {
		var out bytes.Buffer
		sink := NewTableSink(&out)
		_ = sink.Begin(Plan{UserPoolID: "us-east-1_Pool1", Provider: "Descope"})
		_ = sink.End(Summary{Decisions: map[string]int{}, Eligible: eligible})
		if !strings.Contains(out.String(), "dry run: nothing will be changed") || !strings.Contains(out.String(), want) {
			t.Errorf("eligible %d: output lacks %q:\n%s", eligible, want, out.String())
		}
	}
}

func TestJSONIsOneDocumentFromTheSameRows(t *testing.T) {
	t.Parallel()
	for _, rows := range [][]Row{nil, {{FederatedUser: "Descope_A", Decision: DecisionMerge}, {FederatedUser: "Descope_B", Decision: DecisionNoMatch}}} {
		var out bytes.Buffer
		sink := NewJSONSink(&out)
		_ = sink.Begin(Plan{UserPoolID: "us-east-1_Pool1", Provider: "Descope"})
		for _, r := range rows {
			_ = sink.Row(r)
		}
		_ = sink.End(Summary{Federated: len(rows)})
		var rep report
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out.String())
		}
		if len(rep.Users) != len(rows) || rep.Plan.UserPoolID != "us-east-1_Pool1" || rep.Summary.Federated != len(rows) {
			t.Errorf("decoded %+v", rep)
		}
	}
}

func TestProgressShowsRateAndETA(t *testing.T) {
	t.Parallel()
	p := Progress{Listed: 1000, EstimatedUsers: 5000, Federated: 10, Merges: 3, Refusals: 2, Elapsed: 10 * time.Second}
	if eta, ok := p.ETA(); !ok || eta != 40*time.Second {
		t.Errorf("ETA = %v %v, want 40s", eta, ok)
	}
	line := ProgressLine(p)
	for _, want := range []string{"users 1000/5000", "federated 10", "merges 3", "refusals 2", "100 users/s", "ETA 40s"} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
	if _, ok := (Progress{Listed: 5}).ETA(); ok {
		t.Error("ETA known without elapsed time or estimate")
	}

	clock := newFakeClock()
	var out bytes.Buffer
	tp := NewTerminalProgress(&out, clock, time.Second)
	tp.Update(p)
	tp.Update(p) // within the interval: not redrawn
	clock.advance(time.Second)
	tp.Update(p)
	tp.Done()
	if n := strings.Count(out.String(), "users 1000"); n != 2 {
		t.Errorf("drawn %d times, want 2:\n%q", n, out.String())
	}
	if !strings.HasSuffix(out.String(), "\r\x1b[K") {
		t.Errorf("Done did not clear the line: %q", out.String())
	}

	// Output on the same terminal clears the line before it is written, and
	// the next update draws the line again at once.
	var term bytes.Buffer
	tp = NewTerminalProgress(&term, clock, time.Hour)
	above := tp.Above(&term)
	tp.Update(p)
	fmt.Fprintln(above, "row 1")
	tp.Update(p)
	if got, want := term.String(), "\r\x1b[K"+ProgressLine(p)+"\r\x1b[Krow 1\n\r\x1b[K"+ProgressLine(p); got != want {
		t.Errorf("terminal got %q\nwant %q", got, want)
	}
}
