package reconcile

import (
	"io"
	"strings"
	"testing"
)

func TestValidateNamesTheFix(t *testing.T) {
	t.Parallel()
	good := Options{UserPoolID: "us-east-1_AbC123", Provider: "Descope", Output: NewJSONSink(io.Discard)}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid options refused: %v", err)
	}
	cases := []struct {
		name string
		mod  func(*Options)
		want string
	}{
		{"no pool", func(o *Options) { o.UserPoolID = "" }, "pass --user-pool-id"},
		{"malformed pool", func(o *Options) { o.UserPoolID = "us-east-1" }, "like us-east-1_AbCdEf123"},
		{"no provider", func(o *Options) { o.Provider = "" }, "pass --provider"},
		{"apply without backup", func(o *Options) { o.Apply = true }, "pass --backup FILE"},
		{"backup and resume differ", func(o *Options) { o.Apply, o.BackupPath, o.ResumePath = true, "a.jsonl", "b.jsonl" }, "drop --backup"},
	}
	for _, c := range cases {
		o := good
		c.mod(&o)
		if err := o.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
	for _, mod := range []func(*Options){
		func(o *Options) { o.Apply, o.ResumePath = true, "b.jsonl" },
		func(o *Options) { o.Apply, o.BackupPath, o.ResumePath = true, "b.jsonl", "b.jsonl" },
		func(o *Options) { o.ResumePath = "b.jsonl" },
	} {
		o := good
		mod(&o)
		if err := o.Validate(); err != nil {
			t.Errorf("%+v refused: %v", o, err)
		}
	}
}
