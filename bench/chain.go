package main

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdabuild"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdaharness"
)

// chainedARN is the previous trigger the chaining run calls.
const chainedARN = "arn:aws:lambda:" + lambdaharness.Region + ":000000000000:function:company-rules"

// chainCost is what chainPreSignUpTrigger adds to a warm invocation: the
// merge function alone and the merge function chaining a small Go trigger
// (internal/lambdaharness/presignuprules) behind the Invoke stand-in, on
// the stub backend, invocations alternating between the two.
type chainCost struct {
	paths []chainPath
}

type chainPath struct {
	name           string
	alone, chained []time.Duration
}

func measureChainCost(ctx context.Context, o options, root, tmp string, goFunction implementation, w *world) (*chainCost, error) {
	progress("chaining: building the chained test function")
	rules, err := lambdabuild.Build(ctx, lambdabuild.Options{
		Package: "./internal/lambdaharness/presignuprules", ModuleDir: root, OutputDir: filepath.Join(tmp, "presignuprules"), GOARCH: runtime.GOARCH,
	})
	if err != nil {
		return nil, err
	}
	rulesSandbox, err := lambdaharness.StartSandbox(lambdaharness.FunctionOptions{
		Command: []string{rules.BinaryPath}, Dir: filepath.Dir(rules.BinaryPath),
		CognitoEndpoint: "http://127.0.0.1:9", Env: append(rules.Environ(), "AUTO_CONFIRM_DOMAIN=example.com"),
	})
	if err != nil {
		return nil, err
	}
	defer func() { _, _ = rulesSandbox.Stop() }()
	invokeAPI, err := lambdaharness.StartInvokeAPI(map[string]lambdaharness.InvokeTarget{chainedARN: {Sandbox: rulesSandbox, Timeout: 3 * time.Second}})
	if err != nil {
		return nil, err
	}
	defer invokeAPI.Close()

	var stub backend
	for _, b := range w.backends() {
		if b.name == "stub" {
			stub = b
		}
	}
	proxy, err := lambdaharness.StartCognitoProxy(stub.proxy)
	if err != nil {
		return nil, err
	}
	defer proxy.Close()

	chaining := goFunction
	chaining.env = append(append([]string(nil), goFunction.env...), "CHAINED_PRE_SIGN_UP_ARN="+chainedARN, "AWS_ENDPOINT_URL_LAMBDA="+invokeAPI.URL)
	alone, err := lambdaharness.StartSandbox(goFunction.functionOptions(proxy.URL))
	if err != nil {
		return nil, err
	}
	defer func() { _, _ = alone.Stop() }()
	chained, err := lambdaharness.StartSandbox(chaining.functionOptions(proxy.URL))
	if err != nil {
		return nil, err
	}
	defer func() { _, _ = chained.Stop() }()

	cost := &chainCost{}
	for _, p := range w.paths {
		if p.name == "no match" {
			continue // the link path already shows the Cognito side
		}
		progress("chaining, %s path: %d warm invocations of each, alternating", p.name, o.warmInvokes)
		loopCtx, cancel := context.WithTimeout(ctx, loopTimeout)
		cp := chainPath{name: p.name}
		for i := -o.warmups; i < o.warmInvokes; i++ {
			a, err := invokeOK(loopCtx, alone, p.event)
			if err != nil {
				cancel()
				return nil, fmt.Errorf("chaining, %s, alone: %w", p.name, err)
			}
			c, err := invokeOK(loopCtx, chained, p.event)
			if err != nil {
				cancel()
				return nil, fmt.Errorf("chaining, %s, chained: %w", p.name, err)
			}
			if i >= 0 {
				cp.alone = append(cp.alone, a.Latency())
				cp.chained = append(cp.chained, c.Latency())
			}
		}
		cancel()
		cost.paths = append(cost.paths, cp)
	}
	return cost, nil
}

// writeChainCost renders the chaining section.
func writeChainCost(b *strings.Builder, c *chainCost) {
	fmt.Fprintf(b, "\n### Chaining a previous trigger (chainPreSignUpTrigger)\n\n")
	b.WriteString("The deployed Go function alone and the same function chaining a small Go pre sign-up function " +
		"(`internal/lambdaharness/presignuprules`, which sets autoConfirmUser for the event's domain) through a local stand-in of Lambda's Invoke API, " +
		"on the stub backend, invocations alternating between the two. The added latency is one signed HTTP call and the chained function's own work; " +
		"a real previous trigger adds its own duration (and, when it is cold, its cold start) on top.\n\n")
	b.WriteString("| Path | alone p50 | chained p50 | added p50 | alone p99 | chained p99 | added p99 |\n|---|---|---|---|---|---|---|\n")
	for _, p := range c.paths {
		a50, c50 := percentile(p.alone, 50), percentile(p.chained, 50)
		a99, c99 := percentile(p.alone, 99), percentile(p.chained, 99)
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", p.name, ms(a50), ms(c50), ms(c50-a50), ms(a99), ms(c99), ms(c99-a99))
	}
}
