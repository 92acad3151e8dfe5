package try

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Exit statuses of `make try` (cmd/try).
const (
	// ExitSignedIn: the sign-in came back, its ID token verified.
	ExitSignedIn = 0
	// ExitRefused: the sign-in came back refused (an error= answer, a code
	// the token endpoint refused, an ID token that is not valid).
	ExitRefused = 1
	// ExitUsage: try could not start (flags, stack, Pulumi CLI, AWS, no
	// localhost callback URL, a confidential client without its secret, a
	// port in use).
	ExitUsage = 2
	// ExitNoAnswer: no sign-in came back before the wait ran out, or it was
	// interrupted.
	ExitNoAnswer = 3
)

// DefaultWait is how long try waits for the browser to come back: time for
// a passkey ceremony, and for an email verification on a first sign-in.
const DefaultWait = 5 * time.Minute

// ErrNoAnswer means no sign-in came back in time.
var ErrNoAnswer = errors.New("no sign-in came back")

// Options configure one sign-in.
type Options struct {
	Stack Stack
	// Callback is the client's http://localhost callback URL to listen on.
	Callback     *url.URL
	ClientSecret string
	Cognito      CognitoAPI
	// HTTP reaches the token endpoint and the issuer.
	HTTP *http.Client
	// Wait bounds the wait for the browser; zero means DefaultWait.
	Wait time.Duration
	// Ready gets the sign-in URL once the callback listens.
	Ready func(signInURL string)
	// Notice gets each answer refused while the wait goes on.
	Notice func(refusal *Refusal)
}

// Result is how the sign-in ended: an Account, or a Refusal.
type Result struct {
	Account *Account
	Refusal *Refusal
	// Token holds the tokens of a sign-in that got as far as the exchange.
	Token *oauth2.Token
}

// ExitCode is the command's exit status for the result.
func (r Result) ExitCode() int {
	if r.Refusal != nil {
		return ExitRefused
	}
	return ExitSignedIn
}

// Refusal is an answer that did not end in a verified sign-in, said in words.
type Refusal struct {
	Title  string
	Detail string
	Fix    string
}

// session is one sign-in: its state, its PKCE verifier, and the callback
// handler waiting for the browser.
type session struct {
	o        Options
	oauth    oauth2.Config
	state    string
	verifier string
	idTokens *oidc.IDTokenVerifier

	mu      sync.Mutex
	done    bool
	results chan Result
}

// Run listens on the callback URL, hands the sign-in URL to o.Ready, and
// returns how the one sign-in that carries this run's state ended. Answers
// with another state are refused (o.Notice) and the wait goes on.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Wait <= 0 {
		o.Wait = DefaultWait
	}
	ctx, cancel := context.WithTimeout(ctx, o.Wait)
	defer cancel()
	httpCtx := oidc.ClientContext(ctx, o.HTTP)

	// Discovery first, so a wrong issuer is reported before anyone signs in.
	provider, err := oidc.NewProvider(httpCtx, o.Stack.IssuerURL)
	if err != nil {
		return Result{}, fmt.Errorf("%w: read the user pool's issuer %s (output cognitoIssuerUrl): %w", ErrSetup, o.Stack.IssuerURL, err)
	}
	s := &session{
		o: o,
		oauth: oauth2.Config{
			ClientID:     o.Stack.ClientID,
			ClientSecret: o.ClientSecret,
			Endpoint:     oauth2.Endpoint{AuthURL: o.Stack.AuthorizeURL, TokenURL: o.Stack.TokenURL, AuthStyle: authStyle(o.ClientSecret)},
			RedirectURL:  o.Callback.String(),
			Scopes:       o.Stack.Scopes,
		},
		state:    rand.Text(),
		verifier: oauth2.GenerateVerifier(),
		idTokens: provider.VerifierContext(httpCtx, &oidc.Config{ClientID: o.Stack.ClientID}),
		results:  make(chan Result, 1),
	}

	addr := net.JoinHostPort("127.0.0.1", port(o.Callback))
	listener, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return Result{}, fmt.Errorf("%w: listen on %s for the callback URL %s: %w (stop what listens there, such as your app's dev server, and run make try again)", ErrSetup, addr, o.Callback, err)
	}
	server := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return httpCtx }}
	go func() { _ = server.Serve(listener) }()
	defer func() {
		// Shutdown lets the result page finish; the timeout caps a stuck client.
		shutdownCtx, cancelShutdown := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancelShutdown()
		_ = server.Shutdown(shutdownCtx)
	}()

	if o.Ready != nil {
		o.Ready(s.oauth.AuthCodeURL(s.state,
			oauth2.S256ChallengeOption(s.verifier),
			oauth2.SetAuthURLParam("identity_provider", o.Stack.ProviderName)))
	}
	select {
	case r := <-s.results:
		return r, nil
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return Result{}, fmt.Errorf("%w within %s: run make try again, and finish the sign-in in the browser before then (--wait sets the time)", ErrNoAnswer, o.Wait)
		}
		return Result{}, fmt.Errorf("%w: interrupted", ErrNoAnswer)
	}
}

// authStyle sends a confidential client's secret as HTTP Basic, as Cognito
// documents, and a public client's ID in the form.
func authStyle(secret string) oauth2.AuthStyle {
	if secret != "" {
		return oauth2.AuthStyleInHeader
	}
	return oauth2.AuthStyleInParams
}

// port is the callback URL's port, 80 when it names none.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	return "80"
}

