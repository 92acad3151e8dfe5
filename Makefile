# Targets a newcomer guesses. The Pulumi program builds the merge function
# itself, so `make up` in a fresh clone needs no earlier step.
SHELL := /bin/bash
.DEFAULT_GOAL := help

STACK ?= dev
# Pulumi.yaml makes the local file backend the default (no Pulumi Cloud account
# needed); PULUMI_BACKEND_URL=s3://... or https://api.pulumi.com overrides it.
GO ?= go
GOLANGCI_LINT ?= golangci-lint
FUZZTIME ?= 10s
# Where the operator commands are built (git-ignored).
BIN ?= bin

.PHONY: FORCE help build test fuzz lint bench reconcile restore-trigger pulumi-cli pulumi-version aws-credentials stack configure preview up verify try destroy clean tidy

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

build: ## Compile the program, and the merge function as `pulumi up` deploys it (dist/merge-function)
	$(GO) build ./...
	$(GO) run ./cmd/build-merge-function

test: ## Run every test: unit, Pulumi mocks, config validation, the real bootstrap end to end
	$(GO) test -count=1 ./...

fuzz: ## Fuzz the merge function's event decoding and filter escaping briefly
	@for target in $$($(GO) test -list '^Fuzz' ./lambda | grep '^Fuzz'); do \
		echo "fuzz $$target for $(FUZZTIME)"; \
		$(GO) test ./lambda -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

lint: ## gofmt, go vet and golangci-lint
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
		if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GOLANGCI_LINT) run ./...

bench: ## Measure the merge function: against the blog's Python baseline, start-up trace, a throttled sign-in wave; writes BENCHMARKS.md
	$(GO) test -run '^$$' -bench . -benchmem ./lambda
	$(GO) run ./bench -out BENCHMARKS.md -pulumi-cost

# Flags for cmd/reconcile, e.g.
#   make reconcile RECONCILE_FLAGS="--user-pool-id us-east-1_AbC123"            (dry run)
#   make reconcile RECONCILE_FLAGS="--user-pool-id us-east-1_AbC123 --apply --backup reconcile-backup.jsonl"
RECONCILE_FLAGS ?=

reconcile: aws-credentials $(BIN)/reconcile ## Merge the Descope duplicates of existing users (dry run unless RECONCILE_FLAGS has --apply)
	$(BIN)/reconcile $(RECONCILE_FLAGS)

# The operator commands run as built binaries, not with `go run`, which turns
# every failure into exit status 1: make's own status is 2 on any failure,
# and its last line names the command's code ("Error 3"); a script that acts
# on the documented codes runs `make bin/reconcile` and then bin/reconcile.
# Always rebuilt; go build's cache makes that a no-op when nothing changed.
$(BIN)/%: FORCE
	@$(GO) build -o $@ ./cmd/$*

# Flags for cmd/restore-trigger (exit codes: cmd/restore-trigger/main.go), e.g.
#   make restore-trigger RESTORE_TRIGGER_FLAGS="--user-pool-id us-east-1_AbC123 --remove"   (dry run)
#   make restore-trigger RESTORE_TRIGGER_FLAGS="--user-pool-id us-east-1_AbC123 --pre-sign-up arn:aws:lambda:us-east-1:123456789012:function:old --apply"
RESTORE_TRIGGER_FLAGS ?=

restore-trigger: aws-credentials $(BIN)/restore-trigger ## Emergency: put a pool's pre sign-up trigger back or remove it, every other setting kept (dry run unless RESTORE_TRIGGER_FLAGS has --apply)
	@$(BIN)/restore-trigger $(RESTORE_TRIGGER_FLAGS)

# Targets that need the Pulumi CLI or AWS credentials check first and say, in
# one line, what to install or set.
pulumi-cli: # The Pulumi CLI is on PATH
	@command -v pulumi >/dev/null 2>&1 || { echo "make $(or $(MAKECMDGOALS),$@): the Pulumi CLI is not installed: get it from https://www.pulumi.com/docs/install/ (or: curl -fsSL https://get.pulumi.com | sh), then run it again" >&2; exit 127; }

