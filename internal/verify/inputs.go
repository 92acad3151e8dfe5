package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"time"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/passkeys"
)

// Inputs are the values the checks need: the stack's outputs and four of
// its config keys. Each can be given by flag; the rest come from Pulumi.
type Inputs struct {
	UserPoolID         string `json:"userPoolId"`
	PasskeyLoginURL    string `json:"passkeyLoginUrl"`
	DescopeRedirectURI string `json:"descopeRedirectUri"`
	MergeFunctionName  string `json:"mergeFunctionName"`
	// MergeFunctionLogGroup is only named in fixes; it may be empty.
	MergeFunctionLogGroup string `json:"mergeFunctionLogGroup"`
	DescopeProjectID      string `json:"descopeProjectId"`
	// DescopeIssuerURL empty means the issuer derived from the project ID.
	DescopeIssuerURL string `json:"descopeIssuerUrl"`
	// ProviderName empty means passkeys.DefaultProviderName.
	ProviderName string `json:"providerName"`
	// DescopeFlowID empty means passkeys.DefaultDescopeFlowID.
	DescopeFlowID string `json:"descopeFlowId"`
	// Region empty means the region in UserPoolID's prefix.
	Region string `json:"region"`
}

// inputField ties an input to its flag and to where Pulumi keeps it.
type inputField struct {
	flag     string
	output   string // stack output name, or ""
	config   string // config key without the project prefix, or ""
	required bool
	value    func(*Inputs) *string
}

var inputFields = []inputField{
	{"user-pool-id", "userPoolId", "", true, func(in *Inputs) *string { return &in.UserPoolID }},
	{"passkey-login-url", "passkeyLoginUrl", "", true, func(in *Inputs) *string { return &in.PasskeyLoginURL }},
	{"descope-redirect-uri", "descopeRedirectUri", "", true, func(in *Inputs) *string { return &in.DescopeRedirectURI }},
	{"merge-function-name", "mergeFunctionName", "", true, func(in *Inputs) *string { return &in.MergeFunctionName }},
	{"merge-function-log-group", "mergeFunctionLogGroup", "", false, func(in *Inputs) *string { return &in.MergeFunctionLogGroup }},
	{"descope-project-id", "", "descopeProjectId", true, func(in *Inputs) *string { return &in.DescopeProjectID }},
	{"descope-issuer-url", "", "descopeIssuerUrl", false, func(in *Inputs) *string { return &in.DescopeIssuerURL }},
	{"provider-name", "", "providerName", false, func(in *Inputs) *string { return &in.ProviderName }},
	{"descope-flow-id", "", "descopeFlowId", false, func(in *Inputs) *string { return &in.DescopeFlowID }},
}

// InputFlag describes one flag that sets an input, for the command's flag set.
type InputFlag struct {
	Name  string
	Usage string
	Value *string
}

// Flags returns the flags that set in's fields.
func (in *Inputs) Flags() []InputFlag {
	flags := make([]InputFlag, 0, len(inputFields)+1)
	for _, f := range inputFields {
		usage := "the stack output " + f.output
		if f.config != "" {
			usage = "the stack config key " + f.config
		}
		flags = append(flags, InputFlag{Name: f.flag, Usage: usage + " (default: read with the Pulumi CLI)", Value: f.value(in)})
	}
	return append(flags, InputFlag{Name: "region", Usage: "AWS region (default: the one in the user pool ID)", Value: &in.Region})
}

// Complete reports whether every required value is set, so Pulumi need not be asked.
func (in *Inputs) Complete() bool {
	for _, f := range inputFields {
		if f.required && *f.value(in) == "" {
			return false
		}
	}
	return true
}

