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

.PHONY: help build test fuzz lint bench stack configure preview up destroy clean tidy

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

# Keys no default can stand in for; `make up` asks for any the stack lacks.
REQUIRED_CONFIG := descopeProjectId
REQUIRED_SECRETS := descopeAccessKey

stack: # Select the stack, creating it on first use
	@pulumi stack select $(STACK) 2>/dev/null || pulumi stack init $(STACK)

configure: stack ## Ask for the Descope values the stack does not have yet
	@for key in $(REQUIRED_CONFIG); do \
		pulumi config get --stack $(STACK) $$key >/dev/null 2>&1 || pulumi config set --stack $(STACK) $$key || exit 1; \
	done
	@for key in $(REQUIRED_SECRETS); do \
		pulumi config get --stack $(STACK) $$key >/dev/null 2>&1 || pulumi config set --stack $(STACK) --secret $$key || exit 1; \
	done

preview: configure ## Show what `up` would change
	pulumi preview --stack $(STACK) --diff

up: configure ## Deploy the stack
	pulumi up --stack $(STACK)

destroy: stack ## Tear the stack down (the user pool is protected and retained)
	pulumi destroy --stack $(STACK)

tidy: ## Tidy go.mod
	$(GO) mod tidy

clean: ## Remove build output
	rm -rf bin dist
