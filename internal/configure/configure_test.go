package configure

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fakePulumi is a `pulumi` on PATH that answers `config --json` from a file
// (or as for a missing stack, without one) and records every `stack init` and
// `config set`: its arguments and the line it read from standard input, as
// the real CLI reads one line at a prompt.
const fakePulumi = `#!/bin/sh
dir="$FAKE_PULUMI_DIR"
if [ "$1" = config ] && [ "$2" = --stack ]; then
	if [ ! -f "$dir/config.json" ]; then
		echo "error: no stack named '$3' found" >&2
		exit 255
	fi
	cat "$dir/config.json"
	exit 0
fi
if [ "$1" = stack ] && [ "$2" = init ]; then
	n=$(ls "$dir" | grep -c '^call-.*\.args$')
	printf '%s\n' "$*" > "$dir/call-$n.args"
	echo '{}' > "$dir/config.json"
	exit 0
fi
if [ "$1" = config ] && [ "$2" = set ]; then
	n=$(ls "$dir" | grep -c '^call-.*\.args$')
	printf '%s\n' "$*" > "$dir/call-$n.args"
	printf 'value: ' >&2
	IFS= read -r line || true
	printf '%s' "$line" > "$dir/call-$n.stdin"
	exit 0
fi
echo "fake pulumi: unexpected arguments: $*" >&2
exit 3
`

type call struct {
	args  string
	stdin string
}

type fake struct {
	t   *testing.T
	dir string
}

// newFake puts the fake on PATH for a stack that has setKeys.
func newFake(t *testing.T, setKeys ...string) *fake {
	t.Helper()
	bin, dir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "pulumi"), []byte(fakePulumi), 0o700); err != nil {
		t.Fatal(err)
	}
	config := map[string]string{}
	for _, k := range setKeys {
		config[`"cognito-descope-passkeys:`+k+`"`] = `{"value":"[secret]","secret":true}`
	}
	var pairs []string
	for k, v := range config {
		pairs = append(pairs, k+":"+v)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte("{"+strings.Join(pairs, ",")+"}"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKE_PULUMI_DIR", dir)
	return &fake{t: t, dir: dir}
}

func (f *fake) calls() []call {
	f.t.Helper()
	var calls []call
	for n := 0; ; n++ {
		prefix := filepath.Join(f.dir, "call-"+strconv.Itoa(n))
		args, err := os.ReadFile(prefix + ".args")
		if errors.Is(err, os.ErrNotExist) {
			return calls
		}
		if err != nil {
			f.t.Fatal(err)
		}
		stdin, _ := os.ReadFile(prefix + ".stdin")
		calls = append(calls, call{args: strings.TrimSpace(string(args)), stdin: string(stdin)})
	}
}

func run(t *testing.T, env map[string]string, terminal bool, typed string) ([]Outcome, string, error) {
	t.Helper()
	// A file, not a reader: each prompt's process reads its own line from
	// the shared descriptor, as from a terminal.
	input := filepath.Join(t.TempDir(), "typed")
	if err := os.WriteFile(input, []byte(typed), 0o600); err != nil {
		t.Fatal(err)
	}
	stdin, err := os.Open(input)
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	var stderr bytes.Buffer
	outcomes, err := Run(t.Context(), Options{
		Stack:       "dev",
		ProjectFile: "../../Pulumi.yaml",
		Keys:        DescopeKeys,
		LookupEnv: func(k string) (string, bool) {
			v, ok := env[k]
			return v, ok
		},
		Terminal: terminal,
		Stdin:    stdin,
		Stderr:   &stderr,
	})
	return outcomes, stderr.String(), err
}

const (
	projectID = "P2abcdefghijklmnopqrstuvwxyz"
	accessKey = "K2-access-key-value"
)

func TestFromTheEnvironmentTheKeyIsAlwaysSecretAndNeverAnArgument(t *testing.T) {
	f := newFake(t)
	outcomes, _, err := run(t, map[string]string{"DESCOPE_PROJECT_ID": projectID, "DESCOPE_ACCESS_KEY": accessKey, "PULUMI_CONFIG_PASSPHRASE": "pass"}, false, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []call{
		{args: "config set --stack dev descopeProjectId", stdin: projectID},
		{args: "config set --stack dev --secret descopeAccessKey", stdin: accessKey},
	}
	if got := f.calls(); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("pulumi calls = %+v\nwant %+v", got, want)
	}
	if len(outcomes) != 2 || outcomes[1].Action != "set from DESCOPE_ACCESS_KEY" {
		t.Errorf("outcomes = %+v", outcomes)
	}
}

func TestWithoutTerminalOrVariablesNothingChanges(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    []string // variables the error must name
		notWant []string
	}{
		{"unset", map[string]string{}, []string{"DESCOPE_PROJECT_ID", "DESCOPE_ACCESS_KEY"}, nil},
		{"empty", map[string]string{"DESCOPE_PROJECT_ID": "", "DESCOPE_ACCESS_KEY": ""}, []string{"DESCOPE_PROJECT_ID", "DESCOPE_ACCESS_KEY"}, nil},
		// The project ID alone is not stored either: a half-configured stack is worse than none.
		{"only the project ID", map[string]string{"DESCOPE_PROJECT_ID": projectID}, []string{"DESCOPE_ACCESS_KEY"}, []string{"DESCOPE_PROJECT_ID"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			_, stderr, err := run(t, tt.env, false, projectID+"\n"+accessKey+"\n")
			if !errors.Is(err, ErrNeedsInput) {
				t.Fatalf("err = %v, want ErrNeedsInput", err)
			}
			for _, v := range tt.want {
				if !strings.Contains(err.Error(), v) {
					t.Errorf("error %q does not name %s", err, v)
				}
			}
			for _, v := range tt.notWant {
				if strings.Contains(err.Error(), v) {
					t.Errorf("error %q names %s, which is set", err, v)
				}
			}
			if calls := f.calls(); len(calls) != 0 {
				t.Errorf("pulumi config set ran %d times: %+v", len(calls), calls)
			}
			if stderr != "" {
				t.Errorf("prompted without a terminal: %q", stderr)
			}
		})
	}
}

