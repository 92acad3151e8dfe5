package verify_test

import (
	"bytes"
	"testing"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify"
)

func TestWriteTextShowsEveryVerdictAndFix(t *testing.T) {
	r := verify.Report{Status: verify.StatusFail, Checks: []verify.Check{
		{ID: "a", Title: "First", Status: verify.StatusPass, Findings: []verify.Finding{{Status: verify.StatusPass, Message: "fine"}}},
		{ID: "b", Title: "Second", Status: verify.StatusFail, Findings: []verify.Finding{
			{Status: verify.StatusPass, Message: "part fine"},
			{Status: verify.StatusFail, Message: "broken", Fix: "mend it"},
		}},
		{ID: "c", Title: "Third", Status: verify.StatusUnknown, Findings: []verify.Finding{{Status: verify.StatusUnknown, Message: "odd answer", Fix: "read it"}}},
	}}
	var out bytes.Buffer
	if err := r.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	want := `✔ 1. First
    ✔ fine
✘ 2. Second
    ✔ part fine
    ✘ broken
      fix: mend it
? 3. Third
    ? odd answer
      fix: read it

1 of 3 checks passed, 1 failed, 1 with an answer verify does not recognise (marked ?).
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
	if r.ExitCode() != verify.ExitFailed {
		t.Errorf("exit %d, want %d: a failure outranks an unknown answer", r.ExitCode(), verify.ExitFailed)
	}
}