# Adopting a pool relies on the import option updating an imported resource to
# the declared inputs instead of failing on a mismatch (pulumi/pulumi#19339, CLI
# 3.174). Bash builtins only, so it runs wherever the CLI does.
PULUMI_MIN_MINOR := 174
pulumi-version: pulumi-cli # The Pulumi CLI is 3.174 or later
	@version=$$(pulumi version 2>/dev/null); version=$${version#v}; IFS=. read -r major minor _ <<< "$$version"; minor=$${minor%%[!0-9]*}; \
		if [[ ! "$$major" =~ ^[0-9]+$$ || ! "$$minor" =~ ^[0-9]+$$ ]] || (( major < 3 || (major == 3 && minor < $(PULUMI_MIN_MINOR)) )); then \
		echo "make $(or $(MAKECMDGOALS),$@): the Pulumi CLI is $${version:-of unknown version}, but this program needs 3.$(PULUMI_MIN_MINOR) or later (an adopted pool is imported, then updated): upgrade it from https://www.pulumi.com/docs/install/ (or: curl -fsSL https://get.pulumi.com | sh), then run it again" >&2; exit 127; fi

aws-credentials: # Some AWS credentials are configured (an instance role cannot be seen: AWS_CREDENTIALS_CHECK=skip)
	@[ "$(AWS_CREDENTIALS_CHECK)" = skip ] || [ -n "$$AWS_ACCESS_KEY_ID$$AWS_PROFILE$$AWS_WEB_IDENTITY_TOKEN_FILE$$AWS_CONTAINER_CREDENTIALS_FULL_URI$$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" ] \
		|| [ -f "$${AWS_SHARED_CREDENTIALS_FILE:-$$HOME/.aws/credentials}" ] || [ -f "$${AWS_CONFIG_FILE:-$$HOME/.aws/config}" ] \
		|| { echo "make $(or $(MAKECMDGOALS),$@): no AWS credentials found: run aws configure (or aws sso login --profile <p> and export AWS_PROFILE=<p>), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; with an instance role add AWS_CREDENTIALS_CHECK=skip" >&2; exit 2; }

stack: pulumi-cli # Select the stack, creating it on first use
	@pulumi stack select $(STACK) 2>/dev/null || pulumi stack init $(STACK)

# Asks for the Descope values the stack lacks, after printing what each one is;
# without a terminal it takes them from DESCOPE_PROJECT_ID and
# DESCOPE_ACCESS_KEY (the key always stored as a secret), and without those it
# stops before changing anything. Exit codes: cmd/configure/main.go.
# The stack itself is created only once its values are known.
configure: pulumi-cli $(BIN)/configure ## Set the Descope values the stack lacks (asks, or DESCOPE_PROJECT_ID / DESCOPE_ACCESS_KEY)
	@$(BIN)/configure -stack $(STACK)
	@pulumi stack select $(STACK)

preview: pulumi-version aws-credentials configure ## Show what `up` would change
	pulumi preview --stack $(STACK) --diff

up: pulumi-version aws-credentials configure ## Deploy the stack
	pulumi up --stack $(STACK)

# Reads the stack with the Pulumi CLI (never its secrets); VERIFY_FLAGS=--json for CI.
verify: pulumi-cli aws-credentials $(BIN)/verify ## Check the deployed stack end to end and name any missing step
	$(BIN)/verify --stack $(STACK) $(VERIFY_FLAGS)

# Signs in once through the stack and shows the account it landed in;
# TRY_FLAGS=--show-tokens prints the tokens. Exit codes: cmd/try/main.go.
try: pulumi-cli aws-credentials $(BIN)/try ## Sign in with a passkey through the stack and show the account you land in
	$(BIN)/try --stack $(STACK) $(TRY_FLAGS)

# `pulumi destroy` alone deletes nothing: a protected guard stops it first.
# A throwaway stack goes in two steps: an `up` that lifts every protection
# (PASSKEYS_TEARDOWN_STACK names the stack), then the destroy, which deletes
# the pool and every user in it, the pool before the function it calls. An
# adopted pool (userPoolId) is never deleted: the `up` puts its previous
# trigger back, and the destroy leaves the pool, its clients and domain.
destroy: ## Delete a throwaway stack, its user pool and users included: make destroy STACK=dev CONFIRM=dev
	@if [ "$(CONFIRM)" != "$(STACK)" ]; then \
		echo "make destroy deletes stack $(STACK) with the user pool it created and every user in it (an adopted pool is detached and kept); nothing was changed."; \
		echo "It runs: PASSKEYS_TEARDOWN_STACK=$(STACK) pulumi up --stack $(STACK) (lift every protection), then pulumi destroy --stack $(STACK)."; \
		echo "To go ahead: make destroy STACK=$(STACK) CONFIRM=$(STACK)"; \
		exit 2; \
	fi
	@$(MAKE) --no-print-directory pulumi-cli aws-credentials
	PASSKEYS_TEARDOWN_STACK=$(STACK) pulumi up --stack $(STACK) --yes
	pulumi destroy --stack $(STACK) --yes

tidy: ## Tidy go.mod
	$(GO) mod tidy

clean: ## Remove build output
	rm -rf bin dist
