package lambdaharness

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// CognitoTriggerTimeout is how long Cognito waits for a trigger, cold start
// included; every invocation gets it as its deadline.
const CognitoTriggerTimeout = 5 * time.Second

// ErrFunctionExited is returned by Sandbox.Invoke when the function process
// exits before answering.
var ErrFunctionExited = errors.New("function process exited")

// Sandbox is one execution environment: a Runtime API and the function
// process polling it.
type Sandbox struct {
	API      *RuntimeAPI
	Function *Function
}

// StartSandbox starts a Runtime API and then the function. The function's
// RuntimeAPI option is filled in.
func StartSandbox(opts FunctionOptions) (*Sandbox, error) {
	api, err := StartRuntimeAPI()
	if err != nil {
		return nil, err
	}
	opts.RuntimeAPI = api.Addr
	fn, err := StartFunction(opts)
	if err != nil {
		api.Close()
		return nil, err
	}
	return &Sandbox{API: api, Function: fn}, nil
}

// Invoke sends payload with Cognito's deadline and waits for the answer,
// until ctx ends or the process exits.
func (s *Sandbox) Invoke(ctx context.Context, payload []byte) (Result, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	answered := make(chan struct{})
	defer close(answered)
	go func() {
		select {
		case <-s.Function.Exited():
			cancel(ErrFunctionExited)
		case <-answered:
		}
	}()
	r, err := s.API.Invoke(ctx, payload, CognitoTriggerTimeout)
	if err != nil {
		if cause := context.Cause(ctx); errors.Is(cause, ErrFunctionExited) {
			return r, fmt.Errorf("%w before answering:\n%s", ErrFunctionExited, s.Function.Output())
		}
		return r, err
	}
	return r, nil
}

// Stop kills the function and closes the Runtime API.
func (s *Sandbox) Stop() (FunctionExit, error) {
	exit, err := s.Function.Stop()
	s.API.Close()
	return exit, err
}
