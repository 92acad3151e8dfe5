// Command bootstrap is the Cognito pre sign-up trigger that links a first
// Descope (OIDC) sign-in to the existing account with the same verified email.
//
// Build it as it is deployed with `make build` (internal/lambdabuild holds the flags).
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))

	cfg, err := loadConfig(os.LookupEnv)
	if err != nil {
		// Fail closed: without a valid configuration no sign-up may pass.
		logger.Error("invalid configuration", "error", err.Error())
		os.Exit(1)
	}

	client, err := newCognitoClient(os.LookupEnv)
	if err != nil {
		logger.Error("cannot create Cognito client", "error", err.Error())
		os.Exit(1)
	}

	chain, err := newChainedTrigger(os.LookupEnv)
	if err != nil {
		logger.Error("invalid chained pre sign-up function", "error", err.Error())
		os.Exit(1)
	}

	handler := NewHandler(cfg, client, logger)
	handler.chain = chain
	// No start-up line: every decision line carries the settings, and one
	// write fewer is a shorter cold start.
	lambda.Start(handler)
}
