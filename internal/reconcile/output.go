package reconcile

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// TableSink writes the human output: a header, one line per row as it
// comes, and the totals. Apply adds each merge's old sub -> kept sub.
type TableSink struct {
	w io.Writer
}

// NewTableSink writes the table to w.
func NewTableSink(w io.Writer) *TableSink { return &TableSink{w: w} }

const tableFormat = "%-40s %-18s %-15s %-26s %-21s %-38s %s\n"

// Begin writes what the run is about to do and the column heads.
func (t *TableSink) Begin(p Plan) error {
	mode := "dry run: nothing will be changed"
	if p.Apply {
		mode = "apply: merging eligible pairs; backup file " + p.BackupFile
	}
	pool := p.UserPoolID
	if p.UserPoolName != "" {
		pool += " (" + p.UserPoolName + ")"
	}
	if p.EstimatedUsers > 0 {
		pool += fmt.Sprintf(", about %d users", p.EstimatedUsers)
	}
	if _, err := fmt.Fprintf(t.w, "User pool %s; identity provider %s\n%s\n", pool, p.Provider, mode); err != nil {
		return err
	}
	if p.ResumeFile != "" {
		if _, err := fmt.Fprintf(t.w, "finishing the unfinished merges of %s first\n", p.ResumeFile); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(t.w, "\n"+tableFormat, "FEDERATED USER", "EMAIL", "DECISION", "REASON", "SUBJECT FROM", "KEPT USER", "RESULT")
	return err
}

// Row writes one line.
func (t *TableSink) Row(r Row) error {
	result := r.Result
	switch r.Result {
	case ResultMerged:
		result = fmt.Sprintf("merged: sub %s -> %s", orDash(r.FederatedSub), orDash(r.KeptSub))
	case ResultFailed:
		result = "FAILED: " + r.Error
	case "":
		result = "-"
	}
	_, err := fmt.Fprintf(t.w, tableFormat, r.FederatedUser, orDash(r.Email), r.Decision, r.Reason, orDash(r.SubjectSource), orDash(r.KeptUser), result)
	return err
}

// End writes the totals and what to do next.
func (t *TableSink) End(s Summary) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%d federated users of the provider among %d users listed in %d pass(es):", s.Federated, s.UsersListed, s.Passes)
	for _, d := range []string{DecisionResume, DecisionMerge, DecisionAlreadyLinked, DecisionNoMatch, DecisionRefuse} {
		if n := s.Decisions[d]; n > 0 || d == DecisionMerge || d == DecisionRefuse {
			fmt.Fprintf(&b, " %s %d,", d, n)
		}
	}
	out := strings.TrimSuffix(b.String(), ",") + "\n"
	if len(s.Refusals) > 0 {
		var reasons []string
		for reason, n := range s.Refusals {
			reasons = append(reasons, fmt.Sprintf("%s %d", reason, n))
		}
		sort.Strings(reasons)
		out += "refusals: " + strings.Join(reasons, ", ") + "\n"
	}
	if s.Applied {
		out += fmt.Sprintf("merged %d, abandoned %d, failed %d\n", s.Merged, s.Abandoned, s.Failed)
	} else if s.Eligible > 0 {
		out += fmt.Sprintf("Dry run: nothing was changed. Run again with --apply --backup FILE to merge %d user(s).\n", s.Eligible)
	} else {
		out += "Dry run: nothing was changed, and there is nothing to merge.\n"
	}
	_, err := io.WriteString(t.w, out)
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// JSONSink writes one JSON document, {"plan": ..., "users": [...],
// "summary": ...}, streamed row by row so a pool of any size fits in memory.
type JSONSink struct {
	w     io.Writer
	first bool
}

// NewJSONSink writes the document to w.
func NewJSONSink(w io.Writer) *JSONSink { return &JSONSink{w: w} }

// Begin opens the document with the plan.
func (j *JSONSink) Begin(p Plan) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	j.first = true
	_, err = fmt.Fprintf(j.w, "{\"plan\":%s,\n\"users\":[", b)
	return err
}

// Row adds one element to "users".
func (j *JSONSink) Row(r Row) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	sep := ",\n"
	if j.first {
		sep, j.first = "\n", false
	}
	_, err = fmt.Fprintf(j.w, "%s%s", sep, b)
	return err
}

// End closes "users" and the document with the summary.
func (j *JSONSink) End(s Summary) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(j.w, "],\n\"summary\":%s}\n", b)
	return err
}
