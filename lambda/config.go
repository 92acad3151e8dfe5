package main

import (
	"fmt"
	"strings"
	"unicode"
)

const (
	envProviderName        = "DESCOPE_PROVIDER_NAME"
	envRequireExistingUser = "REQUIRE_EXISTING_USER"

	defaultProviderName = "Descope"
	// maxProviderNameLen is Cognito's limit on identity provider names.
	maxProviderNameLen = 32
)

// Config is everything the function reads from its environment, read once at
// start-up.
type Config struct {
	// ProviderName is the Cognito identity provider name of Descope; federated
	// user names start with ProviderName + "_".
	ProviderName string
	// RequireExistingUser refuses a Descope sign-up when no existing account
	// matches its email, instead of letting Cognito create a new user.
	RequireExistingUser bool
}

// loadConfig reads and validates the configuration. lookup is os.LookupEnv in
// production. Errors name the variable and the fix; an unparsable value is an
// error, never a silent default, so a bad deployment fails closed.
func loadConfig(lookup func(string) (string, bool)) (Config, error) {
	cfg := Config{ProviderName: defaultProviderName}

	if v, ok := lookup(envProviderName); ok && v != "" {
		if err := validateProviderName(v); err != nil {
			return Config{}, fmt.Errorf("%s=%q: %w", envProviderName, v, err)
		}
		cfg.ProviderName = v
	}

	if v, ok := lookup(envRequireExistingUser); ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "", "false":
			cfg.RequireExistingUser = false
		case "true":
			cfg.RequireExistingUser = true
		default:
			return Config{}, fmt.Errorf("%s=%q: not a boolean; set it to \"true\" or \"false\" (or leave it unset for false)", envRequireExistingUser, v)
		}
	}
	return cfg, nil
}

func validateProviderName(name string) error {
	if len(name) > maxProviderNameLen {
		return fmt.Errorf("longer than %d characters; set it to the identity provider name configured in the user pool", maxProviderNameLen)
	}
	for _, r := range name {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '_' {
			return fmt.Errorf("contains whitespace, a control character or '_'; set it to the identity provider name configured in the user pool (e.g. %q)", defaultProviderName)
		}
	}
	if strings.EqualFold(name, "Cognito") {
		return fmt.Errorf("%q is reserved for native users; set it to the Descope identity provider name", name)
	}
	return nil
}
