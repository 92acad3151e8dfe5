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
	switch {
	case domain == "":
	case domain == r.refuse:
		return ev, fmt.Errorf(RefusalMessage, domain)
	case domain == r.slow:
		// Past the deadline, so Lambda (or the caller) gives up first.
		<-ctx.Done()
		time.Sleep(200 * time.Millisecond)
	case domain == r.confirm:
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
