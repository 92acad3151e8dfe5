// Package verify checks a deployed stack end to end against the live
// endpoints: the Descope issuer, the identity provider in Cognito, the pre
// sign-up trigger's wiring, one harmless run of the function, and the hosted
// UI's redirect to Descope. Each finding says what was seen and, when it is
// wrong, the fix in plain words.
package verify

import (
	"fmt"
	"io"
	"strings"
)

// Status is the verdict of a finding or a check.
type Status string

// Verdicts, from best to worst. Unknown means an answer the command does not
// recognise: it is printed as it came, never mapped to a guessed cause.
const (
	StatusPass    Status = "pass"
	StatusUnknown Status = "unknown"
	StatusFail    Status = "fail"
)

// Exit codes of the verify command, documented in its --help and docs/verify.md.
const (
	ExitPassed  = 0 // every check passed
	ExitFailed  = 1 // at least one check failed
	ExitUsage   = 2 // the checks could not start: bad flags, no stack, no Pulumi CLI
	ExitUnknown = 3 // nothing failed, but an answer was not recognised: read it
)

var statusRank = map[Status]int{StatusPass: 0, StatusUnknown: 1, StatusFail: 2}

// worse returns the worse of two verdicts.
func worse(a, b Status) Status {
	if statusRank[b] > statusRank[a] {
		return b
	}
	return a
}

// Finding is one observation of a check.
type Finding struct {
	Status Status `json:"status"`
	// Message says what was observed.
	Message string `json:"message"`
	// Fix says what to do, for a finding that is not a pass.
	Fix string `json:"fix,omitempty"`
}

// Check is the result of one of the five checks.
type Check struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Status   Status    `json:"status"`
	Findings []Finding `json:"findings"`
}

func (c *Check) pass(format string, args ...any) {
	c.add(Finding{Status: StatusPass, Message: fmt.Sprintf(format, args...)})
}

func (c *Check) fail(fix, format string, args ...any) {
	c.add(Finding{Status: StatusFail, Message: fmt.Sprintf(format, args...), Fix: fix})
}

func (c *Check) unknown(fix, format string, args ...any) {
	c.add(Finding{Status: StatusUnknown, Message: fmt.Sprintf(format, args...), Fix: fix})
}

func (c *Check) add(f Finding) {
	c.Findings = append(c.Findings, f)
	c.Status = worse(c.Status, f.Status)
}

// Report is the outcome of a run: the data model of both the human and the
// --json output.
type Report struct {
	Status Status  `json:"status"`
	Checks []Check `json:"checks"`
}

// ExitCode maps the report to the command's exit status.
func (r Report) ExitCode() int {
	switch r.Status {
	case StatusPass:
		return ExitPassed
	case StatusUnknown:
		return ExitUnknown
	default:
		return ExitFailed
	}
}

var symbols = map[Status]string{StatusPass: "✔", StatusFail: "✘", StatusUnknown: "?"}

// WriteText writes the report for a person: one line per check, one per
// finding, the fix under each finding that needs one, and a summary.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	counts := map[Status]int{}
	for i, c := range r.Checks {
		counts[c.Status]++
		fmt.Fprintf(&b, "%s %d. %s\n", symbols[c.Status], i+1, c.Title)
		for _, f := range c.Findings {
			fmt.Fprintf(&b, "    %s %s\n", symbols[f.Status], f.Message)
			if f.Fix != "" {
				fmt.Fprintf(&b, "      fix: %s\n", f.Fix)
			}
		}
	}
	fmt.Fprintf(&b, "\n%d of %d checks passed", counts[StatusPass], len(r.Checks))
	if n := counts[StatusFail]; n > 0 {
		fmt.Fprintf(&b, ", %d failed", n)
	}
	if n := counts[StatusUnknown]; n > 0 {
		fmt.Fprintf(&b, ", %d with an answer verify does not recognise (marked ?)", n)
	}
	b.WriteString(".\n")
	_, err := io.WriteString(w, b.String())
	return err
}