func TestAValueWithALineBreakIsRefused(t *testing.T) {
	f := newFake(t)
	_, _, err := run(t, map[string]string{"DESCOPE_PROJECT_ID": projectID + "\n" + accessKey, "DESCOPE_ACCESS_KEY": accessKey}, false, "")
	if err == nil || !strings.Contains(err.Error(), "DESCOPE_PROJECT_ID") || !strings.Contains(err.Error(), "line break") {
		t.Fatalf("err = %v, want one naming DESCOPE_PROJECT_ID and the line break", err)
	}
	if calls := f.calls(); len(calls) != 0 {
		t.Errorf("pulumi config set ran: %+v", calls)
	}
}

func TestOnATerminalEachPromptSaysWhatItWants(t *testing.T) {
	f := newFake(t)
	outcomes, stderr, err := run(t, map[string]string{}, true, projectID+"\n"+accessKey+"\n")
	if err != nil {
		t.Fatal(err)
	}
	// Each description, from Pulumi.yaml, comes before its prompt; the
	// access key's says it is secret and hidden.
	projectAt := strings.Index(stderr, "descopeProjectId: Descope project ID (Project settings in the Descope console)")
	keyAt := strings.Index(stderr, "descopeAccessKey: A Descope access key (Access Keys in the Descope console)")
	hiddenAt := strings.Index(stderr, "secret: it is stored encrypted, and hidden as you type")
	prompts := []int{strings.Index(stderr, "value: "), strings.LastIndex(stderr, "value: ")}
	inOrder := projectAt >= 0 && projectAt < prompts[0] && prompts[0] < keyAt && keyAt < hiddenAt && hiddenAt < prompts[1]
	if !inOrder {
		t.Errorf("terminal output out of order or incomplete:\n%s", stderr)
	}
	if strings.Count(stderr, "hidden as you type") != 1 {
		t.Errorf("only the access key is secret:\n%s", stderr)
	}
	calls := f.calls()
	if len(calls) != 2 || calls[0].stdin != projectID || calls[1].stdin != accessKey || calls[1].args != "config set --stack dev --secret descopeAccessKey" {
		t.Errorf("pulumi calls = %+v", calls)
	}
	if len(outcomes) != 2 || outcomes[0].Action != "asked" {
		t.Errorf("outcomes = %+v", outcomes)
	}
}