// Resolve fills in the derived defaults and checks that every required value
// is there, naming the flag for each missing one.
func (in *Inputs) Resolve() error {
	var missing []string
	for _, f := range inputFields {
		if f.required && strings.TrimSpace(*f.value(in)) == "" {
			missing = append(missing, "--"+f.flag)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing %s: pass them, or leave them out and let verify read the stack with the Pulumi CLI", strings.Join(missing, ", "))
	}
	if in.DescopeIssuerURL == "" {
		in.DescopeIssuerURL = passkeys.DescopeIssuerURL(in.DescopeProjectID)
	}
	if in.ProviderName == "" {
		in.ProviderName = passkeys.DefaultProviderName
	}
	if in.DescopeFlowID == "" {
		in.DescopeFlowID = passkeys.DefaultDescopeFlowID
	}
	if in.Region == "" {
		region, _, ok := strings.Cut(in.UserPoolID, "_")
		if !ok || region == "" {
			return fmt.Errorf("user pool ID %q has no region prefix (like us-east-1_AbC123): pass --region", in.UserPoolID)
		}
		in.Region = region
	}
	return nil
}

// PulumiRunner runs the Pulumi CLI with args and returns its standard output.
type PulumiRunner func(ctx context.Context, args ...string) ([]byte, error)

// ErrNoPulumi means the Pulumi CLI is not installed.
var ErrNoPulumi = errors.New("the Pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/), or pass every value by flag (see --help)")

// pulumiTimeout bounds each Pulumi CLI call; reading a stack takes seconds.
const pulumiTimeout = 60 * time.Second

// RunPulumi runs the `pulumi` on PATH, non-interactively.
func RunPulumi(ctx context.Context, args ...string) ([]byte, error) {
	path, err := exec.LookPath("pulumi")
	if err != nil {
		return nil, ErrNoPulumi
	}
	ctx, cancel := context.WithTimeout(ctx, pulumiTimeout)
	defer cancel()
	// path is the pulumi on PATH; args are assembled by this package, never from input.
	cmd := exec.CommandContext(ctx, path, append(args, "--non-interactive")...) //nolint:gosec // see above
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("pulumi %s: %s", strings.Join(args, " "), msg)
	}
	return out, nil
}

// StackOutputs reads a stack's outputs with `pulumi stack output --json`,
// where secrets stay "[secret]". Stack "" is the selected stack.
func StackOutputs(ctx context.Context, stack string, run PulumiRunner) (map[string]any, error) {
	stackArgs, stackName := stackArgs(stack)
	raw, err := run(ctx, append([]string{"stack", "output", "--json"}, stackArgs...)...)
	if errors.Is(err, ErrNoPulumi) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("read the outputs of %s: %w (select the stack with --stack, and set PULUMI_BACKEND_URL if its state is not on this machine)", stackName, err)
	}
	var outputs map[string]any
	if err := json.Unmarshal(raw, &outputs); err != nil {
		return nil, fmt.Errorf("read the outputs of %s: pulumi printed no JSON object: %w", stackName, err)
	}
	if len(outputs) == 0 {
		return nil, fmt.Errorf("%s has no outputs: it was never deployed; run `make up` (or `pulumi up`) first", stackName)
	}
	return outputs, nil
}

// StackConfig reads a stack's config with `pulumi config --json`, never
// --show-secrets: the values of the project's keys, by key without the
// project prefix (the aws: provider's keys are left out, and so are secrets).
func StackConfig(ctx context.Context, stack string, run PulumiRunner) (map[string]string, error) {
	stackArgs, stackName := stackArgs(stack)
	raw, err := run(ctx, append([]string{"config", "--json"}, stackArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("read the config of %s: %w", stackName, err)
	}
	var config map[string]struct {
		Value  string `json:"value"`
		Secret bool   `json:"secret"`
	}
	if err := json.Unmarshal(raw, &config); err != nil {
		return nil, fmt.Errorf("read the config of %s: pulumi printed no JSON object: %w", stackName, err)
	}
	values := map[string]string{}
	for name, v := range config {
		// Keys carry the project's prefix: "cognito-descope-passkeys:descopeProjectId".
		if namespace, key, ok := strings.Cut(name, ":"); ok && namespace != "aws" && !v.Secret {
			values[key] = v.Value
		}
	}
	return values, nil
}

// stackArgs are the Pulumi CLI arguments that select stack, and its name in messages.
func stackArgs(stack string) (args []string, name string) {
	if stack == "" {
		return nil, "the selected stack"
	}
	return []string{"--stack", stack}, "stack " + stack
}

// FillFromPulumi sets every empty field of in from the stack's outputs and
// config. It never asks for secrets: config is read without --show-secrets.
func (in *Inputs) FillFromPulumi(ctx context.Context, stack string, run PulumiRunner) error {
	outputs, err := StackOutputs(ctx, stack, run)
	if err != nil {
		return err
	}
	config, err := StackConfig(ctx, stack, run)
	if err != nil {
		return err
	}
	_, stackName := stackArgs(stack)

	var missingOutputs []string
	for _, f := range inputFields {
		dst := f.value(in)
		if *dst != "" {
			continue
		}
		switch {
		case f.output != "":
			if s, ok := outputs[f.output].(string); ok {
				*dst = s
			} else if f.required {
				missingOutputs = append(missingOutputs, f.output)
			}
		case f.config != "":
			*dst = config[f.config]
		}
	}
	if len(missingOutputs) > 0 {
		sort.Strings(missingOutputs)
		return fmt.Errorf("%s has no output %s: deploy this version of the program with `pulumi up`, or pass the values by flag", stackName, strings.Join(missingOutputs, ", "))
	}
	if in.DescopeProjectID == "" {
		return fmt.Errorf("%s has no config key descopeProjectId: pass --descope-project-id", stackName)
	}
	return nil
}
