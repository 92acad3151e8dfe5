// Command presignuprules is a small pre sign-up trigger of the kind adopted
// pools already run, for the tests and benchmark of chaining: it
// auto-confirms (and auto-verifies the email of) sign-ups from
// AUTO_CONFIRM_DOMAIN, refuses those from REFUSE_DOMAIN with a message of
// its own, and takes until its deadline for those from SLOW_DOMAIN. Any
// other sign-up passes unchanged.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// RefusalMessage is what the function answers for REFUSE_DOMAIN.
const RefusalMessage = "Sign-ups from %s are not allowed"

type rules struct {
	confirm, refuse, slow string
}

func (r rules) handle(ctx context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
	email := strings.ToLower(ev.Request.UserAttributes["email"])
	_, domain, _ := strings.Cut(email, "@")
	switch domain {
	case "":
	case r.refuse:
		// A user-facing message, as Cognito shows it: capitalised.
		return ev, fmt.Errorf(RefusalMessage, domain) //nolint:staticcheck // ST1005: the message is shown to the user as is.
	case r.slow:
		// Past the deadline, so Lambda (or the caller) gives up first.
		<-ctx.Done()
		time.Sleep(200 * time.Millisecond)
	case r.confirm:
		ev.Response.AutoConfirmUser = true
		ev.Response.AutoVerifyEmail = true
	}
	return ev, nil
}

func main() {
	r := rules{
		confirm: os.Getenv("AUTO_CONFIRM_DOMAIN"),
		refuse:  os.Getenv("REFUSE_DOMAIN"),
		slow:    os.Getenv("SLOW_DOMAIN"),
	}
	lambda.Start(r.handle)
}