func TestValuesTheStackHasAreKept(t *testing.T) {
	f := newFake(t, "descopeProjectId", "descopeAccessKey")
	outcomes, stderr, err := run(t, map[string]string{}, false, "")
	if err != nil {
		t.Fatal(err)
	}
	if calls := f.calls(); len(calls) != 0 || stderr != "" {
		t.Errorf("calls %+v, output %q; want neither", calls, stderr)
	}
	if len(outcomes) != 2 || outcomes[0].Action != "kept" || outcomes[1].Action != "kept" {
		t.Errorf("outcomes = %+v", outcomes)
	}
}

func TestWithoutThePulumiCLI(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, _, err := run(t, map[string]string{}, false, "")
	if err == nil || !strings.Contains(err.Error(), "https://www.pulumi.com/docs/install/") {
		t.Fatalf("err = %v, want one saying where to install the Pulumi CLI", err)
	}
}

// newFakeWithoutStack puts the fake on PATH for a stack that does not exist yet.
func newFakeWithoutStack(t *testing.T) *fake {
	t.Helper()
	f := newFake(t)
	if err := os.Remove(filepath.Join(f.dir, "config.json")); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestANewStackIsCreatedOnlyOnceItsValuesAreKnown(t *testing.T) {
	f := newFakeWithoutStack(t)
	if _, _, err := run(t, map[string]string{}, false, ""); !errors.Is(err, ErrNeedsInput) {
		t.Fatalf("err = %v, want ErrNeedsInput", err)
	}
	if calls := f.calls(); len(calls) != 0 {
		t.Fatalf("without values, pulumi ran %+v; the stack must not be created", calls)
	}

	if _, _, err := run(t, map[string]string{"DESCOPE_PROJECT_ID": projectID, "DESCOPE_ACCESS_KEY": accessKey, "PULUMI_CONFIG_PASSPHRASE": "pass"}, false, ""); err != nil {
		t.Fatal(err)
	}
	calls := f.calls()
	if len(calls) != 3 || calls[0].args != "stack init dev" || calls[2].args != "config set --stack dev --secret descopeAccessKey" {
		t.Errorf("pulumi calls = %+v, want stack init, then the two values", calls)
	}
}

// The CLI asks for a passphrase-encrypted stack's passphrase only where it
// can prompt; where it cannot (a value it reads from standard input, a new
// stack without a terminal), the run stops before changing anything unless
// PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE is set.
func TestAPassphraseThePulumiCLICannotAskForStopsTheRunFirst(t *testing.T) {
	fromEnv := map[string]string{"DESCOPE_PROJECT_ID": projectID, "DESCOPE_ACCESS_KEY": accessKey}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range fromEnv {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name     string
		newStack bool
		env      map[string]string
		terminal bool
		refused  bool
	}{
		{name: "key from the environment", env: fromEnv, refused: true},
		{name: "key from the environment, on a terminal", env: fromEnv, terminal: true, refused: true},
		{name: "new stack without a terminal", newStack: true, env: fromEnv, refused: true},
		{name: "PULUMI_CONFIG_PASSPHRASE set empty", env: with(map[string]string{"PULUMI_CONFIG_PASSPHRASE": ""})},
		{name: "PULUMI_CONFIG_PASSPHRASE_FILE set", env: with(map[string]string{"PULUMI_CONFIG_PASSPHRASE_FILE": "pass.txt"})},
		{name: "Pulumi Cloud backend", env: with(map[string]string{"PULUMI_BACKEND_URL": "https://api.pulumi.com"})},
		// Typed on a terminal, each `config set` can ask for the passphrase itself.
		{name: "values typed on a terminal", env: map[string]string{}, terminal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			if tt.newStack {
				f = newFakeWithoutStack(t)
			}
			_, _, err := run(t, tt.env, tt.terminal, projectID+"\n"+accessKey+"\n")
			calls := f.calls()
			switch {
			case tt.refused && (!errors.Is(err, ErrNeedsInput) || !strings.Contains(err.Error(), "PULUMI_CONFIG_PASSPHRASE") || len(calls) != 0):
				t.Errorf("err = %v, calls %+v; want ErrNeedsInput naming PULUMI_CONFIG_PASSPHRASE, and no call", err, calls)
			case !tt.refused && (err != nil || len(calls) != 2):
				t.Errorf("err = %v, calls %+v; want both values set", err, calls)
			}
		})
	}
}