func (s *session) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != s.o.Callback.Path {
		writePage(w, http.StatusNotFound, Result{Refusal: &Refusal{
			Title:  "Nothing here",
			Detail: "make try answers only its callback URL " + s.o.Callback.String() + ".",
		}})
		return
	}
	query := r.URL.Query()
	if refusal := s.checkState(query); refusal != nil {
		writePage(w, http.StatusBadRequest, Result{Refusal: refusal})
		if s.o.Notice != nil {
			s.o.Notice(refusal)
		}
		return
	}
	result := s.complete(r.Context(), query)
	status := http.StatusOK
	if result.Refusal != nil {
		status = http.StatusBadRequest
	}
	writePage(w, status, result)
	s.results <- result
}

// checkState refuses an answer that does not carry this run's state, or that
// comes after the run's answer; it accepts the run's answer once.
func (s *session) checkState(query url.Values) *Refusal {
	got := query.Get("state")
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.state)) != 1 {
		detail := "It carries no state parameter"
		if query.Has("state") {
			detail = fmt.Sprintf("Its state parameter %q is not the one make try sent", got)
		}
		return &Refusal{
			Title: "Refused: this answer is not from the sign-in make try started",
			Detail: detail + ", so it may come from an old tab, another run or another site; the state is what " +
				"keeps a forged answer from signing you in.",
			Fix: "make try is still waiting: open the sign-in URL it printed.",
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return &Refusal{Title: "Refused: this sign-in is already finished", Detail: "make try takes one answer per run.", Fix: "Run make try again for a new sign-in."}
	}
	s.done = true
	return nil
}

// complete turns the answer with the right state into a result.
func (s *session) complete(ctx context.Context, query url.Values) Result {
	if code := query.Get("error"); code != "" {
		return Result{Refusal: answerRefusal(s.o.Stack, code, query.Get("error_description"))}
	}
	code := query.Get("code")
	if code == "" {
		return Result{Refusal: &Refusal{Title: "Refused: the answer carries no code", Detail: "Cognito sends the browser back with ?code=… after a sign-in; this answer has neither a code nor an error.", Fix: "Run make try again."}}
	}
	token, err := s.oauth.Exchange(ctx, code, oauth2.VerifierOption(s.verifier))
	if err != nil {
		return Result{Refusal: exchangeRefusal(s.o.Stack, err)}
	}
	raw, _ := token.Extra("id_token").(string)
	if raw == "" {
		return Result{Token: token, Refusal: &Refusal{
			Title:  "Refused: Cognito returned no ID token",
			Detail: "The token endpoint answered without an id_token, which Cognito issues only for the openid scope.",
			Fix:    "Allow the openid scope on app client " + s.o.Stack.ClientID + ", then deploy with make up.",
		}}
	}
	idToken, err := s.idTokens.Verify(ctx, raw)
	if err != nil {
		return Result{Token: token, Refusal: &Refusal{
			Title:  "Refused: the ID token is not valid",
			Detail: err.Error() + ".",
			Fix: fmt.Sprintf("An ID token counts only when a key that %s publishes (its /.well-known/jwks.json) signed it, its issuer is that URL, "+
				"its audience is the client %s, and it has not expired. Check that cognitoIssuerUrl is this stack's pool, and this machine's clock.",
				s.o.Stack.IssuerURL, s.o.Stack.ClientID),
		}}
	}
	account, err := describeAccount(ctx, s.o.Cognito, s.o.Stack, idToken)
	if err != nil {
		return Result{Token: token, Refusal: &Refusal{Title: "Refused: the ID token's claims cannot be read", Detail: err.Error() + "."}}
	}
	return Result{Token: token, Account: account}
}

// preSignUpFailed starts Cognito's error_description when the pre sign-up
// trigger (the merge function) refused or failed.
const preSignUpFailed = "PreSignUp failed with error"

// answerRefusal explains an error= answer from the hosted domain.
func answerRefusal(s Stack, code, description string) *Refusal {
	r := &Refusal{Title: "Cognito refused the sign-in: " + code, Detail: description}
	if r.Detail == "" {
		r.Detail = "Cognito gave no error_description."
	}
	switch {
	case strings.Contains(description, preSignUpFailed):
		r.Fix = "This is the merge function's answer (the pool's pre sign-up trigger); its log has the decision and the reason"
		if s.LogGroup != "" {
			r.Fix += ": aws logs tail " + s.LogGroup + " --since 15m"
		}
		r.Fix += ". The rules are in lambda/README.md."
	default:
		r.Fix = "Run make verify" + s.makeArgs() + ": it checks each step of the deployment and names the one that is missing."
	}
	return r
}

// exchangeRefusal explains a refused code exchange.
func exchangeRefusal(s Stack, err error) *Refusal {
	r := &Refusal{Title: "Cognito's token endpoint refused the code", Detail: err.Error()}
	var retrieve *oauth2.RetrieveError
	if !errors.As(err, &retrieve) {
		r.Fix = "Check that " + s.TokenURL + " (the hosted domain) answers from this machine, and run make try again."
		return r
	}
	r.Detail = retrieve.ErrorCode
	if retrieve.ErrorDescription != "" {
		r.Detail += ": " + retrieve.ErrorDescription
	}
	if r.Detail == "" && retrieve.Response != nil {
		r.Detail = fmt.Sprintf("HTTP %d: %s", retrieve.Response.StatusCode, strings.TrimSpace(string(retrieve.Body)))
	}
	switch retrieve.ErrorCode {
	case "invalid_grant":
		r.Fix = "A code works once, for a few minutes, and only with the PKCE verifier of the sign-in that asked for it: this one was already used, has expired, or belongs to another sign-in. Run make try again."
	case "invalid_client", "unauthorized_client":
		r.Fix = "The client's secret is missing or wrong: pass the right one in " + ClientSecretEnv + "."
	default:
		r.Fix = "Run make verify" + s.makeArgs() + ", then make try again."
	}
	return r
}
