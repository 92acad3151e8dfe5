// Package configure sets the stack values no default can stand in for (the
// Descope project ID and access key), the way `make configure` runs it: from
// DESCOPE_PROJECT_ID and DESCOPE_ACCESS_KEY when they are set, otherwise by
// asking on the terminal after saying what each value is; without a terminal
// and without the variables it stops before changing anything.
package configure

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/ciutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"golang.org/x/term"
)

// CanPrompt reports whether `pulumi config set`, given stdin and stdout,
// will prompt for a value, by the CLI's own rule (cmdutil.Interactive in
// pulumi/pulumi sdk/go/common/util/cmdutil/console.go): both are terminals,
// TERM is not "dumb", and no CI system is detected (ciutil.IsCI, the CLI's own
// detection). Otherwise the CLI fails with "config value must be specified in
// non-interactive mode", after Run has already created the stack and stored
// the values before it.
func CanPrompt(stdin, stdout *os.File) bool {
	return strings.ToLower(os.Getenv("TERM")) != "dumb" &&
		term.IsTerminal(int(stdin.Fd())) && term.IsTerminal(int(stdout.Fd())) &&
		!ciutil.IsCI()
}

// Key is one value the stack needs.
type Key struct {
	// Name is the config key in Pulumi.yaml.
	Name string
	// Variable is the environment variable that supplies it without a terminal.
	Variable string
}

// DescopeKeys are the values `make configure` sets: no default can stand in for them.
var DescopeKeys = []Key{
	{Name: "descopeProjectId", Variable: "DESCOPE_PROJECT_ID"},
	{Name: "descopeAccessKey", Variable: "DESCOPE_ACCESS_KEY"},
}

// Options say where to read and what to run.
type Options struct {
	// Stack is the stack to configure.
	Stack string
	// ProjectFile is Pulumi.yaml, whose descriptions the prompts show.
	ProjectFile string
	// Keys are the values to set when the stack lacks them, in prompt order.
	Keys []Key
	// LookupEnv reads the environment.
	LookupEnv func(string) (string, bool)
	// Terminal says whether `pulumi config set` may prompt on Stdin and
	// Stderr (see CanPrompt); without it, a value the environment lacks
	// stops the run before it changes anything.
	Terminal bool
	// Stdin is handed to `pulumi config set` when it prompts.
	Stdin io.Reader
	// Stderr receives the descriptions, the prompts and progress.
	Stderr io.Writer
}

// ErrNeedsInput is returned when a value is missing, nobody can be asked and
// the environment does not supply it.
var ErrNeedsInput = errors.New("missing configuration and no terminal to ask on")

// Outcome says what happened to one key.
type Outcome struct {
	Key    string
	Action string // "kept" (already set), "set from <VARIABLE>", "asked"
}

type step struct {
	key    Key
	secret bool
	about  string
	value  string // from the environment; empty means ask
}

// Run sets every key the stack lacks, creating the stack first when it does
// not exist. It decides for all keys first, so a missing value stops it
// before it changes anything.
func Run(ctx context.Context, opts Options) ([]Outcome, error) {
	pulumi, err := exec.LookPath("pulumi")
	if err != nil {
		return nil, fmt.Errorf("the Pulumi CLI is not on PATH: install it from https://www.pulumi.com/docs/install/ and run make configure again: %w", err)
	}
	project, err := workspace.LoadProject(opts.ProjectFile)
	if err != nil {
		return nil, fmt.Errorf("read the key descriptions: %w", err)
	}

	have, stackExists, err := setKeys(ctx, pulumi, opts.Stack)
	if err != nil {
		return nil, err
	}
	var outcomes []Outcome
	var steps []step
	var unmet []string
	for _, k := range opts.Keys {
		declared, ok := project.Config[k.Name]
		if !ok {
			return nil, fmt.Errorf("%s is not declared in %s", k.Name, opts.ProjectFile)
		}
		if have[string(project.Name)+":"+k.Name] {
			outcomes = append(outcomes, Outcome{Key: k.Name, Action: "kept"})
			continue
		}
		s := step{key: k, secret: declared.Secret, about: declared.Description, value: getenv(opts, k.Variable)}
		// Two values piped into one variable would be stored as one.
		if strings.ContainsAny(s.value, " \t\r\n") {
			return nil, fmt.Errorf("%s (for %s) contains whitespace or a line break: set it to the value alone; nothing was changed", k.Variable, k.Name)
		}
		if s.value == "" && !opts.Terminal {
			unmet = append(unmet, fmt.Sprintf("%s (for %s)", k.Variable, k.Name))
		}
		steps = append(steps, s)
	}
	if len(unmet) > 0 {
		return nil, fmt.Errorf("%w: set %s in the environment, or run make configure on a terminal; nothing was changed", ErrNeedsInput, strings.Join(unmet, " and "))
	}
	if err := checkPassphrase(opts, project, stackExists, steps); err != nil {
		return nil, err
	}

	if !stackExists {
		cmd := exec.CommandContext(ctx, pulumi, "stack", "init", opts.Stack) //nolint:gosec // G204: the stack name is an argument of its own, never shell-parsed
		cmd.Stdin, cmd.Stdout, cmd.Stderr = opts.Stdin, opts.Stderr, opts.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("pulumi stack init %s: %w", opts.Stack, err)
		}
	}
	for _, s := range steps {
		args := []string{"config", "set", "--stack", opts.Stack}
		if s.secret {
			args = append(args, "--secret")
		}
		args = append(args, s.key.Name)
		cmd := exec.CommandContext(ctx, pulumi, args...) //nolint:gosec // G204: fixed subcommand and declared key names; values go on stdin
		cmd.Stdout, cmd.Stderr = opts.Stderr, opts.Stderr
		action := "set from " + s.key.Variable
		if s.value != "" {
			// On standard input, not the command line, where other users' ps
			// would see it; the CLI reads all of a non-terminal stdin.
			cmd.Stdin = strings.NewReader(s.value)
		} else {
			action = "asked"
			fmt.Fprintf(opts.Stderr, "\n%s: %s\n", s.key.Name, s.about)
			if s.secret {
				fmt.Fprintf(opts.Stderr, "This value is secret: it is stored encrypted, and hidden as you type or paste it.\n")
			}
			cmd.Stdin = opts.Stdin
		}
		if err := cmd.Run(); err != nil {
			return outcomes, fmt.Errorf("pulumi config set %s on stack %s: %w", s.key.Name, opts.Stack, err)
		}
		outcomes = append(outcomes, Outcome{Key: s.key.Name, Action: action})
	}
	return outcomes, nil
}

