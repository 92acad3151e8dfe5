package try

import (
	"context"
	"errors"
	"flag"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/try/trytest"
)

var screenshot = flag.String("screenshot", "", "save a PNG of the signed-in page at this path (the README's docs/try-signed-in.png)")

// browser starts Debian's chromium, headless with a fresh profile, or skips.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed: apt-get update && apt-get install -y chromium")
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(960, 720),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// signIn runs one sign-in against w and opens its URL in a new tab of the
// browser. It returns the page's text, the notices, and how Run ended; with
// waitForResult false it stops Run once the page is shown (a refused answer
// leaves Run waiting).
func signIn(browserCtx context.Context, t *testing.T, w *trytest.World, waitForResult bool, png *[]byte) (page string, notices []*Refusal, result Result, runErr error) {
	t.Helper()
	s := stackOf(t, w)
	client, err := ReadAppClient(t.Context(), w.CognitoClient(), s)
	if err != nil {
		t.Fatal(err)
	}
	callback, ok := client.LocalCallback()
	if !ok {
		t.Fatalf("no localhost callback in %v", client.CallbackURLs)
	}
	runCtx, stop := context.WithCancel(t.Context())
	defer stop()
	urls := make(chan string, 1)
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		result, runErr = Run(runCtx, Options{
			Stack: s, Callback: callback, Cognito: w.CognitoClient(),
			HTTP: &http.Client{Timeout: 10 * time.Second}, Wait: time.Minute,
			Ready:  func(u string) { urls <- u },
			Notice: func(r *Refusal) { mu.Lock(); notices = append(notices, r); mu.Unlock() },
		})
	}()
	var signInURL string
	select {
	case signInURL = <-urls:
	case <-done:
		t.Fatalf("Run ended before it was ready: %v", runErr)
	}
	tab, closeTab := chromedp.NewContext(browserCtx)
	defer closeTab()
	tabCtx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tabCtx, chromedp.Navigate(signInURL), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatalf("browser: %v", err)
	}
	if page, err = chromedp.Run(tabCtx, chromedp.Text(chromedp.CSS("main"))); err != nil {
		t.Fatalf("browser: read the page: %v", err)
	}
	if png != nil {
		if *png, err = chromedp.Run(tabCtx, chromedp.FullScreenshot(100)); err != nil {
			t.Fatalf("browser: screenshot: %v", err)
		}
	}
	if !waitForResult {
		stop()
	}
	<-done
	mu.Lock()
	defer mu.Unlock()
	return page, notices, result, runErr
}

func stackOf(t *testing.T, w *trytest.World) Stack {
	t.Helper()
	s, err := stackFromOutputs("dev", w.StackOutputs())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBrowserSignIn(t *testing.T) {
	ctx := browser(t)

	t.Run("existing account, Descope linked: the claims page", func(t *testing.T) {
		w := trytest.New(t)
		var png []byte
		page, notices, result, err := signIn(ctx, t, w, true, &png)
		if err != nil || result.Account == nil || len(notices) != 0 {
			t.Fatalf("Run: %v, account %v, notices %v; page:\n%s", err, result.Account, notices, page)
		}
		for _, want := range []string{
			"Signed in with Descope",
			"You signed in to the existing account created 14 Mar 2025 09:26 UTC; Descope is linked (since 3 Dec 2026 17:40 UTC).",
			"Cognito user name\t7c1e5a52-3f0b-4d9e-9a0c-2f6a8b1d4e01",
			"email\tada@example.com (verified)",
			"cognito:groups\tadmins, staff",
			"account created\t14 Mar 2025 09:26 UTC",
			"Descope identity\tuserId U2pAsskeyAda0000000000000001, linked 3 Dec 2026 17:40 UTC",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %q:\n%s", want, page)
			}
		}
		if strings.Contains(page, "fake-access-token") || strings.Contains(page, "eyJ") {
			t.Errorf("page shows a token:\n%s", page)
		}
		if result.ExitCode() != ExitSignedIn || w.Challenges[0] != "S256" {
			t.Errorf("exit %d, challenge method %q", result.ExitCode(), w.Challenges[0])
		}
		if *screenshot != "" {
			if err := os.WriteFile(*screenshot, png, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	})

	t.Run("a new account", func(t *testing.T) {
		w := trytest.New(t)
		w.Lock(func(w *trytest.World) { w.User = trytest.NewFederatedUser() })
		page, _, result, err := signIn(ctx, t, w, true, nil)
		if err != nil || result.Account == nil {
			t.Fatalf("Run: %v; page:\n%s", err, page)
		}
		if want := "A new account was created for this Descope identity (3 Dec 2026 17:41 UTC): no existing account was linked to it."; !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	})

	refusals := []struct {
		name  string
		set   func(w *trytest.World)
		title string
		fix   string
	}{
		{"a wrong state", func(w *trytest.World) { w.ForgedState = "forged-state" },
			"Refused: this answer is not from the sign-in make try started",
			"make try is still waiting: open the sign-in URL it printed."},
		{"a token signed by another key", func(w *trytest.World) { w.SignWithOtherKey = true },
			"Refused: the ID token is not valid",
			"An ID token counts only when a key that " /* the issuer URL follows */},
		{"the merge function refuses", func(w *trytest.World) {
			w.ErrorAnswer = url.Values{"error": {"invalid_request"}, "error_description": {"PreSignUp failed with error two accounts have this email; none was linked."}}
		}, "Cognito refused the sign-in: invalid_request",
			"This is the merge function's answer (the pool's pre sign-up trigger); its log has the decision and the reason: aws logs tail /aws/lambda/passkeys-dev-merge --since 15m."},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			w := trytest.New(t)
			w.Lock(tt.set)
			forged := w.ForgedState != ""
			page, notices, result, err := signIn(ctx, t, w, !forged, nil)
			if !strings.Contains(page, tt.title) || !strings.Contains(page, "Fix: "+tt.fix) || strings.Contains(page, "Signed in") {
				t.Errorf("want a refusal page %q with fix %q; got:\n%s", tt.title, tt.fix, page)
			}
			if forged {
				// The forged answer is refused, and the wait goes on until stopped.
				if len(notices) != 1 || !errors.Is(err, ErrNoAnswer) || w.Exchanges != 0 {
					t.Errorf("notices %v, Run error %v, %d exchanges; want one notice, ErrNoAnswer and no exchange", notices, err, w.Exchanges)
				}
				return
			}
			if err != nil || result.Refusal == nil || result.ExitCode() != ExitRefused {
				t.Errorf("Run: %v, result %+v; want a refusal", err, result)
			}
		})
	}

	t.Run("a replayed code", func(t *testing.T) {
		w := trytest.New(t)
		if _, _, result, err := signIn(ctx, t, w, true, nil); err != nil || result.Account == nil {
			t.Fatalf("first sign-in: %v", err)
		}
		w.Lock(func(w *trytest.World) { w.ReplayCode = true })
		page, _, result, err := signIn(ctx, t, w, true, nil)
		if err != nil || result.Refusal == nil {
			t.Fatalf("Run: %v, result %+v; want a refusal", err, result)
		}
		for _, want := range []string{"Cognito's token endpoint refused the code", "invalid_grant", "A code works once"} {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %q:\n%s", want, page)
			}
		}
	})
}