func getenv(opts Options, name string) string {
	v, _ := opts.LookupEnv(name)
	return v
}

// checkPassphrase stops the run before any change when the stack keeps its
// secrets with a passphrase that the Pulumi CLI would have to ask for where
// it cannot: it reads PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE
// when either is set (even empty), and otherwise prompts only where it can
// (CanPrompt), which `stack init` without a terminal and `config set --secret`
// fed its value on standard input cannot.
func checkPassphrase(opts Options, project *workspace.Project, stackExists bool, steps []step) error {
	for _, name := range []string{"PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"} {
		if _, ok := opts.LookupEnv(name); ok {
			return nil
		}
	}
	blind := !stackExists && !opts.Terminal
	for _, s := range steps {
		blind = blind || (s.secret && s.value != "")
	}
	if !blind {
		return nil
	}
	backend, ok := opts.LookupEnv("PULUMI_BACKEND_URL")
	if !ok && project.Backend != nil {
		backend = project.Backend.URL
	}
	stackFile := filepath.Join(filepath.Dir(opts.ProjectFile), "Pulumi."+path.Base(opts.Stack)+".yaml")
	if !usesPassphrase(stackFile, backend) {
		return nil
	}
	return fmt.Errorf("%w: stack %s keeps its secrets with a passphrase, which pulumi cannot ask for here: set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE), or run make configure on a terminal without DESCOPE_ACCESS_KEY; nothing was changed", ErrNeedsInput, opts.Stack)
}

// usesPassphrase reports whether a stack's secrets use Pulumi's passphrase
// provider: its stack file holds the passphrase's salt; or the file names no
// other provider and the backend is not Pulumi Cloud (an http(s) URL, whose
// stacks default to its own secrets service).
func usesPassphrase(stackFile, backend string) bool {
	if raw, err := os.ReadFile(stackFile); err == nil { //nolint:gosec // G304: the stack file beside the operator's own project file.
		for _, line := range strings.Split(string(raw), "\n") {
			switch key, value, _ := strings.Cut(line, ":"); key {
			case "encryptionsalt":
				return true
			case "secretsprovider":
				return strings.TrimSpace(value) == "passphrase"
			}
		}
	}
	return backend != "" && !strings.HasPrefix(backend, "https://") && !strings.HasPrefix(backend, "http://")
}

// setKeys lists the keys the stack has, and whether it exists at all (a
// stack is created only once the values for it are known). `pulumi config`
// shows secrets as "[secret]" without decrypting them, so no passphrase is
// needed to look.
func setKeys(ctx context.Context, pulumi, stack string) (map[string]bool, bool, error) {
	cmd := exec.CommandContext(ctx, pulumi, "config", "--stack", stack, "--json") //nolint:gosec // G204: the stack name is an argument of its own, never shell-parsed
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if strings.Contains(stderr.String(), "no stack named") {
			return map[string]bool{}, false, nil
		}
		return nil, false, fmt.Errorf("pulumi config --stack %s: %w: %s", stack, err, strings.TrimSpace(stderr.String()))
	}
	var values map[string]json.RawMessage
	if err := json.Unmarshal(stdout.Bytes(), &values); err != nil {
		return nil, false, fmt.Errorf("read the output of pulumi config --json: %w", err)
	}
	keys := make(map[string]bool, len(values))
	for k := range values {
		keys[k] = true
	}
	return keys, true, nil
}
